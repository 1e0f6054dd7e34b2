/**
 * Opens each front-end discover reaches once: scan its host key, trust it (HostKeyPinning), log in
 * with it pinned, and wrap the session in the OpenNebula adapter. Failures become one paragraph
 * that names the machine and says what to pass or fix.
 */
import { OnefedError } from "../model/errors";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { Deadline } from "../remote/ssh/deadline";
import { SshAuthError, SshTargetLabel } from "../remote/ssh/errors";
import { loadCredentials } from "../remote/ssh/client-credentials";
import { scanHostKey } from "../remote/ssh/host-key-scan";
import { SshSession } from "../remote/ssh/ssh-session";
import { DiscoverError } from "./discover-error";
import { HostKeyPinning } from "./host-key-pinning";

export interface LoginOptions {
  readonly user: string;
  /** Private key content (never logged). */
  readonly privateKey: Buffer;
  /** The key's file, for messages. */
  readonly privateKeyPath: string;
  readonly connectTimeoutSeconds: number;
  readonly keepaliveIntervalSeconds: number;
  readonly deadline: Deadline;
}

export class FrontendSessions {
  private readonly open = new Map<string, Promise<{ frontend: OpenNebulaFrontend; session?: SshSession }>>();

  constructor(
    private readonly login: LoginOptions,
    private readonly pinning: HostKeyPinning,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The front-end at host:port, opened on first use; `label` names it in errors ("the master", "zone 100 (S-EU-GE) front-end"). */
  frontend(target: SshTargetLabel, label: string): Promise<OpenNebulaFrontend> {
    const key = `${target.host}:${target.port}`;
    if (!this.open.has(key)) this.open.set(key, this.connect(target, label));
    return this.open.get(key)!.then((o) => o.frontend);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.open.values()].map((o) =>
        o.then(
          (c) => c.session?.close(),
          () => undefined,
        ),
      ),
    );
  }

  private async connect(target: SshTargetLabel, label: string): Promise<{ frontend: OpenNebulaFrontend; session: SshSession }> {
    const offered = this.pinning.algorithmsFor(target);
    let scan = await scanHostKey(target, this.login.connectTimeoutSeconds, offered);
    // No key of a pinned type: scan again offering every type, so the refusal can name what it presents.
    if (!scan.ok && offered && /no matching host key/i.test(scan.cause)) scan = await scanHostKey(target, this.login.connectTimeoutSeconds);
    if (!scan.ok) {
      const what =
        label === "the master"
          ? "Check --master (HOST[:PORT]) and that sshd answers there from this machine"
          : "discover reaches every front-end the master lists (solo zones at their ENDPOINT's host, HA zones at each SERVER_POOL endpoint's host): check that this address is reachable over SSH from here";
      throw new DiscoverError(`discover: ${label} ${target.host}:${target.port} is unreachable over SSH (${scan.cause}). ${what}; nothing was read from it.`);
    }
    const pinned = this.pinning.pin(target, label, scan.hostKey);
    let session: SshSession;
    try {
      session = await SshSession.connect({
        target,
        // discover logs in with --user and --key only (no agent, no passphrase): as before ssh.agent existed.
        credentials: loadCredentials({ user: this.login.user, privateKeyPath: this.login.privateKeyPath, agent: "off" }, "discover --key"),
        knownHosts: [pinned],
        knownHostsPath: "the key discover was shown",
        connectTimeoutSeconds: this.login.connectTimeoutSeconds,
        keepaliveIntervalSeconds: this.login.keepaliveIntervalSeconds,
        deadline: this.login.deadline,
      });
    } catch (err) {
      if (err instanceof SshAuthError) {
        throw new DiscoverError(
          `discover: ${label} ${target.host}:${target.port} refused the login of user ${this.login.user} with the key ${this.login.privateKeyPath}. ` +
            `Pass the login user with --user and its private key with --key (its public key must be in that user's authorized_keys there); nothing was read from it.`,
        );
      }
      if (err instanceof OnefedError) throw new DiscoverError(`discover: ${label}: ${err.message}`);
      throw err;
    }
    // The package manager given here is not used by discover's reads: it is what they find out.
    return { session, frontend: new OpenNebulaFrontend(session, target, "apt", this.log) };
  }
}
