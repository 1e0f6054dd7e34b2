/**
 * known_hosts parsing and matching (plain, [host]:port and hashed |1|salt|hash entries), and the
 * OpenSSH fingerprint form shown to operators: "SHA256:" + unpadded base64 of sha256(key blob).
 */
import * as crypto from "crypto";
import * as fs from "fs";

export interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly keyType: string;
  readonly key: Buffer;
  readonly revoked: boolean;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0].startsWith("@")) marker = fields.shift();
    if (marker === "@cert-authority" || fields.length < 3) continue; // CA-signed host keys are not used here
    entries.push({ patterns: fields[0].split(","), keyType: fields[1], key: Buffer.from(fields[2], "base64"), revoked: marker === "@revoked" });
  }
  return entries;
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  return parseKnownHosts(fs.readFileSync(file, "utf8"));
}

/** The name OpenSSH writes for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    const digest = crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  return pattern === name;
}

/** Entries that name this host and port (negated and wildcard patterns are not honoured: pin exact hosts). */
export function entriesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => e.patterns.some((p) => matchesPattern(p, name)));
}

export function fingerprint(keyBlob: Buffer): string {
  return "SHA256:" + crypto.createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString("ascii");
}

export type HostKeyVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: "unknown" | "changed" | "revoked" };

export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const mine = entriesFor(entries, host, port);
  if (mine.some((e) => e.revoked && e.key.equals(keyBlob))) return { ok: false, reason: "revoked" };
  const pinned = mine.filter((e) => !e.revoked);
  if (pinned.length === 0) return { ok: false, reason: "unknown" };
  return pinned.some((e) => e.key.equals(keyBlob)) ? { ok: true } : { ok: false, reason: "changed" };
}
