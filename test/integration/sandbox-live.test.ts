/**
 * A real sandbox (1 master + 2 slaves, real sshd in mount namespaces on 127.0.77.x): ssh2 with the
 * generated key and pinned host keys, emulated commands, an sftp round trip, the command log,
 * injections through the front-end shell, a rekey, idempotent up, and down. Needs root.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "ssh2";
import { injectFailure, readCommandLog, rekeyFrontend, sandboxDown, sandboxStatus, sandboxUp, SandboxInfo, SandboxPortInUseError } from "../../sandbox";
import { connect, exec, sftp, transfer } from "../sandbox/ssh-client";

const isRoot = process.getuid?.() === 0;
const describeAsRoot = isRoot ? describe : describe.skip;
if (!isRoot) console.warn("sandbox-live tests skipped: a real sandbox needs root (sshd on 127.0.77.x in mount namespaces)");

jest.setTimeout(60_000);

describeAsRoot("a real sandbox on 127.0.77.x", () => {
  let dir: string;
  let info: SandboxInfo;
  let master: Client;

  beforeAll(async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-live-"));
    // The login user must traverse every parent of the sandbox (mkdtemp makes it 0700).
    fs.chmodSync(parent, 0o755);
    dir = path.join(parent, "sb");
    info = await sandboxUp({ dir, addressBase: "127.0.77.1" });
    master = await connect(dir, "127.0.77.1");
  });
  afterAll(async () => {
    master?.end();
    if (dir) {
      await sandboxDown(dir);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("connects with the generated key, pinning the host key from known_hosts", async () => {
    expect(fs.statSync(info.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(info.privateKeyPath, "utf8")).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(fs.readFileSync(info.knownHostsPath, "utf8")).toMatch(/^127\.0\.77\.1 ssh-ed25519 AAAA/);
    const r = await exec(master, "id -un");
    expect(r).toEqual({ stdout: "onefed\n", stderr: "", code: 0 });
  });

  it("runs the emulated onezone and dpkg-query inside the front-end", async () => {
    expect(await exec(master, "onezone list --csv")).toEqual({
      stdout:
        "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n*,0,M-EU-FR,http://127.0.77.1:2633/RPC2,715438,on\n" +
        '"",100,S-EU-GE,http://127.0.77.2:2633/RPC2,715438,on\n"",101,S-US-CA,http://127.0.77.3:2633/RPC2,715438,on\n',
      stderr: "",
      code: 0,
    });
    expect(await exec(master, "dpkg-query -W -f='${Version}' opennebula")).toEqual({ stdout: "6.10.0-1", stderr: "", code: 0 });
  });

  it("shows the front-end's own /var/lib/one at the real path (mount namespace)", async () => {
    const r = await exec(master, "cat /var/lib/one/.one/one_endpoint && test -f /var/lock/one/one && echo locked");
    expect(r.stdout).toBe("http://127.0.77.1:2633/RPC2\nlocked\n");
    // /etc is an overlay the login user can add to, as root could on a real front-end.
    expect((await exec(master, "cp -a /etc/one /etc/one.onefed-6.10.0 && ls /etc/one.onefed-6.10.0")).stdout).toBe("monitord.conf\noned.conf\n");
    expect(fs.existsSync("/etc/one.onefed-6.10.0")).toBe(false);
    const slave = await connect(dir, "127.0.77.2");
    expect((await exec(slave, "cat /var/lib/one/.one/one_endpoint")).stdout).toBe("http://127.0.77.2:2633/RPC2\n");
    slave.end();
  });

  it("moves a file both ways over sftp under ForceCommand, intact", async () => {
    const local = path.join(path.dirname(dir), "payload.bin");
    const back = path.join(path.dirname(dir), "payload.back");
    fs.writeFileSync(local, Buffer.alloc(300_000, 7));
    const s = await sftp(master);
    await transfer(s, "fastPut", local, "/var/lib/one/backups/payload.bin");
    await transfer(s, "fastGet", "/var/lib/one/backups/payload.bin", back);
    s.end();
    const sha = (f: string): string => createHash("sha256").update(fs.readFileSync(f)).digest("hex");
    expect(sha(back)).toBe(sha(local));
    expect((await exec(master, "sha256sum /var/lib/one/backups/payload.bin")).stdout.split(" ")[0]).toBe(sha(local));
  });

  it("logs every command and sftp session with a timestamp", () => {
    const log = readCommandLog(dir, "zone0-server0");
    const commands = log.map((e) => e.command);
    expect(commands).toEqual(expect.arrayContaining(["onezone list --csv", "dpkg-query -W -f='${Version}' opennebula", "/usr/lib/openssh/sftp-server"]));
    for (const e of log) expect(e.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(readCommandLog(dir).length).toBe(log.length + 1);
  });

  it("fails an injected command through the shell, once", async () => {
    injectFailure(dir, { frontend: "zone0-server0", match: "onedb version", stderr: "disk on fire" });
    expect(await exec(master, "onedb version")).toEqual({ stdout: "", stderr: "disk on fire\n", code: 255 });
    expect((await exec(master, "onedb version")).code).toBe(0);
  });

  it("reports status as JSON-able data", async () => {
    const st = await sandboxStatus(dir);
    const fe = st.zones[0].frontends[0];
    expect(fe).toMatchObject({
      name: "zone0-server0",
      host: "127.0.77.1",
      port: 22,
      sshdRunning: true,
      packageVersion: "6.10.0",
      lockFile: true,
      fedIndex: 715438,
    });
    expect(fe.services["opennebula"]).toBe("active");
    expect(fe.zoneStates).toEqual({ "0": "ENABLED", "100": "ENABLED", "101": "ENABLED" });
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });

  it("is idempotent and refuses an address that is taken", async () => {
    expect((await sandboxUp({ dir })).alreadyRunning).toBe(true);
    const other = path.join(path.dirname(dir), "other");
    await expect(sandboxUp({ dir: other, addressBase: "127.0.77.1" })).rejects.toThrow(SandboxPortInUseError);
    await expect(sandboxUp({ dir: other, addressBase: "127.0.77.1" })).rejects.toThrow(/--port/);
    expect(fs.existsSync(other)).toBe(false);
  });

  it("presents a new host key after a rekey, which the pinned key rejects", async () => {
    await rekeyFrontend(dir, "zone100-server0");
    await expect(connect(dir, "127.0.77.2")).rejects.toThrow();
    expect((await sandboxStatus(dir)).zones[1].frontends[0].sshdRunning).toBe(true);
  });
});
