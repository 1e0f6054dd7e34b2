/**
 * A real sandbox with an HA slave zone (3 servers, real sshd in mount namespaces on 127.0.78.x):
 * the servers' own addresses and the floating IP, `onezone show` on a follower, and the HA copy
 * from the leader to a follower over SSH exactly as the runner does it — `tar` of /etc/one and
 * /var/lib/one/remotes/etc, sftp, `tar -xzf`, `sed -i` of SERVER_ID, full `onedb backup` and
 * `onedb restore -f`. Needs root.
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "ssh2";
import { sandboxDown, sandboxStatus, sandboxUp, SandboxInfo } from "../../sandbox";
import { connect, exec, sftp, transfer } from "../sandbox/ssh-client";

const isRoot = process.getuid?.() === 0;
const describeAsRoot = isRoot ? describe : describe.skip;
if (!isRoot) console.warn("sandbox-ha-live tests skipped: a real sandbox needs root (sshd on 127.0.78.x in mount namespaces)");

jest.setTimeout(60_000);

/** Whether anything accepts TCP connections at host:port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

describeAsRoot("a real sandbox with an HA zone on 127.0.78.x", () => {
  let dir: string;
  let info: SandboxInfo;
  let leader: Client;
  let follower: Client;

  beforeAll(async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-ha-live-"));
    fs.chmodSync(parent, 0o755);
    dir = path.join(parent, "sb");
    info = await sandboxUp({ dir, addressBase: "127.0.78.1", slaves: 1, ha: [100], servers: 3 });
    leader = await connect(dir, "127.0.78.2");
    follower = await connect(dir, "127.0.78.3");
  });
  afterAll(async () => {
    leader?.end();
    follower?.end();
    if (dir) {
      await sandboxDown(dir);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("runs one sshd per server on its own address; nothing listens on the floating IP", async () => {
    expect(info.zones.map((z) => ({ id: z.id, ha: z.ha, vip: z.vip, endpoint: z.endpoint, hosts: z.frontends.map((f) => `${f.serverId}@${f.host}`) }))).toEqual(
      [
        { id: 0, ha: false, vip: undefined, endpoint: "http://127.0.78.1:2633/RPC2", hosts: ["-1@127.0.78.1"] },
        { id: 100, ha: true, vip: "127.0.78.5", endpoint: "http://127.0.78.5:2633/RPC2", hosts: ["0@127.0.78.2", "1@127.0.78.3", "2@127.0.78.4"] },
      ],
    );
    expect(await listening("127.0.78.5", 22)).toBe(false);
    expect(
      fs
        .readFileSync(info.knownHostsPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["127.0.78.1", "127.0.78.2", "127.0.78.3", "127.0.78.4"]);
  });

  it("answers onezone show -j on a follower with the leader and the followers", async () => {
    const r = await exec(follower, "onezone show 100 -j");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout).ZONE.SERVER_POOL.SERVER as Array<Record<string, string>>;
    expect(list.map((s) => [s.ID, s.NAME, s.ENDPOINT, s.STATE])).toEqual([
      ["0", "server-0", "http://127.0.78.2:2633/RPC2", "3"],
      ["1", "server-1", "http://127.0.78.3:2633/RPC2", "2"],
      ["2", "server-2", "http://127.0.78.4:2633/RPC2", "2"],
    ]);
    expect((await exec(follower, "grep SERVER_ID /etc/one/oned.conf")).stdout).toBe("    SERVER_ID     = 1,\n");
  });

  it("copies /etc/one and remotes/etc from the leader with tar and sftp, and sed -i restores the follower's SERVER_ID", async () => {
    expect(
      await exec(leader, "echo 'export ONEFED_MARK=leader' >> /var/lib/one/remotes/etc/vmm/kvm/kvmrc && echo '# upgraded by onefed' >> /etc/one/oned.conf"),
    ).toMatchObject({ code: 0 });
    expect(await exec(leader, "tar -C / -czf /var/lib/one/backups/one-config.tgz etc/one var/lib/one/remotes/etc")).toEqual({
      stdout: "",
      stderr: "",
      code: 0,
    });
    const local = path.join(path.dirname(dir), "one-config.tgz");
    const s1 = await sftp(leader);
    await transfer(s1, "fastGet", "/var/lib/one/backups/one-config.tgz", local);
    s1.end();
    const s2 = await sftp(follower);
    await transfer(s2, "fastPut", local, "/var/lib/one/backups/one-config.tgz");
    s2.end();
    expect(await exec(follower, "tar -C / -xzf /var/lib/one/backups/one-config.tgz")).toEqual({ stdout: "", stderr: "", code: 0 });
    const sums = "sha256sum /var/lib/one/remotes/etc/vmm/kvm/kvmrc /etc/one/monitord.conf";
    expect((await exec(follower, sums)).stdout).toBe((await exec(leader, sums)).stdout);
    expect((await exec(follower, "tail -n 1 /var/lib/one/remotes/etc/vmm/kvm/kvmrc")).stdout).toBe("export ONEFED_MARK=leader\n");
    expect((await exec(follower, "grep SERVER_ID /etc/one/oned.conf")).stdout).toBe("    SERVER_ID     = 0,\n");
    expect(await exec(follower, "sed -i -E 's/^([[:space:]]*SERVER_ID[[:space:]]*=[[:space:]]*)-?[0-9]+/\\11/' /etc/one/oned.conf")).toEqual({
      stdout: "",
      stderr: "",
      code: 0,
    });
    expect((await exec(follower, "grep SERVER_ID /etc/one/oned.conf && tail -n 1 /etc/one/oned.conf && stat -c %U /etc/one/oned.conf")).stdout).toBe(
      "    SERVER_ID     = 1,\n# upgraded by onefed\nonefed\n",
    );
    // The leader's own tree and the host's /etc are untouched.
    expect((await exec(leader, "grep SERVER_ID /etc/one/oned.conf")).stdout).toBe("    SERVER_ID     = 0,\n");
    expect(fs.existsSync("/etc/one/oned.conf")).toBe(false);
  });

  it("restores the leader's full onedb backup on a follower, and both run again with one leader", async () => {
    for (const c of [follower, leader]) expect((await exec(c, "systemctl stop opennebula")).code).toBe(0);
    expect((await exec(leader, "onedb backup -v -f /var/lib/one/backups/leader.sql")).code).toBe(0);
    const local = path.join(path.dirname(dir), "leader.sql");
    const s1 = await sftp(leader);
    await transfer(s1, "fastGet", "/var/lib/one/backups/leader.sql", local);
    s1.end();
    const s2 = await sftp(follower);
    await transfer(s2, "fastPut", local, "/var/lib/one/backups/leader.sql");
    s2.end();
    expect(await exec(follower, "onedb restore -v -f /var/lib/one/backups/leader.sql")).toMatchObject({
      stdout: "Sqlite database backup restored in /var/lib/one/one.db\n",
      code: 0,
    });
    for (const c of [leader, follower]) expect((await exec(c, "systemctl start opennebula")).code).toBe(0);
    const zone = (await sandboxStatus(dir)).zones[1];
    expect(zone.frontends.map((f) => [f.name, f.raft])).toEqual([
      ["zone100-server0", "leader"],
      ["zone100-server1", "follower"],
      ["zone100-server2", "follower"],
    ]);
    expect(zone.raft).toMatchObject({ leader: 0 });
  });
});
