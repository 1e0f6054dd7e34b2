/**
 * The warm runner's server: listens on a unix socket in the run directory (owner-only), runs each
 * request as one step beside the others, streams the step's console lines back to its client and
 * ends with its exit code. Steps share only the connection pool; each has its own observer,
 * outputs, ledger identity and deadline (runStep builds them per request).
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { OnefedError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import { SessionPool } from "../../remote/ssh/session-pool";
import { asStepRequest, frame, MessageReader, RunnerMessage, StepRequest } from "./protocol";
import { StepLease } from "./step-lease";

/** Runs one request (the step command with the runner's lease); resolves to its exit code. */
export type StepHandler = (request: StepRequest, out: (text: string) => void, err: (text: string) => void, lease: StepLease) => Promise<number>;

export interface RunnerServerProps {
  /** The socket's path; its directory must be this user's alone (mode 0700, as the run directory is). */
  readonly socketPath: string;
  /** What runs a request. */
  readonly handle: StepHandler;
  /** The shared connections. @default a new pool */
  readonly pool?: SessionPool;
}

/** The socket's directory is not this user's alone: any local user could ask the runner to run steps. */
export class RunnerSocketRefusal extends OnefedError {
  constructor(dir: string, found: string) {
    super(
      `the warm runner refuses to listen in ${dir}: expected a directory owned by uid ${process.getuid?.()} with no access for group or others (mode 0700), found ${found}. ` +
        "Anyone who can connect to its socket could make it run upgrade steps. Fix the directory's owner and mode (the run directory is created 0700), or deploy with --no-warm-runner.",
      ExitCode.Usage,
    );
  }
}

/** Refuses a socket directory another user could enter (node cannot read a unix peer's uid: the file system is the guard). */
export function assertPrivateDirectory(dir: string): void {
  const st = fs.statSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new RunnerSocketRefusal(dir, "no directory");
  if (uid !== undefined && st.uid !== uid) throw new RunnerSocketRefusal(dir, `owner uid ${st.uid}`);
  if ((st.mode & 0o077) !== 0) throw new RunnerSocketRefusal(dir, `mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}`);
}

export class RunnerServer {
  /** Listening (socket mode 0600) once this resolves. */
  static async listen(props: RunnerServerProps): Promise<RunnerServer> {
    assertPrivateDirectory(path.dirname(props.socketPath));
    const runner = new RunnerServer(props, props.pool ?? new SessionPool());
    await new Promise<void>((resolve, reject) => {
      runner.server.once("error", reject);
      runner.server.listen(props.socketPath, () => resolve());
    });
    fs.chmodSync(props.socketPath, 0o600);
    return runner;
  }

  private readonly leases = new Set<StepLease>();
  private readonly server: net.Server;

  private constructor(
    private readonly props: RunnerServerProps,
    /** The connections every step shares. */
    public readonly pool: SessionPool,
  ) {
    this.server = net.createServer((socket) => this.serve(socket));
  }

  /** Steps running now. */
  get running(): number {
    return this.leases.size;
  }

  /** Stops every running step (`reason` in their failure), closes the socket and every connection. */
  async close(reason: string): Promise<void> {
    for (const lease of this.leases) lease.stop(reason);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.pool.close();
    fs.rmSync(this.props.socketPath, { force: true });
  }

  private serve(socket: net.Socket): void {
    let request: StepRequest | undefined;
    let finished = false;
    const lease = new StepLease(this.pool);
    const send = (message: RunnerMessage) => {
      if (socket.destroyed || !socket.writable) return;
      // The lines of one turn of the event loop (a chunk of output, a command's end and the step's
      // next line) leave in one write instead of one system call each; end() flushes what is held.
      if (!socket.writableCorked) {
        socket.cork();
        setImmediate(() => socket.uncork());
      }
      socket.write(frame(message));
    };
    const reader = new MessageReader((message) => {
      if (request) return; // one request per connection; anything after it is ignored
      const parsed = asStepRequest(message);
      if (typeof parsed === "string") {
        send({ kind: "err", text: `onefed step: the warm runner refused the request: ${parsed}` });
        send({ kind: "exit", code: ExitCode.Usage });
        socket.end();
        return;
      }
      request = parsed;
      this.leases.add(lease);
      void this.props
        .handle(
          parsed,
          (text) => send({ kind: "out", text }),
          (text) => send({ kind: "err", text }),
          lease,
        )
        .catch(() => ExitCode.Failed)
        .then((code) => {
          finished = true;
          this.leases.delete(lease);
          send({ kind: "exit", code });
          socket.end();
        });
    });
    socket.on("data", (chunk) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy(); // not our protocol
      }
    });
    // The client gone before the step's end: terraform stopped it or was killed. Stop the step as a
    // killed step process stops: nothing more is done, nothing is recorded.
    socket.on("close", () => {
      if (request && !finished) lease.stop(`its \`onefed step\` (pid ${request.pid}) went away: terraform stopped or was killed`);
    });
    socket.on("error", () => undefined);
  }
}
