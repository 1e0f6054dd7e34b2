/**
 * known_hosts as OpenSSH reads it: parsing (markers, malformed lines), host patterns (wildcards,
 * negation, comma lists, [host]:port, hashed entries written by ssh-keygen -H) and fingerprints.
 * What is accepted for a host is in host-key-policy.test.ts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { matchesHostField } from "../../lib/remote/ssh/host-patterns";
import { entriesFor, fingerprint, keyTypeOf, knownHostsName, parseKnownHosts } from "../../lib/remote/ssh/known-hosts";
import { shellJoin, shellQuote } from "../../lib/remote/ssh/shell-quote";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-kh-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function keypair(name: string, type: string[] = ["-t", "ed25519"]): { blob: Buffer; line: string; file: string } {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", ...type, "-N", "", "-f", file, "-C", name]);
  const line = fs.readFileSync(`${file}.pub`, "utf8").trim();
  return { blob: Buffer.from(line.split(" ")[1], "base64"), line, file };
}
const a = keypair("a");
const ecdsa = keypair("ecdsa", ["-t", "ecdsa", "-b", "384"]);

describe("known_hosts lines", () => {
  it("reads markers, line numbers and key types; a hashed host field is one pattern", () => {
    const text = [
      "# comment",
      `10.0.0.1,fe1.example.org ${a.line}`,
      "",
      `@revoked * ${ecdsa.line}`,
      `@cert-authority *.example.org ${a.line}`,
      `|1|c2FsdA==|aGFzaCxub3Q= ${a.line}`,
    ].join("\n");
    expect(parseKnownHosts(text).map((e) => ({ line: e.line, patterns: e.patterns, keyType: e.keyType, revoked: e.revoked, ca: e.certAuthority }))).toEqual([
      { line: 2, patterns: ["10.0.0.1", "fe1.example.org"], keyType: "ssh-ed25519", revoked: false, ca: false },
      { line: 4, patterns: ["*"], keyType: "ecdsa-sha2-nistp384", revoked: true, ca: false },
      { line: 5, patterns: ["*.example.org"], keyType: "ssh-ed25519", revoked: false, ca: true },
      { line: 6, patterns: ["|1|c2FsdA==|aGFzaCxub3Q="], keyType: "ssh-ed25519", revoked: false, ca: false },
    ]);
  });

  it.each([
    ["an unknown marker", `@trusted 10.0.0.1 ${a.line}`],
    ["too few fields", "10.0.0.1 ssh-ed25519"],
    ["a key whose blob is of another type than the line says", `10.0.0.1 ecdsa-sha2-nistp256 ${a.line.split(" ")[1]}`],
    ["a key that is not base64 of a key blob", "10.0.0.1 ssh-ed25519 bm90IGEga2V5"],
    ["an old RSA1 line (bits exponent modulus)", "10.0.0.1 2048 65537 1234567890"],
  ])("skips %s, as OpenSSH does", (_what, line) => {
    expect(parseKnownHosts(`${line}\n10.0.0.2 ${a.line}\n`).map((e) => e.line)).toEqual([2]);
  });

  it("reads the key type inside a blob, and an empty type from a truncated one", () => {
    expect(keyTypeOf(a.blob)).toBe("ssh-ed25519");
    expect(keyTypeOf(ecdsa.blob)).toBe("ecdsa-sha2-nistp384");
    expect(keyTypeOf(Buffer.from([0, 0, 0]))).toBe("");
    expect(keyTypeOf(Buffer.from([0, 0, 0, 99, 65]))).toBe("");
  });
});

describe("host patterns (OpenSSH match_hostname)", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", true],
    ["10.0.0.1", "10.0.0.10", false],
    ["10.0.0.1", "10a0b0c1", false],
    ["10.0.0.*", "10.0.0.7", true],
    ["10.0.0.*", "10.0.1.7", false],
    ["fe?.example.org", "fe1.example.org", true],
    ["fe?.example.org", "fe10.example.org", false],
    ["FE1.Example.ORG", "fe1.example.org", true],
    ["fe1.example.org", "FE1.example.org", true],
    ["a.example.org,fe1.example.org,b.example.org", "fe1.example.org", true],
    ["*.example.org,!bastion.example.org", "fe1.example.org", true],
    ["*.example.org,!bastion.example.org", "bastion.example.org", false],
    ["!bastion.example.org,*.example.org", "bastion.example.org", false],
    ["!bastion.example.org", "fe1.example.org", false],
    ["!10.0.0.?", "10.0.0.1", false],
    ["[10.0.0.2]:2222", "[10.0.0.2]:2222", true],
    ["10.0.0.2", "[10.0.0.2]:2222", false],
    ["[10.0.0.2]:2222", "10.0.0.2", false],
    ["[10.0.0.*]:2222", "[10.0.0.9]:2222", true],
    ["[10.0.0.*]:2222", "[10.0.0.9]:22", false],
    ["*", "[10.0.0.2]:2222", true],
    ["[fe1.example.org]:*", "[fe1.example.org]:2200", true],
  ])("%s names %s: %s", (field, name, expected) => {
    const entries = parseKnownHosts(`${field} ${a.line}\n`);
    expect(matchesHostField(entries[0].patterns, name)).toBe(expected);
  });

  it("names hosts by knownHostsName: the bare host on port 22, [host]:port otherwise", () => {
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("h", 2222)).toBe("[h]:2222");
    const entries = parseKnownHosts(`10.0.0.1 ${a.line}\n[10.0.0.1]:2222 ${ecdsa.line}\n`);
    expect(entriesFor(entries, "10.0.0.1", 22).map((e) => e.line)).toEqual([1]);
    expect(entriesFor(entries, "10.0.0.1", 2222).map((e) => e.line)).toEqual([2]);
    expect(entriesFor(entries, "10.0.0.9", 22)).toEqual([]);
  });

  it("matches hashed entries as written by ssh-keygen -H (port 22 and [host]:port), and nothing else", () => {
    const file = path.join(dir, "kh");
    fs.writeFileSync(file, `10.0.0.3 ${a.line}\n[fe3.example.org]:2200 ${ecdsa.line}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file]);
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toMatch(/10\.0\.0\.3|fe3/);
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => e.patterns[0].slice(0, 3))).toEqual(["|1|", "|1|"]);
    expect(entriesFor(entries, "10.0.0.3", 22).map((e) => e.keyType)).toEqual(["ssh-ed25519"]);
    expect(entriesFor(entries, "FE3.example.org", 2200).map((e) => e.keyType)).toEqual(["ecdsa-sha2-nistp384"]);
    expect(entriesFor(entries, "10.0.0.3", 2200)).toEqual([]);
    expect(entriesFor(entries, "fe3.example.org", 22)).toEqual([]);
    // A malformed hash or another hash format names nothing.
    for (const field of ["|1|bad", "|2|c2FsdA==|aGFzaA==", "|1|c2FsdA==|aGFzaA=="]) expect(matchesHostField([field], "10.0.0.3")).toBe(false);
  });

  it("prints fingerprints exactly like ssh-keygen -l", () => {
    for (const k of [a, ecdsa]) {
      const expected = execFileSync("ssh-keygen", ["-l", "-f", `${k.file}.pub`], { encoding: "utf8" }).split(" ")[1];
      expect(fingerprint(k.blob)).toBe(expected);
    }
  });
});

describe("shell quoting", () => {
  it.each([
    ["plain", "plain"],
    ["/var/lib/one/x.sql", "/var/lib/one/x.sql"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["$(reboot)", "'$(reboot)'"],
    ["", "''"],
    ["-f=${Version}", "'-f=${Version}'"],
  ])("%s", (input, quoted) => expect(shellQuote(input)).toBe(quoted));

  it("round-trips through a real shell", () => {
    const args = ["a b", "it's", "$(echo pwned)", "`x`", "\\", "\n", "*"];
    const out = execFileSync("sh", ["-c", `printf '%s\\0' ${shellJoin(args)}`])
      .toString()
      .split("\0")
      .slice(0, -1);
    expect(out).toEqual(args);
  });
});
