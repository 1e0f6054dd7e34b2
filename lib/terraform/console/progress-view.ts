/**
 * The console on a terminal: a compact progress frame, redrawn in place, driven by the run's
 * events file (tailed while terraform runs) instead of terraform's raw output, which goes to the
 * run directory's engine.log. Redraws at most a few times a second, and on every new event.
 */
import { EventsTail } from "../../run/observe/events-tail";
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
  private tail?: EventsTail;
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
    this.tail = new EventsTail(paths.eventsFile);
    this.term.write(HIDE_CURSOR);
    this.timer = setInterval(() => this.refresh(), this.pollMs);
    this.timer.unref();
    this.refresh();
  }

  /** Reads what the events file gained since the last read, and redraws. */
  refresh(): void {
    for (const e of this.tail?.readNew() ?? []) applyEvent(this.progress, e);
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
}
