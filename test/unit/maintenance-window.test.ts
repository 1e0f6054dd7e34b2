/**
 * The maintenance window (federation.yaml `window`, docs/estimates.md): wall-clock times in an IANA
 * zone (daylight saving included), overnight windows that belong to the day they open, the verdict
 * for a run of a given length, the refusal's wording and exit code, and the federation file's rules.
 */
import { ExitCode } from "../../lib/model/exit-codes";
import { MaintenanceWindow } from "../../lib/model/federation";
import { judgeWindow, localTime, nextOpening, openingAt, wallClock, zonedInstant } from "../../lib/model/maintenance-window";
import { checkWindow, OutsideWindowError } from "../../lib/terraform/estimates/window-guard";
import { seedFederation } from "../support/federation-builder";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

describe("wall clock in a time zone", () => {
  it.each([
    // Paris: UTC+1 in winter, UTC+2 in summer (last Sunday of March to last Sunday of October).
    ["Europe/Paris", "2026-11-28T22:00", "2026-11-28T21:00:00.000Z"],
    ["Europe/Paris", "2026-07-04T22:00", "2026-07-04T20:00:00.000Z"],
    ["America/New_York", "2026-11-28T22:00", "2026-11-29T03:00:00.000Z"],
    ["Asia/Kolkata", "2026-11-28T22:00", "2026-11-28T16:30:00.000Z"],
    ["UTC", "2026-11-28T22:00", "2026-11-28T22:00:00.000Z"],
    // 02:30 does not exist on 2026-03-29 in Paris (02:00 → 03:00): the instant just after the gap.
    ["Europe/Paris", "2026-03-29T02:30", "2026-03-29T01:30:00.000Z"],
  ])("%s %s is %s", (zone, local, utc) => {
    const [date, time] = local.split("T");
    const [year, month, day] = date.split("-").map(Number);
    const [hour, minute] = time.split(":").map(Number);
    expect(new Date(zonedInstant({ year, month, day, hour, minute }, zone)).toISOString()).toBe(utc);
    if (!local.includes("02:30")) expect(wallClock(Date.parse(utc), zone)).toEqual({ year, month, day, hour, minute });
  });
});

describe("openings", () => {
  const weekend: MaintenanceWindow = { days: ["sat", "sun"], start: "08:00", end: "18:00", timezone: "Europe/Paris" };
  const overnight: MaintenanceWindow = { days: ["sat"], start: "22:00", end: "06:00", timezone: "Europe/Paris" };

  it("opens on the listed days between start and end, wall-clock time", () => {
    // Saturday 2026-11-28, 10:00 Paris = 09:00Z.
    expect(openingAt(weekend, at("2026-11-28T09:00:00Z"))).toEqual({ opensAt: at("2026-11-28T07:00:00Z"), closesAt: at("2026-11-28T17:00:00Z") });
    expect(openingAt(weekend, at("2026-11-28T17:00:00Z"))).toBeUndefined();
    expect(openingAt(weekend, at("2026-11-27T09:00:00Z"))).toBeUndefined();
  });

  it("follows daylight saving: the same 08:00 is 06:00Z in July", () => {
    expect(openingAt(weekend, at("2026-07-04T06:30:00Z"))).toEqual({ opensAt: at("2026-07-04T06:00:00Z"), closesAt: at("2026-07-04T16:00:00Z") });
  });

  it("keeps an overnight window open past midnight, as part of the day it opened", () => {
    // Sunday 03:00 Paris belongs to Saturday's opening.
    const sunday3am = at("2026-11-29T02:00:00Z");
    expect(openingAt(overnight, sunday3am)).toEqual({ opensAt: at("2026-11-28T21:00:00Z"), closesAt: at("2026-11-29T05:00:00Z") });
    // Sunday 23:00 is not: Sunday is not a listed day.
    expect(openingAt(overnight, at("2026-11-29T22:00:00Z"))).toBeUndefined();
  });

  it("finds the next opening within a week", () => {
    expect(nextOpening(overnight, at("2026-11-30T12:00:00Z"))).toEqual({ opensAt: at("2026-12-05T21:00:00Z"), closesAt: at("2026-12-06T05:00:00Z") });
  });

  it("judges a run by its estimated end", () => {
    const now = at("2026-11-29T04:00:00Z"); // Sunday 05:00 Paris, an hour before the overnight window closes.
    expect(judgeWindow(overnight, now, 30 * MIN)).toMatchObject({ kind: "fits", endsAt: now + 30 * MIN });
    expect(judgeWindow(overnight, now, 90 * MIN)).toMatchObject({ kind: "overruns", overrunMs: 30 * MIN });
    expect(judgeWindow(overnight, now, undefined)).toMatchObject({ kind: "fits" });
    expect(judgeWindow(overnight, at("2026-11-29T06:00:00Z"), 1)).toMatchObject({ kind: "outside", next: { opensAt: at("2026-12-05T21:00:00Z") } });
  });

  it("names instants in the window's own zone", () => {
    expect(localTime(at("2026-11-29T05:00:00Z"), "Europe/Paris")).toBe("sun 2026-11-29 06:00 Europe/Paris");
  });
});

