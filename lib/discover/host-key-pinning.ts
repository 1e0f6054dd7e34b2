/**
 * Which host keys discover trusts: a key an existing known_hosts entry pins, or, only with
 * `--accept-new-host-key`, a key no entry knows yet (shown as its SHA256 fingerprint). A key that
 * differs from a pinned one, or a revoked one, is refused whatever the flag says, as ssh's
 * `StrictHostKeyChecking accept-new` does. Every key used is kept for the known_hosts written.
 */
import type { ServerHostKeyAlgorithm } from "ssh2";
import { HostKeyError, SshTargetLabel } from "../remote/ssh/errors";
import { HostKeyPolicy } from "../remote/ssh/host-key-policy";
import { ScannedHostKey, knownHostsLine } from "../remote/ssh/host-key-scan";
import { KnownHostEntry, knownHostsName } from "../remote/ssh/known-hosts";
import { DiscoverError } from "./discover-error";

export interface PinnedKey {
  readonly host: string;
  readonly port: number;
  readonly hostKey: Pick<ScannedHostKey, "keyType" | "key" | "fingerprint">;
  /** Accepted in this run (no entry knew it). */
  readonly accepted: boolean;
}

export class HostKeyPinning {
  private readonly keys = new Map<string, PinnedKey>();

  constructor(
    private readonly known: readonly KnownHostEntry[],
    private readonly acceptNew: boolean,
    /** The `--known-hosts` file, for messages. @default none given */
    private readonly knownHostsPath: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** What to offer when scanning `target`: the pinned types, so that a machine with several keys shows the pinned one. @default none (ssh2's) */
  algorithmsFor(target: SshTargetLabel): ServerHostKeyAlgorithm[] | undefined {
    return HostKeyPolicy.for(this.known, target.host, target.port).serverHostKeyAlgorithms;
  }

  /** The entry to connect with, once the presented key is trusted; throws when it is not. */
  pin(target: SshTargetLabel, label: string, hostKey: ScannedHostKey): KnownHostEntry {
    const policy = HostKeyPolicy.for(this.known, target.host, target.port);
    const verdict = policy.verify(hostKey.key);
    // Only a host no line names may be accepted; a changed, other-type or revoked key never is.
    if (!verdict.ok && verdict.reason !== "unknown") {
      throw new HostKeyError(target, { reason: verdict.reason, policy, presented: hostKey.key, knownHostsPath: this.knownHostsPath ?? "--known-hosts" });
    }
    const accepted = !verdict.ok;
    if (accepted && !this.acceptNew) {
      const where = this.knownHostsPath ? `no entry of ${this.knownHostsPath} pins it` : "no known_hosts file was given (--known-hosts)";
      throw new DiscoverError(
        `discover: ${label} ${target.host}:${target.port} presented ${hostKey.keyType} host key ${hostKey.fingerprint}, and ${where}. ` +
          `Compare the fingerprint with the one on the machine's console (ssh-keygen -lf /etc/ssh/ssh_host_${hostKey.keyType.replace(/^ssh-/, "")}_key.pub), ` +
          `then run discover again with --accept-new-host-key, or add the key to the file given with --known-hosts. No command was run there.`,
      );
    }
    const key = `${target.host}:${target.port}`;
    if (!this.keys.has(key)) {
      this.keys.set(key, { host: target.host, port: target.port, hostKey, accepted });
      if (accepted) this.log(`accepted the new host key of ${label} ${knownHostsName(target.host, target.port)}: ${hostKey.keyType} ${hostKey.fingerprint}`);
    }
    return { line: 0, patterns: [knownHostsName(target.host, target.port)], keyType: hostKey.keyType, key: hostKey.key, revoked: false, certAuthority: false };
  }

  /** Every key discover connected with, in the order first seen. */
  pinned(): PinnedKey[] {
    return [...this.keys.values()];
  }

  /** The known_hosts file discover writes: one line per front-end it reached. */
  renderKnownHosts(): string {
    return this.pinned()
      .map((p) => knownHostsLine(p.host, p.port, p.hostKey) + "\n")
      .join("");
  }
}
