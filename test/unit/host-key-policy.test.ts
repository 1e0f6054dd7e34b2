/**
 * What known_hosts accepts for a host (pins, @revoked, @cert-authority, key types ssh2 cannot
 * negotiate), the host-key algorithms offered for the pinned types, the refusal paragraphs, and
 * real handshakes against in-process ssh2 servers holding several host keys (127.0.140.1, any port).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client, Server } from "ssh2";
import { HostKeyError } from "../../lib/remote/ssh/errors";
import { hostKeyAlgorithmsFor } from "../../lib/remote/ssh/host-key-algorithms";
import { HostKeyCheck } from "../../lib/remote/ssh/host-key-check";
import { HostKeyPolicy, verifyHostKey } from "../../lib/remote/ssh/host-key-policy";
import { fingerprint, parseKnownHosts } from "../../lib/remote/ssh/known-hosts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-hkp-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Key {
  readonly blob: Buffer;
  /** `type base64 comment`, as in a .pub file. */
  readonly line: string;
  readonly privateKey: Buffer;
}
function keypair(name: string, ...type: string[]): Key {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", ...type, "-N", "", "-f", file, "-C", name]);
  const line = fs.readFileSync(`${file}.pub`, "utf8").trim();
  return { blob: Buffer.from(line.split(" ")[1], "base64"), line, privateKey: fs.readFileSync(file) };
}
const ed = keypair("ed", "-t", "ed25519");
const ed2 = keypair("ed2", "-t", "ed25519");
const ec = keypair("ec", "-t", "ecdsa", "-b", "256");
const ec2 = keypair("ec2", "-t", "ecdsa", "-b", "256");
const ec384 = keypair("ec384", "-t", "ecdsa", "-b", "384");
const rsa = keypair("rsa", "-t", "rsa", "-b", "1024");
const rsa2 = keypair("rsa2", "-t", "rsa", "-b", "1024");
const sk = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIDFUaDNv6DJDd8Qz5iD5c+tWHBtnt7Owk6d7YD36sa5XAAAABHNzaDo=";

const policy = (text: string, host = "10.0.0.1", port = 22): HostKeyPolicy => HostKeyPolicy.for(parseKnownHosts(text), host, port);

