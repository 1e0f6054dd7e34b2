import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fingerprint, knownHostsName, parseKnownHosts, verifyHostKey } from "../../lib/remote/ssh/known-hosts";
import { shellJoin, shellQuote } from "../../lib/remote/ssh/shell-quote";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-kh-"));
function keypair(name: string): { blob: Buffer; line: string; file: string } {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file, "-C", name]);
  const line = fs.readFileSync(`${file}.pub`, "utf8").trim();
  return { blob: Buffer.from(line.split(" ")[1], "base64"), line, file };
}
const a = keypair("a");
const b = keypair("b");

describe("known_hosts", () => {
  it("accepts the pinned key, refuses unknown and changed keys", () => {
    const entries = parseKnownHosts(`# comment\n10.0.0.1 ${a.line}\n[10.0.0.2]:2222 ${a.line}\n`);
    expect(verifyHostKey(entries, "10.0.0.1", 22, a.blob)).toEqual({ ok: true });
    expect(verifyHostKey(entries, "10.0.0.2", 2222, a.blob)).toEqual({ ok: true });
    expect(verifyHostKey(entries, "10.0.0.2", 22, a.blob)).toEqual({ ok: false, reason: "unknown" });
    expect(verifyHostKey(entries, "10.0.0.1", 22, b.blob)).toEqual({ ok: false, reason: "changed" });
    expect(verifyHostKey(entries, "10.0.0.9", 22, a.blob)).toEqual({ ok: false, reason: "unknown" });
  });

  it("matches hashed entries as written by ssh-keygen -H", () => {
    const file = path.join(dir, "kh");
    fs.writeFileSync(file, `[10.0.0.3]:2200 ${a.line}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file]);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(/^\|1\|/);
    expect(verifyHostKey(parseKnownHosts(text), "10.0.0.3", 2200, a.blob)).toEqual({ ok: true });
  });

  it("honours @revoked", () => {
    const entries = parseKnownHosts(`@revoked 10.0.0.1 ${a.line}\n10.0.0.1 ${b.line}\n`);
    expect(verifyHostKey(entries, "10.0.0.1", 22, a.blob)).toEqual({ ok: false, reason: "revoked" });
  });

  it("prints fingerprints exactly like ssh-keygen -l", () => {
    const expected = execFileSync("ssh-keygen", ["-l", "-f", `${a.file}.pub`], { encoding: "utf8" }).split(" ")[1];
    expect(fingerprint(a.blob)).toBe(expected);
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("h", 2222)).toBe("[h]:2222");
    expect(crypto.createHash("sha256").update(a.blob).digest("base64")).toContain(fingerprint(a.blob).slice(7));
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
