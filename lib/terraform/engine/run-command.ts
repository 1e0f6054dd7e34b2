import { spawn } from "node:child_process";

/** Outcome of one local command. */
export interface CommandResult {
  /** The command line, for messages. */
  readonly command: string;
  /** Exit code; null when killed by a signal or when it could not start. */
  readonly exitCode: number | null;
  /** Signal that ended it, if any. */
  readonly signal: NodeJS.Signals | null;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error; includes the spawn error when it could not start. */
  readonly stderr: string;
  /** Wall time in milliseconds. */
  readonly durationMs: number;
}

/** Options for runCommand. */
export interface RunOptions {
  /** Working directory. @default process.cwd() */
  readonly cwd?: string;
  /** Full environment of the child. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output (both streams) as it arrives, e.g. to show build progress. */
  readonly onOutput?: (chunk: string) => void;
}

/** Quotes an argument for display only (never passed to a shell). */
function displayArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs a command without a shell and collects its output. Never throws: failure is in the result. */
export function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const command = [file, ...args].map(displayArg).join(" ");
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      resolve({ command, exitCode, signal, stdout, stderr, durationMs: Date.now() - started });
    };
    const child = spawn(file, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      opts.onOutput?.(c);
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
      opts.onOutput?.(c);
    });
    child.on("error", (err) => {
      stderr += `${err.message}\n`;
      finish(null, null);
    });
    child.on("close", (code, signal) => finish(code, signal));
  });
}
