/**
 * Hypervisor nodes (`nodes`): their addresses after every front-end and floating IP, the zone's
 * host pool named after them, federation.yaml, and on a node the commands the runner uses —
 * dpkg-query of opennebula-node-kvm, the apt upgrade bound to the repository series, libvirtd —
 * plus status, injections and state changes by machine name.
 */
import * as fs from "fs";
import { runSandboxCommand } from "../../lib/cli/sandbox-command";
import { injectFailure, readCommandLog, sandboxStatus, setFrontendState } from "../../sandbox";
import { SandboxLayout } from "../../sandbox/layout";
import { planSandbox } from "../../sandbox/prepare";
import { readRegistry } from "../../sandbox/registry";
import { EmulatorSandbox, MASTER, NODE, SLAVE_GE } from "../sandbox/emulator-harness";

const PLAN = "/tmp/onefed-plan";
const DEBIAN_70 = "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n";
const VERSION = "dpkg-query -W '-f=${Version}' opennebula-node-kvm";
const UPGRADE = "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade -o Dpkg::Options::=--force-confold opennebula-node-kvm";

describe("node topology", () => {
  const machines = (o: Parameters<typeof planSandbox>[0]): string[] =>
    planSandbox(o, "n", "e").zones.flatMap((z) => [
      ...z.frontends.map((f) => `${f.name}@${f.host}`),
      ...(z.vip ? [`vip${z.id}@${z.vip}`] : []),
      ...(z.nodes ?? []).map((n) => `${n.name}/${n.hostName}@${n.host}`),
    ]);

  it("puts the nodes after every front-end, zone by zone, so the front-ends keep their addresses", () => {
    expect(machines({ dir: PLAN, nodes: 2 })).toEqual([
      "zone0-server0@127.0.50.1",
      "zone0-node0/kvm-0-0@127.0.50.4",
      "zone0-node1/kvm-0-1@127.0.50.5",
      "zone100-server0@127.0.50.2",
      "zone100-node0/kvm-100-0@127.0.50.6",
      "zone100-node1/kvm-100-1@127.0.50.7",
      "zone101-server0@127.0.50.3",
      "zone101-node0/kvm-101-0@127.0.50.8",
      "zone101-node1/kvm-101-1@127.0.50.9",
    ]);
    expect(planSandbox({ dir: PLAN }, "n", "e").zones.every((z) => z.nodes === undefined)).toBe(true);
  });

  it("puts them after the floating IPs of HA zones too", () => {
    expect(machines({ dir: PLAN, slaves: 1, ha: [0], servers: 2, nodes: 1 })).toEqual([
      "zone0-server0@127.0.50.1",
      "zone0-server1@127.0.50.2",
      "vip0@127.0.50.4",
      "zone0-node0/kvm-0-0@127.0.50.5",
      "zone100-server0@127.0.50.3",
      "zone100-node0/kvm-100-0@127.0.50.6",
    ]);
  });

  it.each([
    [{ nodes: 9 }, /--nodes must be an integer from 0 to 8 \(got 9\)/],
    [{ nodes: -1 }, /--nodes must be an integer from 0 to 8 \(got -1\)/],
    [{ nodes: 1.5 }, /--nodes must be an integer from 0 to 8 \(got 1\.5\)/],
  ])("refuses %j", (o, message) => {
    expect(() => planSandbox({ dir: PLAN, ...o }, "n", "e")).toThrow(message);
  });
});

