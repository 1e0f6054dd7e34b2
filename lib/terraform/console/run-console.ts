/**
 * What `onefed deploy` and `onefed apply` show while they run: on a terminal, the progress view;
 * otherwise (CI, a pipe, a file) plain timestamped lines. Either way the run directory has it all.
 */
import { RunPaths } from "../run-record";
import { PlainConsole } from "./plain-console";
import { ProgressView, Terminal } from "./progress-view";

/** `auto`: the progress view when stdout is a terminal, plain lines otherwise. */
export const CONSOLE_MODES = ["auto", "progress", "plain"] as const;
export type ConsoleMode = (typeof CONSOLE_MODES)[number];

export interface RunConsole {
  /** One line of onefed's or the engine's output (deploy's `log`). */
  line(text: string): void;
  /** The run's record exists (deploy's `onRun`). */
  attach(paths: RunPaths): void;
  /** The run is over (success or not): the last frame, the cursor back. */
  stop(): void;
}

export function runConsole(mode: ConsoleMode, terminal: Terminal & { readonly isTTY?: boolean }, plainOut: (line: string) => void): RunConsole {
  if (mode === "progress" || (mode === "auto" && terminal.isTTY)) {
    const view = new ProgressView(terminal);
    return { line: (t) => view.line(t), attach: (p) => view.attach(p), stop: () => view.stop() };
  }
  const plain = new PlainConsole(plainOut);
  return { line: (t) => plain.line(t), attach: () => undefined, stop: () => undefined };
}
