/**
 * Host patterns of known_hosts, matched the way OpenSSH's match_hostname() does (match.c): a
 * comma list of patterns with `*` and `?` wildcards, case-insensitive; a list that matches a
 * negated `!pattern` does not name the host whatever else it holds; a hashed entry
 * (`|1|base64 salt|base64 HMAC-SHA1`) names the one host whose HMAC it is.
 */
import * as crypto from "crypto";

/** Whether a known_hosts host field (already split at commas) names `name` (`host` or `[host]:port`). */
export function matchesHostField(patterns: readonly string[], name: string): boolean {
  const lower = name.toLowerCase();
  if (patterns.length === 1 && patterns[0].startsWith("|")) return matchesHashed(patterns[0], lower);
  let positive = false;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    if (!matchesWildcard(negated ? p.slice(1) : p, lower)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** One pattern against one name: `*` is any run of characters (also none), `?` exactly one. */
export function matchesWildcard(pattern: string, name: string): boolean {
  const source = [...pattern.toLowerCase()].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, "s").test(name);
}

/** `|1|salt|hash` as ssh-keygen -H writes it; any other hash format names nothing (as in OpenSSH). */
function matchesHashed(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const digest = crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  const expected = Buffer.from(hash, "base64");
  return expected.length === digest.length && crypto.timingSafeEqual(expected, digest);
}
