/**
 * One SSH connection to one front-end (ssh2): pinned host key, keepalive, no pty, TCP_NODELAY,
 * and every exec bounded by the step's deadline. Secrets (the private key) stay in this process.
 *
 * A step process owns its sessions. The warm runner shares one session per machine between the
 * steps it runs at once: each passes its ExecScope (its deadline, its channels, its stop), and the
 * session opens at most `maxChannels` channels at a time, queueing the rest (sshd's MaxSessions).
 */
import * as net from "net";
import { Duplex } from "stream";
import { AnyAuthMethod, Client, ClientChannel, SFTPWrapper } from "ssh2";
import { ClientCredentials } from "./client-credentials";
import { CommandResult, OutputLineListener } from "./command-result";
import { Deadline } from "./deadline";
import { LineSplitter } from "./line-splitter";
import { ExecScope, StepStoppedError } from "./exec-scope";
import { ChannelSlots } from "./channel-slots";
import { DeadlineError, SshAuthError, SshConnectError, SshSessionError, SshTargetLabel } from "./errors";
import { HostKeyCheck } from "./host-key-check";
import { SshJumpError } from "./jump-error";
import { KnownHostEntry } from "./known-hosts";

export interface SshConnectOptions {
  readonly target: SshTargetLabel;
  /** User, agent and decrypted key (never logged). */
  readonly credentials: ClientCredentials;
  readonly knownHosts: readonly KnownHostEntry[];
  /** Only for messages. */
  readonly knownHostsPath: string;
  readonly connectTimeoutSeconds: number;
  readonly keepaliveIntervalSeconds: number;
  readonly deadline: Deadline;
  /**
   * A jump host already logged in to, whose TCP forwarding carries this connection (ProxyJump);
   * this session owns it and closes it on close(). @default a direct TCP connection
   */
  readonly via?: SshSession;
  /**
   * Channels (commands, the SFTP subsystem) open at once; more wait for a free one. sshd refuses
   * a session beyond its MaxSessions (10 by default): 8 leaves room for a jump host's forwarding
   * and a margin. @default 8
   */
  readonly maxChannels?: number;
}

/** Channels open at once on one connection unless told otherwise (SshConnectOptions.maxChannels). */
export const DEFAULT_MAX_CHANNELS = 8;

/**
 * Waits before another try after a connect timeout: nothing ran yet, so trying again is always
 * safe, and on a loaded automation host (many steps starting at once on few cores) the handshake
 * of a starved process may simply have missed the timeout (docs/round-trips.md, "Safe under load").
 */
export const CONNECT_RETRY_BACKOFF_MS: readonly number[] = [1000, 3000];