describe("which host-key algorithms are offered", () => {
  it.each([
    ["an ed25519 pin", `10.0.0.1 ${ed.line}`, ["ssh-ed25519"]],
    ["an ECDSA pin", `10.0.0.1 ${ec.line}`, ["ecdsa-sha2-nistp256"]],
    ["an ECDSA P-384 pin", `10.0.0.1 ${ec384.line}`, ["ecdsa-sha2-nistp384"]],
    ["an RSA pin", `10.0.0.1 ${rsa.line}`, ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]],
    [
      "RSA and ECDSA pins, in preference order",
      `10.0.0.1 ${rsa.line}\n10.0.0.1 ${ec.line}`,
      ["ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    ],
    ["pins of other hosts only (every type: what is presented is refused and shown)", `10.0.0.2 ${ec.line}`, undefined],
    ["only a revoked key", `@revoked 10.0.0.1 ${ec.line}`, undefined],
    ["only a CA key", `@cert-authority 10.0.0.* ${ec.line}`, undefined],
    ["an ECDSA pin beside a CA key and a revoked key", `@cert-authority * ${ed.line}\n@revoked * ${rsa.line}\n10.0.0.1 ${ec.line}`, ["ecdsa-sha2-nistp256"]],
  ])("%s", (_what, text, expected) => {
    expect(policy(text).serverHostKeyAlgorithms).toEqual(expected);
  });

  it("adds nothing for types ssh2 cannot negotiate", () => {
    expect(hostKeyAlgorithmsFor(["ssh-dss", "sk-ssh-ed25519@openssh.com", "ssh-ed25519-cert-v01@openssh.com"])).toEqual([]);
  });
});

describe("the verdict on a presented key", () => {
  const file = [
    `10.0.0.1 ${ed.line}`,
    `*.example.org,!bastion.example.org ${ec.line}`,
    `[10.0.0.1]:2222 ${rsa.line}`,
    `@revoked * ${ec2.line}`,
    `10.0.0.5 ${ec2.line}`,
    `@cert-authority *.ca.example.net ${ed2.line}`,
    `10.0.0.6 ${sk}`,
  ].join("\n");
  const entries = parseKnownHosts(file);
  it.each([
    ["the pinned key", "10.0.0.1", 22, ed, { ok: true }],
    ["another key of the pinned type", "10.0.0.1", 22, ed2, { ok: false, reason: "changed" }],
    ["a key of a type nothing pins for the host", "10.0.0.1", 22, ec, { ok: false, reason: "other-type" }],
    ["the key pinned by a wildcard", "fe1.example.org", 22, ec, { ok: true }],
    ["a host the negation excludes", "bastion.example.org", 22, ec, { ok: false, reason: "unknown" }],
    ["the key pinned for [host]:port", "10.0.0.1", 2222, rsa, { ok: true }],
    ["an RSA key on the port whose pin is RSA", "10.0.0.1", 2222, rsa2, { ok: false, reason: "changed" }],
    ["a revoked key, even where it is also pinned", "10.0.0.5", 22, ec2, { ok: false, reason: "revoked" }],
    ["a host named only by a CA line", "fe.ca.example.net", 22, ed, { ok: false, reason: "unusable-pins" }],
    ["a host pinned only by a security-key type", "10.0.0.6", 22, ed, { ok: false, reason: "unusable-pins" }],
    ["an unknown host", "10.0.0.9", 22, ed, { ok: false, reason: "unknown" }],
  ])("%s", (_what, host, port, key, verdict) => {
    expect(verifyHostKey(entries, host, port, key.blob)).toEqual(verdict);
  });
});

describe("refusals read as one paragraph: host, expected, found, what to do, nothing changed", () => {
  const target = { host: "10.0.0.1", port: 22, zone: "zone 100 (S-EU-GE)" };
  const refuse = (text: string, presented: Key | undefined, reason: ConstructorParameters<typeof HostKeyError>[1]["reason"]): string =>
    new HostKeyError(target, { reason, policy: policy(text), presented: presented?.blob, knownHostsPath: "/etc/onefed/known_hosts" }).message;

  it("a changed key names the presented and the pinned fingerprint", () => {
    const m = refuse(`10.0.0.1 ${ed.line}`, ed2, "changed");
    expect(m).toBe(
      `zone 100 (S-EU-GE), front-end 10.0.0.1:22 presented a host key that differs from the one pinned in /etc/onefed/known_hosts; ` +
        `it presented ssh-ed25519 key ${fingerprint(ed2.blob)}, expected ssh-ed25519 key ${fingerprint(ed.blob)} (line 1). ` +
        `This can be a re-installed front-end or a machine in the middle: verify that fingerprint on the front-end's console ` +
        `(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before replacing the pinned key. No command was run there; nothing was changed.`,
    );
  });

  it("a different type names both types and both fingerprints", () => {
    const m = refuse(`# pinned by hand\n10.0.0.1 ${ec.line}`, ed, "other-type");
    expect(m).toContain(
      `presented a host key of another type than the one pinned in /etc/onefed/known_hosts: expected ecdsa-sha2-nistp256 key ${fingerprint(ec.blob)} (line 2), ` +
        `found ssh-ed25519 key ${fingerprint(ed.blob)}; the front-end offers no key of the pinned type.`,
    );
    expect(m).toContain("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then pin that key for 10.0.0.1 in /etc/onefed/known_hosts");
    expect(m).toMatch(/nothing was changed\.$/);
    expect(refuse(`10.0.0.1 ${ec.line}\n10.0.0.1 ${rsa.line}`, undefined, "other-type")).toContain(
      `expected ecdsa-sha2-nistp256 key ${fingerprint(ec.blob)} (line 1) or ssh-rsa key ${fingerprint(rsa.blob)} (line 2), found none; the front-end offers no key of the pinned types.`,
    );
  });

  it("a host trusted only through a CA says ssh2 cannot check host certificates, and shows the plain key to pin", () => {
    const m = refuse(`@cert-authority *.example.org,10.0.0.* ${ed2.line}`, ec, "unusable-pins");
    expect(m).toContain(
      `is named in /etc/onefed/known_hosts only by lines onefed cannot verify: line 1 @cert-authority (ssh-ed25519 CA key ${fingerprint(ed2.blob)}).`,
    );
    expect(m).toContain("cannot negotiate or check host certificates (*-cert-v01@openssh.com)");
    expect(m).toContain(`it presented ecdsa-sha2-nistp256 key ${fingerprint(ec.blob)}: verify that fingerprint`);
  });

  it("an unknown host and a revoked key", () => {
    expect(refuse(`10.0.0.2 ${ed.line}`, rsa, "unknown")).toContain(
      `has no pinned host key in /etc/onefed/known_hosts (no line names 10.0.0.1); it presented ssh-rsa key ${fingerprint(rsa.blob)}.`,
    );
    expect(refuse(`@revoked 10.0.0.* ${ec.line}\n10.0.0.1 ${ec2.line}`, ec, "revoked")).toContain(
      `presented a host key that /etc/onefed/known_hosts marks @revoked for 10.0.0.1: ecdsa-sha2-nistp256 key ${fingerprint(ec.blob)} (line 1). Expected a key that is pinned and not revoked`,
    );
  });
});

/** An ssh2 server on 127.0.140.1 (a port of its own) holding these host keys, accepting any login. */
async function serverWith(...hostKeys: Key[]): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new Server({ hostKeys: hostKeys.map((k) => k.privateKey) }, (conn) => {
    conn.on("authentication", (ctx) => ctx.accept());
    conn.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.140.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function socketTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.140.1", port }, () => resolve(sock));
    sock.once("error", reject);
  });
}

