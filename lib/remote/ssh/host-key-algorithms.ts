/**
 * Which host-key algorithms verify a pinned key of each type, in ssh2's order of preference (the
 * same as OpenSSH's). An RSA key signs with rsa-sha2-512, rsa-sha2-256 or the legacy SHA-1 ssh-rsa.
 * Key types missing here cannot be negotiated by ssh2 1.17 (host certificates
 * `*-cert-v01@openssh.com`, security-key types `sk-*`) or are no longer accepted by OpenSSH (ssh-dss).
 */
import type { ServerHostKeyAlgorithm } from "ssh2";

const ALGORITHMS_BY_KEY_TYPE: ReadonlyArray<readonly [string, readonly ServerHostKeyAlgorithm[]]> = [
  ["ssh-ed25519", ["ssh-ed25519"]],
  ["ecdsa-sha2-nistp256", ["ecdsa-sha2-nistp256"]],
  ["ecdsa-sha2-nistp384", ["ecdsa-sha2-nistp384"]],
  ["ecdsa-sha2-nistp521", ["ecdsa-sha2-nistp521"]],
  ["ssh-rsa", ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]],
];

/** Whether a pinned key of this type can be verified (ssh2 can negotiate an algorithm for it). */
export function isNegotiableKeyType(keyType: string): boolean {
  return ALGORITHMS_BY_KEY_TYPE.some(([type]) => type === keyType);
}

/** The algorithms to offer for these pinned key types, in order of preference; unknown types add nothing. */
export function hostKeyAlgorithmsFor(keyTypes: Iterable<string>): ServerHostKeyAlgorithm[] {
  const wanted = new Set(keyTypes);
  return ALGORITHMS_BY_KEY_TYPE.filter(([type]) => wanted.has(type)).flatMap(([, algorithms]) => algorithms);
}