export class SshSession {
  /** Connects; after a connect timeout, tries again after each CONNECT_RETRY_BACKOFF_MS wait while the step's deadline allows. */
  static async connect(opts: SshConnectOptions): Promise<SshSession> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await SshSession.connectOnce(opts);
      } catch (err) {
        const wait = CONNECT_RETRY_BACKOFF_MS[attempt];
        // Over a jump host the forwarding's session is closed with the failure: no second try on it.
        const again = err instanceof SshConnectError && err.timedOut && wait !== undefined && !opts.via;
        if (!again || opts.deadline.remainingMs() < wait + opts.connectTimeoutSeconds * 1000) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private static async connectOnce(opts: SshConnectOptions): Promise<SshSession> {
    const { target, credentials, via } = opts;
    const connectMs = (): number => Math.min(opts.connectTimeoutSeconds * 1000, opts.deadline.remainingMs());
    // Directly, or over the jump host's forwarding (also for the host-key probe after a refusal).
    const open = (): Promise<Duplex> => (via ? via.forwardTo(target, connectMs()) : openSocket(target, connectMs()));
    const sock = await open().catch((err: unknown) => {
      via?.close();
      throw err;
    });
    const client = new Client();
    const hostKeys = new HostKeyCheck(target, opts.knownHosts, opts.knownHostsPath);
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (err: Error & { level?: string }) => {
        // Destroying the socket after a handshake timeout makes ssh2 emit "Connection lost" too: no crash for it.
        client.on("error", () => undefined);
        sock.destroy();
        void hostKeys.refusalAfter(err, open, connectMs()).then((hostKeyProblem) => {
          via?.close();
          if (hostKeyProblem) reject(hostKeyProblem);
          else if (err.level === "client-authentication") reject(new SshAuthError(target, credentials.user, err.message, credentials.offered));
          else reject(new SshConnectError(target, err.message, err.level === "client-timeout"));
        });
      });
      client.connect({
        sock,
        username: credentials.user,
        authHandler: authMethods(credentials),
        readyTimeout: opts.connectTimeoutSeconds * 1000,
        keepaliveInterval: opts.keepaliveIntervalSeconds * 1000,
        keepaliveCountMax: 3,
        // Only the host-key algorithms of the types pinned for this host, and the verifier.
        ...hostKeys.connectConfig(),
      });
    });
    return new SshSession(client, opts.target, opts.deadline, via, new ChannelSlots(opts.maxChannels ?? DEFAULT_MAX_CHANNELS));
  }

  private sftpChannel?: Promise<SFTPWrapper>;
  /** Commands and copies started on this connection: after the first, a failure can no longer say nothing was done. */
  private started = 0;
  /** Why the connection failed after the login, when it did (ssh2 reports it once, on the client). */
  private lostBecause?: string;
  private closed = false;

  private constructor(
    private readonly client: Client,
    public readonly target: SshTargetLabel,
    private readonly deadline: Deadline,
    private readonly via?: SshSession,
    private readonly slots = new ChannelSlots(DEFAULT_MAX_CHANNELS),
  ) {
    // Without a listener a late error (a reset link) would crash the process with ssh2's stack.
    client.on("error", (err: Error) => (this.lostBecause ??= err.message));
    // A dead link (keepalive unanswered, reset, closed by us): a pool opens a new connection.
    client.on("close", () => (this.closed = true));
  }

  /** Whether the connection still stands (not closed, not lost). */
  get alive(): boolean {
    return !this.closed && this.lostBecause === undefined && (this.via?.alive ?? true);
  }

  /**
   * Runs one command line (already quoted); resolves with its result, whatever the exit code.
   * `stdin` (e.g. a secret the command reads) is written and the channel's input closed; never logged.
   * `onLine` receives each complete output line as it arrives (the result still holds all of it).
   */
  exec(command: string, stdin?: string, onLine?: OutputLineListener, scope?: ExecScope): Promise<CommandResult> {
    const started = Date.now();
    const deadline = scope?.deadline ?? this.deadline;
    return new Promise((resolve, reject) => {
      if (scope?.stopped !== undefined) return reject(new StepStoppedError(this.target, command, scope.stopped));
      let channel: ClientChannel | undefined;
      let settled = false;
      let requested = false;
      let untrack = (): unknown => undefined;
      let release = (): void => undefined;
      const fail = (err: Error) => {
        settled = true;
        clearTimeout(timer);
        untrack();
        // An open channel (or one being opened) keeps its slot until it is closed: sshd still counts it.
        if (!channel && !requested) release();
        reject(err);
      };
      // A shared connection outlives one step's deadline: only that step's channel is closed.
      const timer = setTimeout(() => {
        if (scope) channel?.close();
        else this.client.destroy();
        fail(new DeadlineError(this.target, command, deadline.seconds));
      }, deadline.remainingMs());
      if (scope)
        untrack = scope.track((reason) => {
          channel?.close();
          fail(new StepStoppedError(this.target, command, reason));
        });
      const onChannel = (err: Error | undefined, stream: ClientChannel) => {
        if (err) {
          release();
          fail(this.lost(`could not open a channel (${err.message})`, scope));
          return;
        }
        channel = stream;
        this.count(scope);
        // Stopped or out of time while the channel opened: the command started; close its channel at once.
        if (settled) stream.close();
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let exitCode: number | null = null;
        let signal: string | null = null;
        // One splitter per stream: a partial stdout line is never glued to a stderr chunk.
        const outLines = onLine && new LineSplitter((l) => onLine("stdout", l));
        const errLines = onLine && new LineSplitter((l) => onLine("stderr", l));
        stream.on("data", (d: Buffer) => (out.push(d), outLines?.push(d)));
        stream.stderr.on("data", (d: Buffer) => (errOut.push(d), errLines?.push(d)));
        stream.on("exit", (code: number | null, sig?: string) => {
          exitCode = typeof code === "number" ? code : null;
          signal = sig ?? null;
        });
        stream.on("close", () => {
          clearTimeout(timer);
          untrack();
          release();
          outLines?.end();
          errLines?.end();
          resolve({
            host: `${this.target.host}:${this.target.port}`,
            command,
            exitCode,
            signal,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(errOut).toString("utf8"),
            durationMs: Date.now() - started,
          });
        });
        if (!settled) stream.end(stdin);
      };
      void this.slots.acquire().then((free) => {
        release = free;
        // Stopped or out of time while it waited for a channel: give the slot back at once.
        if (settled) return release();
        try {
          requested = true;
          this.client.exec(command, onChannel);
        } catch (err) {
          // ssh2 throws "Not connected" at once when the link is already gone.
          requested = false;
          fail(this.lost(`could not open a channel (${(err as Error).message})`, scope));
        }
      });
    });
  }

  /** Copies a remote file to a local path (caller verifies sha256 on both ends: fastGet writes out of order). */
  async download(remotePath: string, localPath: string, scope?: ExecScope): Promise<void> {
    const what = `sftp get ${remotePath}`;
    if (scope?.stopped !== undefined) throw new StepStoppedError(this.target, what, scope.stopped);
    const sftp = await this.sftp(scope);
    this.count(scope);
    await this.bounded(what, new Promise<void>((res, rej) => sftp.fastGet(remotePath, localPath, (e) => (e ? rej(e) : res()))), scope);
  }

  async upload(localPath: string, remotePath: string, scope?: ExecScope): Promise<void> {
    const what = `sftp put ${remotePath}`;
    if (scope?.stopped !== undefined) throw new StepStoppedError(this.target, what, scope.stopped);
    const sftp = await this.sftp(scope);
    this.count(scope);
    await this.bounded(what, new Promise<void>((res, rej) => sftp.fastPut(localPath, remotePath, { mode: 0o600 }, (e) => (e ? rej(e) : res()))), scope);
  }

  close(): void {
    this.closed = true;
    this.client.end();
    this.via?.close();
  }

  /**
   * A TCP channel from this machine (a jump host) to the next one, to carry that machine's SSH
   * connection; refused or silent within `timeoutMs`, it fails naming this hop and the next machine.
   */
  forwardTo(next: SshTargetLabel, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SshJumpError(this.target, next, `no channel within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      const done = (err: Error | undefined, channel?: ClientChannel) => {
        clearTimeout(timer);
        if (err) reject(new SshJumpError(this.target, next, this.lostBecause ? `${err.message}; the connection had failed: ${this.lostBecause}` : err.message));
        else resolve(channel!);
      };
      try {
        // The originator address is only informative to the jump host's sshd (it logs it).
        this.client.forwardOut("127.0.0.1", 0, next.host, next.port, done);
      } catch (err) {
        done(err as Error);
      }
    });
  }

  /** The one SFTP channel of this connection, opened on first use; it holds one channel slot for good. */
  private sftp(scope?: ExecScope): Promise<SFTPWrapper> {
    this.sftpChannel ??= this.slots.acquire().then(
      () =>
        new Promise((res, rej) => {
          const failed = (err: Error) => {
            this.sftpChannel = undefined;
            rej(this.lost(`the SFTP subsystem could not be opened (${err.message})`, scope));
          };
          try {
            this.client.sftp((err, sftp) => (err ? failed(err) : res(sftp)));
          } catch (err) {
            failed(err as Error);
          }
        }),
    );
    return this.sftpChannel;
  }

  private count(scope?: ExecScope): void {
    this.started++;
    if (scope) scope.commandsRun++;
  }

  private lost(cause: string, scope?: ExecScope): SshSessionError {
    return new SshSessionError(
      this.target,
      this.lostBecause ? `${cause}; the connection had failed: ${this.lostBecause}` : cause,
      scope ? scope.commandsRun : this.started,
    );
  }

  /** A copy bounded by the deadline (a shared connection is left standing: the copy's caller is failed) and by the step's stop. */
  private bounded<T>(what: string, work: Promise<T>, scope?: ExecScope): Promise<T> {
    const deadline = scope?.deadline ?? this.deadline;
    return new Promise<T>((resolve, reject) => {
      const untrack = scope?.track((reason) => settle(() => reject(new StepStoppedError(this.target, what, reason)))) ?? (() => undefined);
      const settle = (then: () => void) => {
        clearTimeout(timer);
        untrack();
        then();
      };
      const timer = setTimeout(() => {
        if (!scope) this.client.destroy();
        settle(() => reject(new DeadlineError(this.target, what, deadline.seconds)));
      }, deadline.remainingMs());
      work.then(
        (v) => settle(() => resolve(v)),
        (e) => settle(() => reject(e)),
      );
    });
  }
}

/** Agent keys first, then the key file: the order OpenSSH tries them in. */
export function authMethods(credentials: ClientCredentials): AnyAuthMethod[] {
  const username = credentials.user;
  return [
    ...(credentials.agentSocket ? [{ type: "agent" as const, username, agent: credentials.agentSocket }] : []),
    ...(credentials.privateKey ? [{ type: "publickey" as const, username, key: credentials.privateKey }] : []),
  ];
}

/** Our own socket so TCP_NODELAY is set before the handshake (ssh2 never sets it: ~88 ms per exec otherwise). */
function openSocket(target: SshTargetLabel, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SshConnectError(target, `no TCP connection within ${Math.round(timeoutMs / 1000)} s`, true));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SshConnectError(target, err.code ?? err.message));
    });
  });
}