/** A login with HostKeyCheck's options, as SshSession makes it: the negotiated host-key algorithm, or the error. */
async function handshake(port: number, knownHosts: string): Promise<string | Error> {
  const check = new HostKeyCheck({ host: "127.0.140.1", port }, parseKnownHosts(knownHosts), "known_hosts");
  const sock = await socketTo(port);
  const client = new Client();
  let negotiated = "";
  client.on("handshake", (n) => (negotiated = n.serverHostKey));
  return new Promise((resolve) => {
    client.once("ready", () => {
      client.end();
      resolve(negotiated);
    });
    client.once("error", (err) => {
      sock.destroy();
      void check.refusalAfter(err, () => socketTo(port), 5000).then((refusal) => resolve(refusal ?? err));
    });
    client.connect({ sock, username: "onefed", readyTimeout: 5000, ...check.connectConfig() });
  });
}

describe("handshakes with a server that holds ed25519, ECDSA and RSA host keys", () => {
  let server: { port: number; close: () => Promise<void> };
  beforeAll(async () => (server = await serverWith(ed, ec, rsa)));
  afterAll(() => server.close());
  const pin = (k: Key): string => `[127.0.140.1]:${server.port} ${k.line}`;

  it("an ECDSA-only pin negotiates ECDSA and connects", async () => {
    expect(await handshake(server.port, pin(ec))).toBe("ecdsa-sha2-nistp256");
  });

  it("an RSA-only pin negotiates rsa-sha2-512 and connects", async () => {
    expect(await handshake(server.port, pin(rsa))).toBe("rsa-sha2-512");
  });

  it("an ed25519 pin connects as before", async () => {
    expect(await handshake(server.port, pin(ed))).toBe("ssh-ed25519");
  });

  it.each([
    ["ECDSA", ec2, ec],
    ["RSA", rsa2, rsa],
    ["ed25519", ed2, ed],
  ])("a changed %s key is refused with the presented fingerprint", async (_type, pinned, presented) => {
    const result = await handshake(server.port, pin(pinned));
    expect(result).toBeInstanceOf(HostKeyError);
    expect((result as Error).message).toContain(
      `presented a host key that differs from the one pinned in known_hosts; it presented ${presented.line.split(" ")[0]} key ${fingerprint(presented.blob)}`,
    );
  });

  it("a pinned type the server lacks is refused naming both types", async () => {
    const result = await handshake(server.port, pin(ec384));
    expect(result).toBeInstanceOf(HostKeyError);
    expect((result as Error).message).toContain(
      `expected ecdsa-sha2-nistp384 key ${fingerprint(ec384.blob)} (line 1), found ssh-ed25519 key ${fingerprint(ed.blob)}; the front-end offers no key of the pinned type.`,
    );
  });

  it("a revoked key is refused even where a wildcard line pins it", async () => {
    const result = await handshake(server.port, `127.0.140.* ${ec.line}\n[127.0.140.?]:* ${ec.line}\n@revoked * ${ec.line}`);
    expect((result as Error).message).toContain(`marks @revoked for [127.0.140.1]:${server.port}: ecdsa-sha2-nistp256 key ${fingerprint(ec.blob)} (line 3).`);
  });

  it("a wildcard pin with a negated exception connects, and the exception is refused", async () => {
    expect(await handshake(server.port, `[127.0.140.*]:*,!127.0.140.9 ${ec.line}`)).toBe("ecdsa-sha2-nistp256");
    expect(await handshake(server.port, `[127.0.140.*]:*,![127.0.140.1]:* ${ec.line}`)).toMatchObject({
      message: expect.stringContaining("has no pinned host key"),
    });
  });

  it("a host named only by @cert-authority is refused, showing the plain key it presents", async () => {
    const result = await handshake(server.port, `@cert-authority [127.0.140.1]:* ${ed2.line}`);
    expect((result as Error).message).toContain(`only by lines onefed cannot verify: line 1 @cert-authority`);
    expect((result as Error).message).toContain(`it presented ssh-ed25519 key ${fingerprint(ed.blob)}`);
  });

  it("an unknown host is refused, showing the key it presents", async () => {
    const result = await handshake(server.port, `10.0.0.1 ${ed.line}`);
    expect((result as Error).message).toContain(
      `has no pinned host key in known_hosts (no line names [127.0.140.1]:${server.port}); it presented ssh-ed25519 key ${fingerprint(ed.blob)}`,
    );
  });
});

describe("a server with an RSA host key only", () => {
  let server: { port: number; close: () => Promise<void> };
  beforeAll(async () => (server = await serverWith(rsa)));
  afterAll(() => server.close());

  it("refuses an ed25519 pin naming both types, with the RSA key's fingerprint", async () => {
    const result = await handshake(server.port, `[127.0.140.1]:${server.port} ${ed.line}`);
    expect((result as Error).message).toContain(
      `expected ssh-ed25519 key ${fingerprint(ed.blob)} (line 1), found ssh-rsa key ${fingerprint(rsa.blob)}; the front-end offers no key of the pinned type.`,
    );
    expect((result as Error).message).toContain("ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub");
  });
});
