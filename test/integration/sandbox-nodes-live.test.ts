/**
 * A real sandbox with hypervisor nodes and a RHEL-like (dnf) slave zone (real sshd in mount
 * namespaces on 127.0.90.x): every node its own sshd after the front-ends, the runner's node
 * upgrade over SSH exactly as it renders it (apt on a Debian node, dnf on a RHEL one), the RHEL
 * machines without apt-get/dpkg-query and with their own /etc/yum.repos.d, per-node command logs
 * and injections, and `down` stopping the nodes' sshd. Needs root.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "ssh2";
import { RemoteCommand, renderCommand } from "../../lib/remote/opennebula/remote-command";
import { injectFailure, readCommandLog, sandboxDown, sandboxStatus, sandboxUp, SandboxInfo } from "../../sandbox";
import { connect, exec } from "../sandbox/ssh-client";

const isRoot = process.getuid?.() === 0;
const describeAsRoot = isRoot ? describe : describe.skip;
if (!isRoot) console.warn("sandbox-nodes-live tests skipped: a real sandbox needs root (sshd on 127.0.90.x in mount namespaces)");

jest.setTimeout(60_000);

/** The runner's commands on a node (lib/opennebula: packages.ts, commands.ts, hypervisor-node.ts). */
const write = (file: string, content: string): RemoteCommand => ({ argv: ["sh", "-c", 'printf "%s" "$1" > "$2"', "sh", content, file] });
const APT = {
  version: { argv: ["dpkg-query", "-W", "-f=${Version}", "opennebula-node-kvm"] },
  repository: write(
    "/etc/apt/sources.list.d/opennebula.list",
    "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n",
  ),
  refresh: { argv: ["apt-get", "update", "-q"] },
  upgrade: {
    argv: ["apt-get", "install", "-y", "-q", "--only-upgrade", "-o", "Dpkg::Options::=--force-confold", "opennebula-node-kvm"],
    env: { DEBIAN_FRONTEND: "noninteractive" },
  },
};
const YUM_REPOSITORY =
  "[opennebula]\nname=OpenNebula Community Edition\nbaseurl=https://downloads.opennebula.io/repo/7.0/RedHat/$releasever/$basearch\nenabled=1\n" +
  "gpgkey=https://downloads.opennebula.io/repo/repo2.key\ngpgcheck=1\nrepo_gpgcheck=1\n";
const DNF = {
  version: { argv: ["rpm", "-q", "--qf", "%{VERSION}", "opennebula-node-kvm"] },
  repository: write("/etc/yum.repos.d/opennebula.repo", YUM_REPOSITORY),
  refresh: { argv: ["dnf", "-q", "makecache"] },
  upgrade: { argv: ["dnf", "-y", "-q", "upgrade", "opennebula-node-kvm"] },
};
const LIBVIRT = { restart: { argv: ["systemctl", "restart", "libvirtd"] }, isActive: { argv: ["systemctl", "is-active", "libvirtd"] } };

