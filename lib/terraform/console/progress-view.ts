/**
 * The console on a terminal: a compact progress frame, redrawn in place, driven by the run's
 * events file (tailed while terraform runs) instead of terraform's raw output, which goes to the
 * run directory's engine.log. Redraws at most a few times a second, and on every new event.
 */
import * as fs from "fs";
import { RunEvent } from "../../model/run-events";
import { parseEventLines } from "../../run/observe/event-writer";
import { RunPaths } from "../run-record";
import { ENGINE_NOISE } from "./plain-console";
import { renderFrame } from "./progress-frame";
import { applyEvent, emptyProgress } from "./run-progress";

/** What the view writes to: a terminal (process.stdout), or a fake one in tests. */
export interface Terminal {
  write(text: string): unknown;
  readonly columns?: number;
}

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
/** Up `n` lines to column 1, then erase to the end of the screen. */
const rewind = (n: number): string => (n > 0 ? `\x1b[${n}F\x1b[J` : "");
/** `null_resource.zone_101_upgrade (local-exec): text` → text, for the "last:" line. */
const LOCAL_EXEC = /^\S+ \(local-exec\): ?/;

export class ProgressView {
  private readonly progress = emptyProgress();
  private readonly since: number;
  private paths?: RunPaths;
  private offset = 0;
  private rest = "";
  private lastLine?: string;
  private drawn = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly term: Terminal,
    /** Clock, for tests. @default Date.now */
    private readonly now: () => number = Date.now,
    /** How often the events file is read and the frame redrawn. @default 250 ms */
    private readonly pollMs = 250,
  ) {
    this.since = now();
  }

  /** One line of onefed's or the engine's output: shown as the frame's "last:" line only. */
  line(text: string): void {
    if (ENGINE_NOISE.test(text)) return;
    const shown = text.replace(LOCAL_EXEC, "").trim();
    if (shown) this.lastLine = shown;
  }

  /** The run's record exists: tail its events file from now on. */
  attach(paths: RunPaths): void {
    this.paths = paths;
    this.term.write(HIDE_CURSOR);
    this.timer = setInterval(() => this.refresh(), this.pollMs);
    this.timer.unref();
    this.refresh();
  }

  /** Reads what the events file gained since the last read, and redraws. */
  refresh(): void {
    for (const e of this.readNew()) applyEvent(this.progress, e);
    this.draw();
  }

  /** The run is over: a last frame, which stays on screen; the cursor comes back. */
  stop(): void {
    // A command that failed before its run existed (a bad federation file) drew nothing: its error says it all.
    if (!this.paths) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.refresh();
    this.term.write(SHOW_CURSOR);
  }

  private draw(): void {
    const lines = renderFrame({
      progress: this.progress,
      now: this.now(),
      since: this.since,
      width: Math.max(20, (this.term.columns ?? 100) - 1),
      lastLine: this.lastLine,
      runDir: this.paths?.dir,
    });
    this.term.write(`${rewind(this.drawn)}${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }

  private readNew(): RunEvent[] {
    if (!this.paths) return [];
    let fd: number;
    try {
      fd = fs.openSync(this.paths.eventsFile, "r");
    } catch {
      return [];
    }
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(64 * 1024);
      for (let n = fs.readSync(fd, buf, 0, buf.length, this.offset); n > 0; n = fs.readSync(fd, buf, 0, buf.length, this.offset)) {
        chunks.push(Buffer.from(buf.subarray(0, n)));
        this.offset += n;
      }
      // A line cut by the read (a write under way) waits for its end in `rest`.
      const { events, rest } = parseEventLines(this.rest + Buffer.concat(chunks).toString("utf8"));
      this.rest = rest;
      return events;
    } finally {
      fs.closeSync(fd);
    }
  }
}
