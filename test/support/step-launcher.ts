/**
 * Runs the real launcher (bin/onefed-step) under dash, as terraform's local-exec runs it, and
 * collects what it prints: the warm runner's tests drive it against a runner in this process or in
 * a child.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const LAUNCHER = path.resolve(__dirname, "../../bin/onefed-step");

export interface LauncherRun {
  readonly child: ChildProcess;
  /** What it wrote to stdout and stderr so far. */
  readonly out: () => string;
  readonly err: () => string;
  /** Its exit code (a signal: 128 + number), and the ms it took. */
  readonly done: Promise<{ code: number; ms: number }>;
}

/** `dash bin/onefed-step node onefed.js step <argv…>` with the runner's variables (and `env`) set. */
export function runLauncher(
  argv: readonly string[],
  runner: { readonly fifoPath: string; readonly pid: number } | undefined,
  env: NodeJS.ProcessEnv = {},
  command: readonly string[] = [process.execPath, path.resolve(__dirname, "../../dist/lib/cli/onefed.js")],
  launcher: string = LAUNCHER,
): LauncherRun {
  const started = Date.now();
  const child = spawn("dash", [launcher, ...command, "step", ...argv], {
    env: { PATH: process.env.PATH, ...env, ...(runner ? { ONEFED_RUNNER_FIFO: runner.fifoPath, ONEFED_RUNNER_PID: String(runner.pid) } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const done = new Promise<{ code: number; ms: number }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? 128 + (signal === "SIGKILL" ? 9 : 15), ms: Date.now() - started })),
  );
  return { child, out: () => out, err: () => err, done };
}

/** Live processes whose command line contains `needle` (leftovers of a test). */
export function processesMentioning(needle: string): string[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .flatMap((p) => {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
        if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return [];
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
        return cmd.includes(needle) ? [`${p} ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}
