/**
 * The maintenance window's arithmetic (federation.yaml `window`): on each listed day it opens at
 * `start` and closes at `end`, wall-clock time in its IANA time zone (Intl does the zone rules,
 * daylight saving included); an `end` not after `start` closes the next day (an overnight window,
 * which belongs to the day it opens on). Pure: the clock is an argument.
 */
import { MaintenanceWindow, WEEKDAYS } from "./federation";

/** One opening of the window, epoch ms. */
export interface WindowOpening {
  readonly opensAt: number;
  readonly closesAt: number;
}

/** Where a run starting now with an estimated duration stands against the window. */
export type WindowVerdict =
  /** Now is inside an opening and the run (when estimated) ends before it closes. */
  | { readonly kind: "fits"; readonly opening: WindowOpening; readonly endsAt?: number }
  /** Inside an opening, but the estimated end is after it closes, by `overrunMs`. */
  | { readonly kind: "overruns"; readonly opening: WindowOpening; readonly endsAt: number; readonly overrunMs: number }
  /** Outside every opening; `next` is the next one (within a week). */
  | { readonly kind: "outside"; readonly next?: WindowOpening };

interface WallClock {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const DAY_MS = 86_400_000;

/** Whether Intl knows the time zone (the config rules call this). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `timeZone` at instant `ms`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formatters.set(timeZone, f);
  }
  const part = (type: string) => Number(f.formatToParts(new Date(ms)).find((p) => p.type === type)?.value);
  return { year: part("year"), month: part("month"), day: part("day"), hour: part("hour") % 24, minute: part("minute") };
}

/** The instant a wall-clock time happens in `timeZone` (in a spring-forward gap: just after it). */
export function zonedInstant(w: WallClock, timeZone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsetAt = (ms: number) => {
    const c = wallClock(ms, timeZone);
    return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - Math.floor(ms / 60_000) * 60_000;
  };
  const first = asUtc - offsetAt(asUtc);
  const second = asUtc - offsetAt(first);
  return second;
}

function minutesOf(hhmm: string): { hour: number; minute: number } {
  const [hour, minute] = hhmm.split(":").map(Number);
  return { hour, minute };
}

/** The opening that starts on the local date `y-m-d`, when that day is one of the window's. */
function openingOn(window: MaintenanceWindow, y: number, m: number, d: number): WindowOpening | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!window.days.includes(WEEKDAYS[date.getUTCDay()])) return undefined;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const overnight = end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
  const next = new Date(date.getTime() + DAY_MS);
  const opensAt = zonedInstant({ year: y, month: m, day: d, ...start }, window.timezone);
  const closesAt = overnight
    ? zonedInstant({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), ...end }, window.timezone)
    : zonedInstant({ year: y, month: m, day: d, ...end }, window.timezone);
  return { opensAt, closesAt };
}

/** The openings that start on the local dates from `fromDay` to `toDay` days after `now`'s local date. */
function openingsAround(window: MaintenanceWindow, now: number, fromDay: number, toDay: number): WindowOpening[] {
  const today = wallClock(now, window.timezone);
  const out: WindowOpening[] = [];
  for (let i = fromDay; i <= toDay; i++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day) + i * DAY_MS);
    const o = openingOn(window, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (o) out.push(o);
  }
  return out;
}

/** The opening `now` is in, if any (yesterday's overnight opening included). */
export function openingAt(window: MaintenanceWindow, now: number): WindowOpening | undefined {
  return openingsAround(window, now, -1, 0).find((o) => o.opensAt <= now && now < o.closesAt);
}

/** The next opening after `now`, within a week. */
export function nextOpening(window: MaintenanceWindow, now: number): WindowOpening | undefined {
  return openingsAround(window, now, 0, 7).find((o) => o.opensAt > now);
}

/** Judges a run starting at `now` that takes `estimateMs` (undefined: not known, only `now` is judged). */
export function judgeWindow(window: MaintenanceWindow, now: number, estimateMs: number | undefined): WindowVerdict {
  const opening = openingAt(window, now);
  if (!opening) {
    const next = nextOpening(window, now);
    return { kind: "outside", ...(next ? { next } : {}) };
  }
  if (estimateMs === undefined) return { kind: "fits", opening };
  const endsAt = now + estimateMs;
  return endsAt <= opening.closesAt ? { kind: "fits", opening, endsAt } : { kind: "overruns", opening, endsAt, overrunMs: endsAt - opening.closesAt };
}

/** `sat 22:00` in the window's zone: how messages name an instant to the operator who set the window. */
export function localTime(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${weekday} ${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${timeZone}`;
}

/** "sat, sun 22:00–06:00 Europe/Paris (overnight)". */
export function describeWindow(window: MaintenanceWindow): string {
  const overnight = window.end <= window.start ? " (closes the next day)" : "";
  return `${window.days.join(", ")} ${window.start}–${window.end} ${window.timezone}${overnight}`;
}
