/**
 * known_hosts as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): one key per line,
 * `[@marker] hostpatterns keytype base64key [comment]`. Which lines name a host is decided in
 * host-patterns.ts; what is accepted for a host, in host-key-policy.ts.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { matchesHostField } from "./host-patterns";

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages. */
  readonly line: number;
  /** The host field split at commas; a hashed entry (`|1|salt|hash`) is one pattern. */
  readonly patterns: readonly string[];
  /** The key's type as its blob names it: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, … */
  readonly keyType: string;
  /** The public key blob (SSH wire format). */
  readonly key: Buffer;
  /** `@revoked`: this key must never be accepted for the hosts the line names. */
  readonly revoked: boolean;
  /** `@cert-authority`: the key is a CA that signs host certificates, not a host key. */
  readonly certAuthority: boolean;
}

const MARKERS = new Set(["@revoked", "@cert-authority"]);

/**
 * Parses known_hosts text. Lines OpenSSH would skip are skipped too: comments, unknown markers,
 * too few fields, and keys whose blob does not decode to the type the line names.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    if ((marker !== undefined && !MARKERS.has(marker)) || fields.length < 3) return;
    const [hosts, keyType, base64] = fields;
    const key = Buffer.from(base64, "base64");
    if (keyTypeOf(key) !== keyType) return;
    entries.push({
      line: index + 1,
      patterns: hosts.startsWith("|") ? [hosts] : hosts.split(","),
      keyType,
      key,
      revoked: marker === "@revoked",
      certAuthority: marker === "@cert-authority",
    });
  });
  return entries;
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  return parseKnownHosts(fs.readFileSync(file, "utf8"));
}

/** The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Entries (of any marker) whose host patterns name this host and port. */
export function entriesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => matchesHostField(e.patterns, name));
}

/** The OpenSSH fingerprint form shown to operators: "SHA256:" + unpadded base64 of sha256(key blob). */
export function fingerprint(keyBlob: Buffer): string {
  return "SHA256:" + crypto.createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** The key type inside an SSH public key blob (its first length-prefixed string); "" when the blob is too short. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "";
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && 4 + len <= keyBlob.length ? keyBlob.subarray(4, 4 + len).toString("ascii") : "";
}
