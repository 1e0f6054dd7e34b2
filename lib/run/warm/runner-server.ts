/**
 * The warm runner's server: reads requests from its FIFO in the run directory (owner-only), runs
 * each as one step beside the others, writes the step's console lines into the request's own
 * FIFOs, then its exit code, and closes them (protocol.ts). Steps share only the connection pool;
 * each has its own observer, outputs, ledger identity and deadline (runStep builds them per request).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { OnefedError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import { SessionPool } from "../../remote/ssh/session-pool";
import { watchClient } from "./client-watch";
import { StepRequest } from "./protocol";
import { checkRequest, modeText, REQUEST_FILES } from "./request-dir";
import { StepLease } from "./step-lease";

/** Runs one request (the step command with the runner's lease); resolves to its exit code. */
export type StepHandler = (request: StepRequest, out: (text: string) => void, err: (text: string) => void, lease: StepLease) => Promise<number>;

export interface RunnerServerProps {
  /** The request FIFO's path (made here); its directory must be this user's alone (mode 0700, as the run directory is). */
  readonly fifoPath: string;
  /** What runs a request. */
  readonly handle: StepHandler;
  /** The shared connections. @default a new pool */
  readonly pool?: SessionPool;
  /** Lines about refused requests (never their content). @default stderr */
  readonly log?: (line: string) => void;
  /** Seconds to wait for a launcher's `cat`s to open its FIFOs. @default 30 */
  readonly openSeconds?: number;
}

/** The request FIFO's directory is not this user's alone: any local user could ask the runner to run steps. */
export class RunnerDirectoryRefusal extends OnefedError {
  constructor(dir: string, found: string) {
    super(
      `the warm runner refuses to take requests in ${dir}: expected a directory owned by uid ${process.getuid?.()} with no access for group or others (mode 0700), found ${found}. ` +
        "Anyone who can write its request FIFO could make it run upgrade steps. Fix the directory's owner and mode (the run directory is created 0700), or deploy with --no-warm-runner.",
      ExitCode.Usage,
    );
  }
}

/** Refuses a request directory another user could enter (node cannot read the writer's uid: the file system is the guard). */
export function assertPrivateDirectory(dir: string): void {
  const st = fs.statSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new RunnerDirectoryRefusal(dir, "no directory");
  if (uid !== undefined && st.uid !== uid) throw new RunnerDirectoryRefusal(dir, `owner uid ${st.uid}`);
  if ((st.mode & 0o077) !== 0) throw new RunnerDirectoryRefusal(dir, `mode ${modeText(st)}`);
}

