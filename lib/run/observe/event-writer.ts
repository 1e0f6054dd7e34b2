/**
 * Appends events to the run's events file. The deploy and every step process it starts append to
 * the same file at once, so each event is ONE write() of one whole line to a descriptor opened with
 * O_APPEND: the kernel puts each write at the end as a unit, and lines never interleave. Lines from
 * the step processes stay under PIPE_BUF (4 KiB; long text fields are cut) so that this also holds
 * when the file is a pipe or a FIFO (`--events /dev/stderr`, a collector).
 */
import * as fs from "fs";
import { EVENTS_FORMAT_VERSION, EventInput, RunEvent } from "../../model/run-events";
import { AppendFile } from "./append-file";

/** A line longer than this could interleave on a pipe (Linux PIPE_BUF). */
export const MAX_EVENT_LINE_BYTES = 4096;
/** Longest text field (command, message, summary) kept whole; the rest is cut with "…". */
export const MAX_EVENT_TEXT = 1000;

const TEXT_FIELDS = ["command", "message", "summary"] as const;

export class EventWriter {
  private readonly out: AppendFile;

  constructor(
    /** The events file; created (and its directory) on the first event. */
    public readonly file: string,
    /** The run every event belongs to. */
    private readonly runId: string,
    /** Clock, for tests. @default Date.now */
    private readonly now: () => number = Date.now,
  ) {
    this.out = new AppendFile(file);
  }

  /** Appends one event (never throws: losing an event never fails the run); returns it as written. */
  write(input: EventInput): RunEvent {
    const event = { v: EVENTS_FORMAT_VERSION, ts: new Date(this.now()).toISOString(), run: this.runId, ...input } as RunEvent;
    this.out.append(serializeEvent(event));
    return event;
  }

  close(): void {
    this.out.close();
  }
}

/**
 * One event as one line: key order `v, ts, event, run, step, zone` first (readable with `cut`),
 * text fields cut at MAX_EVENT_TEXT characters; a line that still exceeds MAX_EVENT_LINE_BYTES
 * (a run-start of a huge federation) is written whole by the deploy alone, before any step runs.
 */
export function serializeEvent(event: RunEvent): string {
  const { v, ts, event: name, run, step, zone, ...rest } = event;
  const fields: Record<string, unknown> = { ...rest };
  for (const key of TEXT_FIELDS) {
    const value = fields[key];
    if (typeof value === "string" && value.length > MAX_EVENT_TEXT) fields[key] = `${value.slice(0, MAX_EVENT_TEXT)}…`;
  }
  return `${JSON.stringify({ v, ts, event: name, run, step, zone, ...fields })}\n`;
}

/** Every event of an events file, in order; a torn last line (a write under way) is left out. */
export function readEvents(file: string): RunEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return parseEventLines(text).events;
}

/** Complete lines parsed; `rest` is the unterminated tail to keep for the next read. */
export function parseEventLines(text: string): { events: RunEvent[]; rest: string } {
  const lines = text.split("\n");
  const rest = lines.pop() ?? "";
  const events: RunEvent[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      /* not ours: someone else writes to the same file; skip it */
    }
  }
  return { events, rest };
}
