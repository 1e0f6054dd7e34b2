/**
 * Why a front-end's host key was refused, in words: what known_hosts expects for the host, what
 * the front-end presented (type and SHA256 fingerprint), and what the operator does next.
 */
import { HostKeyPolicy, HostKeyRefusalReason } from "./host-key-policy";
import { fingerprint, KnownHostEntry, keyTypeOf } from "./known-hosts";

export interface HostKeyRefusal {
  readonly reason: HostKeyRefusalReason;
  /** What known_hosts holds for the host. */
  readonly policy: HostKeyPolicy;
  /** The key blob the front-end presented; absent when not even a probe could see one. */
  readonly presented?: Buffer;
  /** Only for messages. */
  readonly knownHostsPath: string;
}

/** `ssh-ed25519 key SHA256:… (line 3)` */
function pinned(e: KnownHostEntry): string {
  return `${e.keyType} key ${fingerprint(e.key)} (line ${e.line})`;
}

function either(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The sentence after "zone …, front-end host:port": ends with what to do, without the closing "nothing was changed". */
export function explainHostKeyRefusal(r: HostKeyRefusal): string {
  const { policy, knownHostsPath: file } = r;
  const type = r.presented ? keyTypeOf(r.presented) : "";
  const found = r.presented ? `it presented ${type} key ${fingerprint(r.presented)}` : "it presented no host key onefed could read";
  const verify = `verify that fingerprint on the front-end's console (ssh-keygen -lf /etc/ssh/ssh_host_${shortType(type)}_key.pub)`;
  switch (r.reason) {
    case "unknown":
      return `has no pinned host key in ${file} (no line names ${policy.name}); ${found}. Expected a line for ${policy.name}: ${verify} and add its key to ${file}.`;
    case "changed":
      return (
        `presented a host key that differs from the one pinned in ${file}; ${found}, expected ${either(policy.pins.filter((e) => e.keyType === type).map(pinned))}. ` +
        `This can be a re-installed front-end or a machine in the middle: ${verify} before replacing the pinned key.`
      );
    case "other-type":
      return (
        `presented a host key of another type than the one pinned in ${file}: expected ${either(policy.pins.map(pinned))}, found ${r.presented ? `${type} key ${fingerprint(r.presented)}` : "none"}; ` +
        `the front-end offers no key of the pinned type${policy.pinnedTypes.length > 1 ? "s" : ""}. ` +
        `Its sshd may have been re-installed or reconfigured, or this is another machine: ${verify}, then pin that key for ${policy.name} in ${file} or give the front-end its pinned key back.`
      );
    case "revoked":
      return (
        `presented a host key that ${file} marks @revoked for ${policy.name}: ${either(policy.revoked.filter((e) => r.presented && e.key.equals(r.presented)).map(pinned))}. ` +
        `Expected a key that is pinned and not revoked: do not connect; find out why the front-end still uses a revoked key and give it a new one.`
      );
    case "unusable-pins":
      return (
        `is named in ${file} only by lines onefed cannot verify: ${policy.unusable.map(unusable).join("; ")}. ` +
        `onefed's SSH library (ssh2 1.17) cannot negotiate or check host certificates (*-cert-v01@openssh.com), security-key (sk-*) or DSA host keys. ` +
        `Expected a plain pinned host key for ${policy.name}; ${found}: ${verify} and add that key for ${policy.name} to ${file}.`
      );
  }
}

function unusable(e: KnownHostEntry): string {
  return e.certAuthority ? `line ${e.line} @cert-authority (${e.keyType} CA key ${fingerprint(e.key)})` : `line ${e.line} (${e.keyType} key)`;
}

/** The file-name part of OpenSSH's host key files: ssh_host_<ed25519|ecdsa|rsa>_key. */
function shortType(keyType: string): string {
  if (keyType === "ssh-ed25519") return "ed25519";
  if (keyType.startsWith("ecdsa-")) return "ecdsa";
  if (keyType === "ssh-rsa") return "rsa";
  return "*";
}
