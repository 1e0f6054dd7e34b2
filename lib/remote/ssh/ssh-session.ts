/**
 * One SSH connection to one front-end (ssh2): pinned host key, keepalive, no pty, TCP_NODELAY,
 * and every exec bounded by the step's deadline. Secrets (the private key) stay in this process.
 */
import * as net from "net";
import { Client, ClientChannel, SFTPWrapper } from "ssh2";
import { CommandResult } from "./command-result";
import { Deadline } from "./deadline";
import { DeadlineError, HostKeyError, SshAuthError, SshConnectError, SshTargetLabel } from "./errors";
import { fingerprint, KnownHostEntry, keyTypeOf, verifyHostKey } from "./known-hosts";

export interface SshConnectOptions {
  readonly target: SshTargetLabel;
  readonly user: string;
  /** Private key content (never logged). */
  readonly privateKey: Buffer;
  readonly knownHosts: readonly KnownHostEntry[];
  /** Only for messages. */
  readonly knownHostsPath: string;
  readonly connectTimeoutSeconds: number;
  readonly keepaliveIntervalSeconds: number;
  readonly deadline: Deadline;
}

export class SshSession {
  static async connect(opts: SshConnectOptions): Promise<SshSession> {
    const { target } = opts;
    const sock = await openSocket(target, Math.min(opts.connectTimeoutSeconds * 1000, opts.deadline.remainingMs()));
    const client = new Client();
    let hostKeyProblem: HostKeyError | undefined;
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (err: Error & { level?: string }) => {
        sock.destroy();
        if (hostKeyProblem) reject(hostKeyProblem);
        else if (err.level === "client-authentication") reject(new SshAuthError(target, opts.user, err.message));
        else reject(new SshConnectError(target, err.message));
      });
      client.connect({
        sock,
        username: opts.user,
        privateKey: opts.privateKey,
        readyTimeout: opts.connectTimeoutSeconds * 1000,
        keepaliveInterval: opts.keepaliveIntervalSeconds * 1000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const verdict = verifyHostKey(opts.knownHosts, target.host, target.port, key);
          if (!verdict.ok) hostKeyProblem = new HostKeyError(target, verdict.reason, keyTypeOf(key), fingerprint(key), opts.knownHostsPath);
          return verdict.ok;
        },
      });
    });
    return new SshSession(client, opts.target, opts.deadline);
  }

  private sftpChannel?: Promise<SFTPWrapper>;

  private constructor(
    private readonly client: Client,
    public readonly target: SshTargetLabel,
    private readonly deadline: Deadline,
  ) {}

  /**
   * Runs one command line (already quoted); resolves with its result, whatever the exit code.
   * `stdin` (e.g. a secret the command reads) is written and the channel's input closed; never logged.
   */
  exec(command: string, stdin?: string): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        reject(new DeadlineError(this.target, command, this.deadline.seconds));
      }, this.deadline.remainingMs());
      this.client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
        if (err) {
          clearTimeout(timer);
          reject(new SshConnectError(this.target, `could not open a channel: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let exitCode: number | null = null;
        let signal: string | null = null;
        stream.on("data", (d: Buffer) => out.push(d));
        stream.stderr.on("data", (d: Buffer) => errOut.push(d));
        stream.on("exit", (code: number | null, sig?: string) => {
          exitCode = typeof code === "number" ? code : null;
          signal = sig ?? null;
        });
        stream.on("close", () => {
          clearTimeout(timer);
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
        stream.end(stdin);
      });
    });
  }

  /** Copies a remote file to a local path (caller verifies sha256 on both ends: fastGet writes out of order). */
  async download(remotePath: string, localPath: string): Promise<void> {
    const sftp = await this.sftp();
    await this.bounded(`sftp get ${remotePath}`, new Promise<void>((res, rej) => sftp.fastGet(remotePath, localPath, (e) => (e ? rej(e) : res()))));
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    const sftp = await this.sftp();
    await this.bounded(
      `sftp put ${remotePath}`,
      new Promise<void>((res, rej) => sftp.fastPut(localPath, remotePath, { mode: 0o600 }, (e) => (e ? rej(e) : res()))),
    );
  }

  close(): void {
    this.client.end();
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise((res, rej) =>
      this.client.sftp((err, sftp) => (err ? rej(new SshConnectError(this.target, `sftp subsystem unavailable: ${err.message}`)) : res(sftp))),
    );
    return this.sftpChannel;
  }

  private bounded<T>(what: string, work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        reject(new DeadlineError(this.target, what, this.deadline.seconds));
      }, this.deadline.remainingMs());
      work.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e)),
      );
    });
  }
}

/** Our own socket so TCP_NODELAY is set before the handshake (ssh2 never sets it: ~88 ms per exec otherwise). */
function openSocket(target: SshTargetLabel, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SshConnectError(target, `no TCP connection within ${Math.round(timeoutMs / 1000)} s`));
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
