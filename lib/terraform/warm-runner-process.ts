/**
 * The deploy's side of the warm runner (docs/warm-runner.md): starts `onefed runner` with its
 * request FIFO in the run directory before the engine runs, hands the FIFO and the runner's pid to
 * every step's launcher (bin/onefed-step) through the engine's environment, and stops the runner after the engine ended. The runner's
 * standard input is a pipe from this process: if the deploy dies, even by SIGKILL, the pipe closes
 * and the runner stops its steps and exits.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RUNNER_FIFO_ENV, RUNNER_PID_ENV, WARM_RUNNER_ENV } from "../model/environment";
import { RUN_FILES } from "../model/paths";
import { defaultRunner } from "../synth/runner-invocation";

/** What the runner prints when it listens (lib/cli/runner-command.ts RUNNER_READY). */
const READY = /^onefed-runner ready (\d+)$/m;

/**
 * V8's young generation, capped: the runner allocates a little per output line and packet for the
 * whole apply, and with the default semi-spaces (16 MB each on 64-bit) its heap grows to that size
 * before the first scavenge and stays there. 2 MB: docs/warm-runner.md ("Memory") has the numbers.
 */
export const RUNNER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=2"];

/** Whether the warm runner is wanted: the option when given, else ONEFED_WARM_RUNNER (0/off/false/no turn it off), else on. */
export function warmRunnerWanted(option: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (option !== undefined) return option;
  return !/^(0|off|false|no)$/i.test(env[WARM_RUNNER_ENV]?.trim() ?? "");
}

export interface WarmRunnerStart {
  /** The run directory (mode 0700): the request FIFO and the requests go there. */
  readonly runDir: string;
  /** The runner's environment (the deploy's: DB passwords, SSH agent, passphrases stay in it). */
  readonly env: NodeJS.ProcessEnv;
  /** Lines worth telling (start, unexpected end, what it printed on stderr). */
  readonly log: (line: string) => void;
  /** Seconds to wait for the runner to listen. @default 60 */
  readonly readySeconds?: number;
}

export class WarmRunnerProcess {
  /**
   * Starts the runner and resolves once it listens. A runner that cannot start is no failure of
   * the deploy: it resolves undefined (after saying why) and every step runs in its own process.
   */
  static async start(opts: WarmRunnerStart): Promise<WarmRunnerProcess | undefined> {
    let runner: WarmRunnerProcess | undefined;
    try {
      const fifoPath = path.join(opts.runDir, RUN_FILES.runnerFifo);
      const child = spawn(process.execPath, [...RUNNER_NODE_FLAGS, ...defaultRunner("").command.slice(1), "runner", "--fifo", fifoPath], {
        env: opts.env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      runner = new WarmRunnerProcess(child, fifoPath, opts.log);
      await runner.ready(opts.readySeconds ?? 60);
      opts.log(`warm runner pid ${child.pid} taking requests on ${fifoPath}`);
      return runner;
    } catch (err) {
      opts.log(`the warm runner did not start (${(err as Error).message}): every step runs in its own process`);
      await runner?.stop();
      return undefined;
    }
  }

  private exited = false;
  private stopping = false;
  private readonly ended: Promise<void>;
  private stderrTail = "";

  private constructor(
    private readonly child: ChildProcess,
    /** The request FIFO every launcher of this run writes to. */
    public readonly fifoPath: string,
    log: (line: string) => void,
  ) {
    this.ended = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exited = true;
        // Its steps failed with "the warm runner ended before the step finished"; here is why.
        if (!this.stopping)
          log(`the warm runner (pid ${child.pid}) ended unexpectedly (${signal ?? `exit ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ""}`);
        resolve();
      }),
    );
    child.stdin?.on("error", () => undefined);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-2000);
      for (const line of d.split("\n")) if (line.trim()) log(`warm runner: ${line}`);
    });
  }

  /** The variables every engine run passes on to its steps. */
  get env(): Record<string, string> {
    return { [RUNNER_FIFO_ENV]: this.fifoPath, [RUNNER_PID_ENV]: String(this.child.pid) };
  }

  /** Ends the runner (its input closes; SIGKILL after `graceSeconds`) and removes its FIFO. */
  async stop(graceSeconds = 10): Promise<void> {
    this.stopping = true;
    if (!this.exited) {
      this.child.stdin?.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceSeconds * 1000);
      await this.ended;
      clearTimeout(timer);
    }
    fs.rmSync(this.fifoPath, { force: true });
  }

  private ready(seconds: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`not listening after ${seconds} s`)), seconds * 1000);
      this.child.stdout?.setEncoding("utf8");
      this.child.stdout?.on("data", (d: string) => {
        out += d;
        if (READY.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.child.once("error", (err) => (clearTimeout(timer), reject(err)));
      void this.ended.then(() => (clearTimeout(timer), reject(new Error(`it exited${this.stderrTail ? `: ${this.stderrTail.trim()}` : ""}`))));
    });
  }
}
