/**
 * The one way onefed runs a program on the automation host (go, terraform/tofu, the cdktf CLI):
 * no shell, never throws, and resolves with a typed result. Remote commands have their own
 * result type (lib/remote/ssh/command-result.ts), which also names the host.
 */
import { ChildProcess, spawn } from "node:child_process";

/** What one local program run did. A null exit code (killed, or never started) is a failure. */
export interface ProcessResult {
  /** The command line, quoted for display only (it never went through a shell). */
  readonly command: string;
  /** Exit code; null when a signal ended it or it could not start. */
  readonly exitCode: number | null;
  /** Signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** Standard output, complete. */
  readonly stdout: string;
  /** Standard error, complete. */
  readonly stderr: string;
  /** Both streams in the order they arrived, as a terminal would have shown them; what messages quote. */
  readonly output: string;
  /** Why the program could not start (e.g. "spawn /x ENOENT"); absent when it started. */
  readonly startError?: string;
  /** Wall time in milliseconds. */
  readonly durationMs: number;
}

/** Options for runProcess. */
export interface ProcessOptions {
  /** Working directory. @default process.cwd() */
  readonly cwd?: string;
  /** Complete environment of the child. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Receives each line (either stream, without its newline) as soon as it is complete, so a long
   * run shows progress; the last unterminated line comes at exit. @default output is only collected
   */
  readonly onLine?: (line: string) => void;
  /** Told about the child as soon as it is spawned (to forward signals to it). @default nobody */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** How many lines of a program's output an error message quotes. */
export const TAIL_LINES = 15;

/** Quotes an argument for display only. */
function displayArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line of a program and its arguments, for messages. */
export function displayCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map(displayArg).join(" ");
}

/** Splits a stream's text into complete lines; keeps the unterminated rest for the next chunk. */
class LineSplitter {
  private pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    const lines = (this.pending + text).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.onLine(line);
  }

  end(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = "";
  }
}

/**
 * Runs a program without a shell and collects its output; with `onLine`, also streams it line by
 * line. Never rejects: a failure to start, a signal or a non-zero exit are all in the result.
 */
export function runProcess(file: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const command = displayCommand(file, args);
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let output = "";
    let startError: string | undefined;
    // One splitter per stream: a partial stdout line must not be glued to a stderr chunk.
    const noLine = (): void => undefined;
    const outLines = new LineSplitter(opts.onLine ?? noLine);
    const errLines = new LineSplitter(opts.onLine ?? noLine);
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      outLines.end();
      errLines.end();
      resolve({ command, exitCode, signal, stdout, stderr, output, ...(startError !== undefined ? { startError } : {}), durationMs: Date.now() - started });
    };
    const child = spawn(file, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    opts.onSpawn?.(child);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      output += chunk;
      outLines.push(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      output += chunk;
      errLines.push(chunk);
    });
    child.on("error", (err) => {
      if (child.pid !== undefined) {
        // Started after all (e.g. a failed kill): the exit still comes through "close".
        stderr += `${err.message}\n`;
        return;
      }
      startError = err.message;
      finish(null, null);
    });
    child.on("close", (code, signal) => finish(code, signal));
  });
}

/** "exit 1", "killed by SIGTERM" or "could not start: spawn /x ENOENT", for messages. */
export function describeExit(result: Pick<ProcessResult, "exitCode" | "signal" | "startError">): string {
  if (result.startError !== undefined) return `could not start: ${result.startError}`;
  if (result.exitCode !== null) return `exit ${result.exitCode}`;
  return `killed by ${result.signal ?? "a signal"}`;
}

/** The last lines of a program's output, indented, for quoting inside an error paragraph. */
export function outputTail(output: string, lines = TAIL_LINES): string {
  const kept = output.trimEnd().split("\n").slice(-lines);
  return kept.map((l) => `    ${l}`).join("\n");
}
