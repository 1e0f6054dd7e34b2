/**
 * What known_hosts accepts for one host and port, as OpenSSH's client decides it: the lines that
 * name the host split into usable pins, revoked keys and entries onefed cannot verify; the
 * host-key algorithms to offer (only the pinned types); and the verdict on a presented key.
 */
import type { ServerHostKeyAlgorithm } from "ssh2";
import { hostKeyAlgorithmsFor, isNegotiableKeyType } from "./host-key-algorithms";
import { entriesFor, KnownHostEntry, knownHostsName, keyTypeOf } from "./known-hosts";

/**
 * - `unknown`: no line names the host;
 * - `changed`: a key of a pinned type, but not the pinned key;
 * - `other-type`: a key of a type nothing pins for the host;
 * - `revoked`: the key is on an `@revoked` line naming the host;
 * - `unusable-pins`: the host is named only by lines onefed cannot verify (`@cert-authority`, sk-*, DSA).
 */
export type HostKeyRefusalReason = "unknown" | "changed" | "other-type" | "revoked" | "unusable-pins";

export type HostKeyVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: HostKeyRefusalReason };

export class HostKeyPolicy {
  /** The policy for `host:port` from every entry of a known_hosts file. */
  static for(entries: readonly KnownHostEntry[], host: string, port: number): HostKeyPolicy {
    return new HostKeyPolicy(knownHostsName(host, port), entriesFor(entries, host, port));
  }

  /** Plain host keys pinned for the host, not revoked, of a type ssh2 can negotiate. */
  readonly pins: readonly KnownHostEntry[];
  /** Keys `@revoked` for the host: refused even when also pinned. */
  readonly revoked: readonly KnownHostEntry[];
  /** Lines naming the host that cannot verify it here: `@cert-authority` (ssh2 1.17 has no host certificates) and key types ssh2 cannot negotiate. */
  readonly unusable: readonly KnownHostEntry[];

  private constructor(
    /** The name looked up: `host`, or `[host]:port` off port 22. */
    readonly name: string,
    mine: readonly KnownHostEntry[],
  ) {
    this.revoked = mine.filter((e) => e.revoked);
    const trusted = mine.filter((e) => !e.revoked);
    this.pins = trusted.filter((e) => !e.certAuthority && isNegotiableKeyType(e.keyType));
    this.unusable = trusted.filter((e) => !this.pins.includes(e));
  }

  /** The distinct key types pinned, in file order. */
  get pinnedTypes(): string[] {
    return [...new Set(this.pins.map((e) => e.keyType))];
  }

  /**
   * ssh2's `algorithms.serverHostKey`: only what verifies a pinned key, so that a front-end that
   * also has keys of other types presents the pinned one (OpenSSH orders its offer the same way).
   * Undefined when nothing usable is pinned: then whatever the front-end presents is refused and shown.
   */
  get serverHostKeyAlgorithms(): ServerHostKeyAlgorithm[] | undefined {
    return this.pins.length > 0 ? hostKeyAlgorithmsFor(this.pinnedTypes) : undefined;
  }

  /** The verdict on the key blob the front-end presented. */
  verify(keyBlob: Buffer): HostKeyVerdict {
    if (this.revoked.some((e) => e.key.equals(keyBlob))) return { ok: false, reason: "revoked" };
    if (this.pins.some((e) => e.key.equals(keyBlob))) return { ok: true };
    if (this.pins.length === 0) return { ok: false, reason: this.unusable.length > 0 ? "unusable-pins" : "unknown" };
    const type = keyTypeOf(keyBlob);
    return { ok: false, reason: this.pinnedTypes.includes(type) ? "changed" : "other-type" };
  }
}

/** The verdict for `host:port` on a presented key blob. */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  return HostKeyPolicy.for(entries, host, port).verify(keyBlob);
}