/** Node has no mkfifo: the coreutils one, once per run. */
function makeFifo(file: string): void {
  const r = spawnSync("mkfifo", ["-m", "600", file], { encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed: ${r.stderr.trim()}`);
}

/** Opens a launcher's FIFO for writing once its `cat` has it open for reading (O_NONBLOCK: no thread of the pool blocks). */
async function openWhenRead(file: string, deadline: number, cancelled: () => boolean): Promise<number> {
  for (;;) {
    try {
      return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENXIO" || cancelled() || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class RunnerServer {
  /** Taking requests once this resolves. */
  static async listen(props: RunnerServerProps): Promise<RunnerServer> {
    assertPrivateDirectory(path.dirname(props.fifoPath));
    makeFifo(props.fifoPath);
    // O_RDWR: the FIFO always has a reader (a launcher's write never blocks) and never reaches EOF.
    const fd = fs.openSync(props.fifoPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    return new RunnerServer(props, props.pool ?? new SessionPool(), new net.Socket({ fd, readable: true, writable: false }));
  }

  private readonly leases = new Set<StepLease>();
  private readonly inFlight = new Set<Promise<void>>();
  private pending = "";
  private closed = false;

  private constructor(
    private readonly props: RunnerServerProps,
    /** The connections every step shares. */
    public readonly pool: SessionPool,
    private readonly requests: net.Socket,
  ) {
    requests.setEncoding("utf8");
    requests.on("data", (chunk: string) => {
      this.pending += chunk;
      let newline: number;
      while ((newline = this.pending.indexOf("\n")) >= 0) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        if (line.trim()) this.track(this.serve(line));
      }
      if (this.pending.length > 8192) this.pending = ""; // not our protocol
    });
    requests.on("error", () => undefined);
  }

  /** Steps running now. */
  get running(): number {
    return this.leases.size;
  }

  /** Stops every running step (`reason` in their failure), waits for their answers, removes the FIFO, closes every connection. */
  async close(reason: string): Promise<void> {
    this.closed = true;
    this.requests.destroy();
    fs.rmSync(this.props.fifoPath, { force: true });
    for (const lease of this.leases) lease.stop(reason);
    await Promise.all([...this.inFlight]);
    await this.pool.close();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private log(line: string): void {
    (this.props.log ?? ((l) => process.stderr.write(`${l}\n`)))(line);
  }

  private async serve(line: string): Promise<void> {
    const checked = checkRequest(path.dirname(this.props.fifoPath), line);
    if (!("request" in checked)) {
      this.log(`onefed runner: a request was refused: ${checked.reason}`);
      if (checked.answerable) await this.answer(checked.answerable, undefined, checked.reason);
      return;
    }
    await this.answer(checked, checked.request);
  }

  /** Opens the request's FIFOs, runs it (or tells the refusal), writes the exit code, closes the FIFOs. */
  private async answer(target: { dir: string; outPath: string; errPath: string }, request: StepRequest | undefined, refusal?: string): Promise<void> {
    const lease = new StepLease(this.pool);
    let gone: string | undefined;
    const streams: net.Socket[] = [];
    const destroyAll = () => streams.forEach((s) => s.destroy());
    const stopWatching = request ? watchClient(request.pid, request.parentPid, (why) => ((gone ??= why), lease.stop(why), destroyAll())) : () => undefined;
    try {
      const deadline = Date.now() + (this.props.openSeconds ?? 30) * 1000;
      const cancelled = () => gone !== undefined || this.closed;
      for (const file of [target.outPath, target.errPath]) {
        const s = new net.Socket({ fd: await openWhenRead(file, deadline, cancelled), readable: false, writable: true });
        // EPIPE: its cat is gone, so is whoever read it.
        s.on("error", () => ((gone ??= "its output is no longer read"), lease.stop(gone), destroyAll()));
        streams.push(s);
      }
      fs.writeFileSync(path.join(target.dir, REQUEST_FILES.open), "");
      const [out, err] = streams;
      const write = (s: net.Socket) => (text: string) => {
        if (!s.destroyed && s.writable) s.write(`${text}\n`);
      };
      let code: number;
      if (request) {
        this.leases.add(lease);
        if (this.closed) lease.stop("the warm runner is stopping");
        code = await this.props
          .handle(request, write(out), write(err), lease)
          .catch(() => ExitCode.Failed)
          .finally(() => this.leases.delete(lease));
      } else {
        write(err)(`onefed step: the warm runner refused the request: ${refusal}`);
        code = ExitCode.Usage;
      }
      if (gone === undefined) {
        const codeFile = path.join(target.dir, REQUEST_FILES.code);
        fs.writeFileSync(`${codeFile}.tmp`, `${code}\n`);
        fs.renameSync(`${codeFile}.tmp`, codeFile);
      }
      // The launcher reads the code once both FIFOs ended: every line is out before that.
      await Promise.all(streams.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : (s.once("close", () => resolve()), s.end())))));
    } catch {
      // A launcher that never opened its FIFOs, or went away meanwhile: nothing to answer.
    } finally {
      stopWatching();
      destroyAll();
      // The launcher removes its directory; one that is gone cannot.
      if (gone !== undefined) fs.rmSync(target.dir, { recursive: true, force: true });
    }
  }
}