describe("checkWindow", () => {
  const config = { name: "prod", window: { days: ["sat"], start: "22:00", end: "06:00", timezone: "Europe/Paris" } as MaintenanceWindow };
  const now = at("2026-11-29T04:00:00Z");

  it("says nothing without a window", () => {
    expect(checkWindow({ name: "prod" }, { ignore: false, now })).toBeUndefined();
  });

  it("lets a run that ends in time start, saying how much room is left", () => {
    expect(checkWindow(config, { ignore: false, estimateMs: 20 * MIN, now })).toBe(
      "window: now is inside the maintenance window (sat 22:00–06:00 Europe/Paris (closes the next day)); its estimated end sun 2026-11-29 05:20 Europe/Paris is 40m00s before it closes",
    );
  });

  it("refuses a run whose estimated end falls after the window closes, saying by how much (exit 7)", () => {
    let err: unknown;
    try {
      checkWindow(config, { ignore: false, estimateMs: 75 * MIN, now });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutsideWindowError);
    expect((err as OutsideWindowError).exitCode).toBe(ExitCode.OutsideWindow);
    expect((err as Error).message).toBe(
      "federation prod: the run (estimated at 1h15m from the duration history) would end sun 2026-11-29 06:15 Europe/Paris, 15m00s after the maintenance window " +
        "(sat 22:00–06:00 Europe/Paris (closes the next day)) closes sun 2026-11-29 06:00 Europe/Paris. Nothing was run on any zone. " +
        "Start inside the window, widen `window` in the federation file, or pass --ignore-window to run anyway (the run's events record it).",
    );
  });

  it("refuses outside the window even without an estimate, and says the end could not be estimated", () => {
    expect(() => checkWindow(config, { ignore: false, now: at("2026-11-30T12:00:00Z"), noEstimateBecause: "no history yet" })).toThrow(
      /now \(mon 2026-11-30 13:00 Europe\/Paris\) is outside the maintenance window .*; it next opens sat 2026-12-05 22:00 Europe\/Paris, in 129h00m \(the run's end could not be estimated: no history yet\)\. Nothing was run/,
    );
  });

  it("inside the window without an estimate: runs, and says the end could not be estimated", () => {
    expect(checkWindow(config, { ignore: false, now, noEstimateBecause: "no history yet" })).toMatch(
      /inside the maintenance window .*; its end could not be estimated \(no history yet\); the window closes sun 2026-11-29 06:00 Europe\/Paris$/,
    );
  });

  it("runs anyway with --ignore-window, saying what it overrides", () => {
    expect(checkWindow(config, { ignore: true, estimateMs: 75 * MIN, now })).toMatch(
      /^window: --ignore-window: running anyway although the run .* 15m00s after/,
    );
  });
});

describe("window in the federation file", () => {
  const withWindow = (w: unknown) => seedFederation().set("window", w);

  it("loads days, start, end and time zone", () => {
    expect(withWindow({ days: ["sat", "sun"], start: "22:00", end: "06:00", timezone: "Europe/Paris" }).parse().window).toEqual({
      days: ["sat", "sun"],
      start: "22:00",
      end: "06:00",
      timezone: "Europe/Paris",
    });
    expect(seedFederation().parse().window).toBeUndefined();
  });

  it.each([
    [{ days: ["sat"], start: "22:00", end: "06:00", timezone: "Mars/Olympus" }, /window\.timezone: Mars\/Olympus is not an IANA time zone/],
    [{ days: ["sat"], start: "22:00", end: "22:00", timezone: "UTC" }, /window: start and end are both 22:00/],
    [{ days: ["saturday"], start: "22:00", end: "06:00", timezone: "UTC" }, /window\.days/],
    [{ days: ["sat"], start: "24:00", end: "06:00", timezone: "UTC" }, /window\.start/],
    [{ days: [], start: "22:00", end: "06:00", timezone: "UTC" }, /window\.days/],
    [{ days: ["sat", "sat"], start: "22:00", end: "06:00", timezone: "UTC" }, /window\.days: sat is listed more than once/],
  ])("refuses %j", (w, message) => {
    expect(() => withWindow(w).parse()).toThrow(message);
  });
});