describeAsRoot("a real sandbox with nodes and a dnf zone on 127.0.90.x", () => {
  let dir: string;
  let info: SandboxInfo;
  const clients: Client[] = [];
  const run = async (host: string, cmd: RemoteCommand | string): Promise<{ stdout: string; stderr: string; code: number | null }> => {
    const c = await connect(dir, host);
    clients.push(c);
    return exec(c, typeof cmd === "string" ? cmd : renderCommand(cmd));
  };

  beforeAll(async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-nodes-live-"));
    fs.chmodSync(parent, 0o755);
    dir = path.join(parent, "sb");
    info = await sandboxUp({ dir, addressBase: "127.0.90.1", slaves: 1, nodes: 2, dnfZones: [100] });
  });
  afterAll(async () => {
    for (const c of clients) c.end();
    if (dir) {
      await sandboxDown(dir);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("runs one sshd per node on the addresses after the front-ends, pinned in known_hosts", async () => {
    expect(info.zones.map((z) => [z.id, z.packageManager, z.frontends.map((f) => f.host), z.nodes.map((n) => `${n.name}/${n.hostName}@${n.host}`)])).toEqual([
      [0, "apt", ["127.0.90.1"], ["zone0-node0/kvm-0-0@127.0.90.3", "zone0-node1/kvm-0-1@127.0.90.4"]],
      [100, "dnf", ["127.0.90.2"], ["zone100-node0/kvm-100-0@127.0.90.5", "zone100-node1/kvm-100-1@127.0.90.6"]],
    ]);
    expect(info.zones.flatMap((z) => z.nodes).every((n) => n.sshdPid > 0)).toBe(true);
    expect(
      fs
        .readFileSync(info.knownHostsPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["127.0.90.1", "127.0.90.2", "127.0.90.3", "127.0.90.4", "127.0.90.5", "127.0.90.6"]);
    expect(await run("127.0.90.1", "onehost list --csv --no-header")).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^0,kvm-0-0,.*\n1,kvm-0-1,.*\n$/),
    });
  });

  it("upgrades a Debian node with the runner's exact commands, and logs them under the node's name", async () => {
    const node = "127.0.90.3";
    expect(await run(node, APT.version)).toEqual({ stdout: "6.10.0-1", stderr: "", code: 0 });
    expect(await run(node, APT.repository)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect((await run(node, APT.refresh)).code).toBe(0);
    const up = await run(node, APT.upgrade);
    expect(up).toMatchObject({ stderr: "", code: 0 });
    expect(up.stdout).toContain("Setting up opennebula-node-kvm (7.0.0-1) ...\n");
    expect(await run(node, LIBVIRT.restart)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(await run(node, LIBVIRT.isActive)).toEqual({ stdout: "active\n", stderr: "", code: 0 });
    expect(await run(node, APT.version)).toEqual({ stdout: "7.0.0-1", stderr: "", code: 0 });
    expect(readCommandLog(dir, "zone0-node0").map((e) => e.command)).toEqual(
      [APT.version, APT.repository, APT.refresh, APT.upgrade, LIBVIRT.restart, LIBVIRT.isActive, APT.version].map(renderCommand),
    );
    expect(await run(node, "onezone list")).toEqual({ stdout: "", stderr: "/bin/sh: 1: onezone: not found\n", code: 127 });
  });

  it("gives RHEL machines rpm/dnf, their own /etc/yum.repos.d, and no apt-get or dpkg-query", async () => {
    const fe = "127.0.90.2";
    expect(await run(fe, "command -v rpm dnf yum; command -v apt-get dpkg-query dpkg; test -e /etc/apt || echo no /etc/apt")).toEqual({
      stdout: `${dir}/bin/emulated-frontend-dnf/rpm\n${dir}/bin/emulated-frontend-dnf/dnf\n${dir}/bin/emulated-frontend-dnf/yum\nno /etc/apt\n`,
      stderr: "",
      code: 0,
    });
    // Real bash's own message (it adds "line 1: " or not depending on how it was started).
    expect(await run(fe, "dpkg-query -W '-f=${Version}' opennebula")).toMatchObject({
      stdout: "",
      stderr: expect.stringMatching(/^bash: (line 1: )?dpkg-query: command not found\n$/),
      code: 127,
    });
    expect(await run(fe, renderCommand(APT.upgrade))).toMatchObject({
      stdout: "",
      code: 127,
      stderr: expect.stringMatching(/^env: .apt-get.: No such file or directory\n$/),
    });
    expect(await run(fe, "rpm -q --qf '%{VERSION}' opennebula")).toEqual({ stdout: "6.10.0", stderr: "", code: 0 });
    expect(await run(fe, "grep baseurl /etc/yum.repos.d/opennebula.repo && stat -c %U /etc/yum.repos.d")).toEqual({
      stdout: "baseurl=https://downloads.opennebula.io/repo/6.10/RedHat/$releasever/$basearch\nonefed\n",
      stderr: "",
      code: 0,
    });
    // The host keeps no /etc/yum.repos.d and its apt tools.
    expect(fs.existsSync("/etc/yum.repos.d")).toBe(false);
    expect(fs.existsSync("/usr/bin/apt-get")).toBe(true);
  });

  it("upgrades a RHEL node with the runner's exact commands: repository file, makecache, upgrade, libvirtd", async () => {
    const node = "127.0.90.6";
    expect(await run(node, DNF.version)).toEqual({ stdout: "6.10.0", stderr: "", code: 0 });
    expect(await run(node, DNF.repository)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(await run(node, DNF.refresh)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(await run(node, DNF.upgrade)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(await run(node, LIBVIRT.restart)).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(await run(node, LIBVIRT.isActive)).toEqual({ stdout: "active\n", stderr: "", code: 0 });
    expect(await run(node, DNF.version)).toEqual({ stdout: "7.0.0", stderr: "", code: 0 });
    expect(await run(node, "cat /etc/yum.repos.d/opennebula.repo")).toEqual({ stdout: YUM_REPOSITORY, stderr: "", code: 0 });
    // The other node of the zone still has its own (6.10) repository file.
    expect((await run("127.0.90.5", "grep -c /repo/6.10/ /etc/yum.repos.d/opennebula.repo")).stdout).toBe("1\n");
  });

  it("fails an injected command on a node through its shell", async () => {
    injectFailure(dir, { frontend: "zone100-node0", match: "dnf -y", exitCode: 1, stderr: "Error: Failed to download packages" });
    expect(await run("127.0.90.5", DNF.upgrade)).toEqual({ stdout: "", stderr: "Error: Failed to download packages\n", code: 1 });
    expect(await run("127.0.90.5", DNF.version)).toEqual({ stdout: "6.10.0", stderr: "", code: 0 });
  });

  it("shows the nodes in the status, and down stops their sshd", async () => {
    const st = await sandboxStatus(dir);
    expect(st.zones.flatMap((z) => z.nodes.map((n) => [n.name, n.sshdRunning, n.packageManager, n.packageVersion, n.libvirt, n.commandCount]))).toEqual([
      ["zone0-node0", true, "apt", "7.0.0", "active", 8],
      ["zone0-node1", true, "apt", "6.10.0", "active", 0],
      ["zone100-node0", true, "dnf", "6.10.0", "active", 3],
      ["zone100-node1", true, "dnf", "7.0.0", "active", 8],
    ]);
    const pids = st.zones.flatMap((z) => z.nodes.map((n) => n.sshdPid!));
    await sandboxDown(dir, { keep: true });
    expect(pids.filter((p) => fs.existsSync(`/proc/${p}`))).toEqual([]);
    expect((await sandboxStatus(dir)).zones.flatMap((z) => z.nodes.map((n) => n.sshdRunning))).toEqual([false, false, false, false]);
  });
});