describe("a sandbox with nodes", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ nodes: 2, ha: [101], servers: 2 })));
  afterAll(() => sb.remove());

  it("lists the nodes per zone in federation.yaml and lets onefed manage the hosts", () => {
    const yaml = fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8");
    expect(yaml).toMatch(/^hosts: \{ manage: true \}\nzones:$/m);
    expect(yaml).toContain(
      '  - { id: 0,   name: M-EU-FR, role: master, endpoint: "http://127.0.50.1:2633/RPC2", frontends: [ { host: 127.0.50.1, port: 22 } ], nodes: [ { name: kvm-0-0, host: 127.0.50.6, port: 22 }, { name: kvm-0-1, host: 127.0.50.7, port: 22 } ] }\n',
    );
    expect(yaml).toContain("nodes: [ { name: kvm-101-0, host: 127.0.50.10, port: 22 }, { name: kvm-101-1, host: 127.0.50.11, port: 22 } ] }\n");
  });

  it("names the zone's host pool after its nodes, on every server of an HA zone", () => {
    expect(sb.run(MASTER, "onehost list --csv").stdout).toBe(
      "ID,NAME,CLUSTER,TVM,ALLOCATED_CPU,ALLOCATED_MEM,STAT\n0,kvm-0-0,default,0,0 / 800 (0%),0K / 15.5G (0%),on\n1,kvm-0-1,default,0,0 / 800 (0%),0K / 15.5G (0%),on\n",
    );
    for (const fe of ["zone101-server0", "zone101-server1"])
      expect(sb.run(fe, "onehost list --csv --no-header").stdout).toMatch(/^0,kvm-101-0,.*\n1,kvm-101-1,.*\n$/);
  });

  it("has opennebula-node-kvm of the from release and libvirtd, but no oned and no OpenNebula CLI", () => {
    expect(sb.run(NODE(100), VERSION)).toEqual({ stdout: "6.10.0-1", stderr: "", code: 0 });
    expect(sb.run(NODE(100), "dpkg-query -W '-f=${Version}' opennebula")).toEqual({
      stdout: "",
      stderr: "dpkg-query: no packages found matching opennebula\n",
      code: 1,
    });
    expect(sb.run(NODE(100), "systemctl is-active libvirtd")).toEqual({ stdout: "active\n", stderr: "", code: 0 });
    expect(sb.run(NODE(100), "systemctl is-active opennebula")).toEqual({ stdout: "inactive\n", stderr: "", code: 3 });
    expect(sb.run(NODE(100), "systemctl restart opennebula")).toEqual({
      stdout: "",
      stderr: "Failed to restart opennebula.service: Unit opennebula.service not found.\n",
      code: 5,
    });
    expect(sb.run(NODE(100), "onehost list").code).toBe(127);
    expect(fs.existsSync(sb.path(NODE(100), "/var/lib/one/one.db"))).toBe(false);
  });

  it("upgrades the node package only to what the configured repository series offers, after apt-get update", () => {
    const node = NODE(100, 1);
    expect(sb.run(node, UPGRADE).stdout).toContain("opennebula-node-kvm is already the newest version (6.10.0-1).\n");
    fs.writeFileSync(sb.path(node, "/etc/apt/sources.list.d/opennebula.list"), DEBIAN_70);
    // apt installs what the last update fetched: still 6.10.
    expect(sb.run(node, UPGRADE).stdout).toContain("opennebula-node-kvm is already the newest version (6.10.0-1).\n");
    expect(sb.run(node, "apt-get update -q").code).toBe(0);
    const r = sb.run(node, UPGRADE);
    expect(r).toMatchObject({ stderr: "", code: 0 });
    expect(r.stdout).toContain("Unpacking opennebula-node-kvm (7.0.0-1) over (6.10.0-1) ...\n");
    expect(sb.run(node, VERSION).stdout).toBe("7.0.0-1");
    expect(sb.run(node, "systemctl restart libvirtd && systemctl is-active libvirtd")).toEqual({ stdout: "active\n", stderr: "", code: 0 });
    // The other node of the zone is untouched.
    expect(sb.run(NODE(100, 0), VERSION).stdout).toBe("6.10.0-1");
  });

  it("refuses a repository series that does not exist, leaving the package alone", () => {
    const node = NODE(0, 1);
    fs.writeFileSync(sb.path(node, "/etc/apt/sources.list.d/opennebula.list"), DEBIAN_70.replace("7.0", "9.9"));
    const r = sb.run(node, "apt-get update -q");
    expect(r.code).toBe(100);
    expect(r.stderr).toBe("E: The repository 'https://downloads.opennebula.io/repo/9.9/Debian/12 stable Release' does not have a Release file.\n");
    expect(sb.run(node, VERSION).stdout).toBe("6.10.0-1");
  });

  it("reports each node in sandboxStatus and the status table", async () => {
    const st = await sandboxStatus(sb.dir);
    expect(st.zones.map((z) => z.nodes.map((n) => n.name))).toEqual([
      ["zone0-node0", "zone0-node1"],
      ["zone100-node0", "zone100-node1"],
      ["zone101-node0", "zone101-node1"],
    ]);
    expect(st.zones[1].nodes[1]).toEqual({
      name: "zone100-node1",
      hostName: "kvm-100-1",
      host: "127.0.50.9",
      port: 22,
      sshdRunning: false,
      sshdPid: null,
      packageManager: "apt",
      packageVersion: "7.0.0",
      libvirt: "active",
      commandCount: 0,
    });
    const out: string[] = [];
    expect(await runSandboxCommand(["status", "--dir", sb.dir], (s) => out.push(s))).toBe(0);
    expect(out.join("\n")).toMatch(/^ZONE\s+NODE\s+HOST NAME\s+SSH\s+SSHD\s+PKG\s+PACKAGE\s+LIBVIRTD\s+CMDS$/m);
    expect(out.join("\n")).toMatch(/^100\s+zone100-node1\s+kvm-100-1\s+127\.0\.50\.9:22\s+down\s+apt\s+7\.0\.0\s+active\s+0$/m);
  });

  it("takes injections, state changes and log reads by node name", async () => {
    injectFailure(sb.dir, { frontend: NODE(101), match: "apt-get install", exitCode: 100, stderr: "E: Could not get lock /var/lib/dpkg/lock-frontend" });
    expect(sb.run(NODE(101), UPGRADE)).toEqual({ stdout: "", stderr: "E: Could not get lock /var/lib/dpkg/lock-frontend\n", code: 100 });
    setFrontendState(sb.dir, NODE(101), { services: { libvirtd: "failed" } });
    expect(sb.run(NODE(101), "systemctl is-active libvirtd")).toEqual({ stdout: "failed\n", stderr: "", code: 3 });
    setFrontendState(sb.dir, NODE(101), { packageVersion: "7.0.0" });
    expect(sb.run(NODE(101), VERSION).stdout).toBe("7.0.0-1");
    expect((await sandboxStatus(sb.dir)).zones[2].nodes[0]).toMatchObject({ packageVersion: "7.0.0", libvirt: "failed" });
    // Only the front-end shell logs (the harness runs without it): the node's log exists and is empty.
    expect(readCommandLog(sb.dir, NODE(101))).toEqual([]);
    expect(() => readCommandLog(sb.dir, "zone101-node7")).toThrow(/no front-end or node zone101-node7 \(have .*zone101-node1/);
  });

  it("keeps nodes out of everything federated: zones, Raft and replication see only front-ends", () => {
    const reg = readRegistry(new SandboxLayout(sb.dir))!;
    expect(reg.zones.map((z) => z.frontends.length)).toEqual([1, 1, 2]);
    expect(sb.run(SLAVE_GE, "onezone list --csv -l ID,ENDPOINT").stdout).toBe(
      "ID,ENDPOINT\n0,http://127.0.50.1:2633/RPC2\n100,http://127.0.50.2:2633/RPC2\n101,http://127.0.50.5:2633/RPC2\n",
    );
  });
});
