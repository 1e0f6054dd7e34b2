/**
 * The host-key half of one ssh2 connection: offer only the algorithms of the key types pinned for
 * the host, verify the key presented, and after a failed handshake say why in terms of known_hosts.
 * When the front-end has no key of a pinned type, ssh2 fails ("no matching host key format")
 * before any key is seen; a second handshake offering every type, refused at the host key and
 * never authenticated, shows what it presents so the refusal can name both types.
 */
import type { Duplex } from "stream";
import { Client, ConnectConfig } from "ssh2";
import { HostKeyError, SshTargetLabel } from "./errors";
import { HostKeyPolicy, HostKeyRefusalReason } from "./host-key-policy";
import { KnownHostEntry } from "./known-hosts";

/** ssh2's message when client and server share no host-key algorithm. */
const NO_COMMON_HOST_KEY_TYPE = /no matching host key/i;

export class HostKeyCheck {
  private readonly policy: HostKeyPolicy;
  private refused?: HostKeyError;

  constructor(
    private readonly target: SshTargetLabel,
    knownHosts: readonly KnownHostEntry[],
    /** Only for messages. */
    private readonly knownHostsPath: string,
  ) {
    this.policy = HostKeyPolicy.for(knownHosts, target.host, target.port);
  }

  /** The host-key part of ssh2's connect config (spread into it). */
  connectConfig(): Pick<ConnectConfig, "algorithms" | "hostVerifier"> {
    const serverHostKey = this.policy.serverHostKeyAlgorithms;
    return {
      ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
      hostVerifier: (key: Buffer) => {
        const verdict = this.policy.verify(key);
        if (!verdict.ok) this.refused = this.refusal(verdict.reason, key);
        return verdict.ok;
      },
    };
  }

  /**
   * The refusal behind a failed handshake when the host key caused it, else undefined. `reopen`
   * gives a new stream to the same sshd, used only when the front-end offered no pinned type.
   */
  async refusalAfter(err: Error, reopen: () => Promise<Duplex>, timeoutMs: number): Promise<HostKeyError | undefined> {
    if (this.refused) return this.refused;
    if (!NO_COMMON_HOST_KEY_TYPE.test(err.message) || !this.policy.serverHostKeyAlgorithms) return undefined;
    const presented = await presentedHostKey(reopen, timeoutMs);
    if (!presented) return this.refusal("other-type");
    const verdict = this.policy.verify(presented);
    // A pinned key on the second try means the front-end changed in between: report the first failure as it was.
    return verdict.ok ? undefined : this.refusal(verdict.reason, presented);
  }

  private refusal(reason: HostKeyRefusalReason, presented?: Buffer): HostKeyError {
    return new HostKeyError(this.target, { reason, policy: this.policy, presented, knownHostsPath: this.knownHostsPath });
  }
}

/** The host key an sshd presents when every type ssh2 knows is offered; undefined when none was seen in time. */
async function presentedHostKey(reopen: () => Promise<Duplex>, timeoutMs: number): Promise<Buffer | undefined> {
  let sock: Duplex;
  try {
    sock = await reopen();
  } catch {
    return undefined;
  }
  return new Promise((resolve) => {
    const client = new Client();
    let presented: Buffer | undefined;
    const done = (): void => {
      client.end();
      sock.destroy();
      resolve(presented);
    };
    // The verifier refuses, so the handshake ends in "error" (or "close"); "ready" cannot come.
    client.once("error", done);
    client.once("close", done);
    client.connect({
      sock,
      username: "host-key-probe",
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        presented = key;
        return false;
      },
    });
  });
}
