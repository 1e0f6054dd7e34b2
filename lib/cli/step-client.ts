/**
 * `onefed step` as the warm runner's thin client (ONEFED_RUNNER_SOCKET set, docs/warm-runner.md):
 * sends its arguments to the runner, writes the step's lines to its stdout and stderr as they come
 * and exits with the step's exit code. It loads no federation file, no ssh2 and no cdktf: this is
 * what each resource's local-exec starts, once per step.
 */
import * as fs from "fs";
import * as net from "net";
import { ExitCode } from "../model/exit-codes";
import { watchForOrphaning } from "../run/orphan-watch";
import { asRunnerMessage, FORWARDED_ENV, frame, MessageReader, WARM_PROTOCOL_VERSION } from "../run/warm/protocol";

export interface StepClientIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const PROCESS_IO: StepClientIo = { stdout: (l) => process.stdout.write(`${l}\n`), stderr: (l) => process.stderr.write(`${l}\n`) };

/** "[upgrade zone 100]" from the arguments, for the client's own messages (it has no federation file). */
function label(argv: readonly string[]): string {
  const zone = argv.findIndex((a) => a === "--zone");
  const z = zone >= 0 ? argv[zone + 1] : argv.find((a) => a.startsWith("--zone="))?.slice(7);
  return `[${argv[0] ?? "step"}${z !== undefined ? ` zone ${z}` : ""}]`;
}

/** Only a socket of this user's is spoken to: another user's could collect the run's identity. */
function socketProblem(socketPath: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch (err) {
    return `it is not there (${(err as NodeJS.ErrnoException).code})`;
  }
  if (!st.isSocket()) return "it is not a socket";
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  return undefined;
}

/** Runs `onefed step <argv>` through the runner at `socketPath`; resolves to the step's exit code. */
export function runThroughRunner(
  argv: readonly string[],
  socketPath: string,
  io: StepClientIo = PROCESS_IO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const who = label(argv);
  const gone = (what: string) =>
    `${who} failed: the warm runner ${what}, so the step's outcome is unknown here. It is not recorded complete unless the federation's ledger says so: ` +
    `run the deploy again; it resumes from the ledger (steps recorded complete do not run again). The deploy's output says why the runner ended.`;
  const problem = socketProblem(socketPath);
  if (problem) {
    io.stderr(
      `${who} failed: the warm runner's socket ${socketPath} cannot be used: ${problem}. Nothing was done for this step; run the deploy again (or with --no-warm-runner).`,
    );
    return Promise.resolve(ExitCode.Failed);
  }
  return new Promise((resolve) => {
    let code: number | undefined;
    const socket = net.connect(socketPath);
    const reader = new MessageReader((value) => {
      const m = asRunnerMessage(value);
      if (!m) return;
      if (m.kind === "exit") code = m.code;
      else (m.kind === "out" ? io.stdout : io.stderr)(m.text);
    });
    socket.on("connect", () => {
      const forwarded = Object.fromEntries(FORWARDED_ENV.flatMap((k) => (env[k] !== undefined ? [[k, env[k]!]] : [])));
      socket.write(frame({ v: WARM_PROTOCOL_VERSION, kind: "step", argv, env: forwarded, pid: process.pid }));
    });
    socket.on("data", (chunk) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy(new Error("a message that is not the runner protocol"));
      }
    });
    let failure: string | undefined;
    socket.on("error", (err: NodeJS.ErrnoException) => (failure = err.code ?? err.message));
    socket.on("close", () => {
      if (code !== undefined) return resolve(code);
      io.stderr(
        gone(
          failure && !reader.partial && socket.bytesWritten === 0
            ? `at ${socketPath} did not answer (${failure}): it is no longer running`
            : `ended before the step finished (the connection closed without a result${failure ? `: ${failure}` : ""})`,
        ),
      );
      resolve(ExitCode.Failed);
    });
  });
}

/** The thin client's main: what `onefed step` does when ONEFED_RUNNER_SOCKET is set. */
export async function stepClientMain(argv: readonly string[], socketPath: string): Promise<number> {
  // Terraform gone (killed, or stopping after SIGINT): this client exits, its socket closes and the
  // runner stops the step, as a killed step process stops.
  const stopWatching = watchForOrphaning((why) => {
    try {
      process.stderr.write(`${label(argv)} stopped: ${why}; nothing more is done and this step is not recorded complete. The next deploy runs it again.\n`);
    } finally {
      process.exit(ExitCode.Failed);
    }
  });
  try {
    return await runThroughRunner(argv, socketPath);
  } finally {
    stopWatching();
  }
}
