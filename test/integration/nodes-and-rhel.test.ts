/**
 * Hypervisor node packages and a RHEL-family zone, end to end on real sshd with a real engine:
 * zone 100 runs dnf, every zone has two KVM hosts listed under `nodes`. The node packages move to
 * the target after the zone runs it and before `onehost sync`; the dnf zone never sees apt. A host
 * whose SSH key changed stops the run at the preflight, before any zone changes.
 */
import { refreshKnownHosts, rekeyFrontend } from "../../sandbox";
import { changesSince, describeAsRoot, firstIndex, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

describeAsRoot("node packages and a dnf zone", () => {
  let sandbox: SandboxFixture;
  let output = "";
  let refused = "";
  let changedByRefusedRun: string[] = [];

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.73.1", 2, { nodes: 2, dnfZones: [100] });
    // A listed host with a new SSH key: the preflight must refuse before any zone is touched.
    await rekeyFrontend(sandbox.dir, "zone101-node1");
    refused = await sandbox.failedDeploy();
    changedByRefusedRun = sandbox
      .log()
      .filter((e) => /^(iptables -I|onezone disable|onehost disable|systemctl stop)|onedb (backup|restore|upgrade)|apt-get install|dnf -y/.test(e.command))
      .map((e) => `${e.frontend}: ${e.command}`);
    refreshKnownHosts(sandbox.dir);
    output = await sandbox.deploy();
  });

  it("refused a host whose key changed at the preflight, naming it, with nothing changed", () => {
    expect(refused).toMatch(/host key/i);
    expect(refused).toMatch(/127\.0\.73\.9:22/);
    expect(refused).toMatch(/SHA256:/);
    expect(changedByRefusedRun).toEqual([]);
  });
  afterAll(async () => sandbox?.down());

  it("upgrades every front-end and every listed host, libvirtd running again", async () => {
    expect(output).toMatch(/Apply complete!/);
    const status = await sandbox.status();
    for (const zone of status.zones) {
      for (const fe of zone.frontends) expect({ fe: fe.name, pkg: fe.packageVersion }).toEqual({ fe: fe.name, pkg: "7.0.0" });
      expect(zone.nodes.map((n) => [n.hostName, n.packageVersion, n.libvirt])).toEqual([
        [`kvm-${zone.id}-0`, "7.0.0", "active"],
        [`kvm-${zone.id}-1`, "7.0.0", "active"],
      ]);
      expect(zone.frontends[0].hosts.every((h) => h.state === "on")).toBe(true);
    }
  });

  it("upgraded the node packages after the zone's start and before onehost sync", () => {
    const log = sandbox.log();
    for (const id of [0, 100, 101]) {
      const fe = `zone${id}-server0`;
      const start = firstIndex(log, /^systemctl start /, fe);
      const sync = firstIndex(log, /^onehost sync --force$/, fe);
      expect(start).toBeGreaterThan(-1);
      for (const n of [0, 1]) {
        const node = `zone${id}-node${n}`;
        // The install, not the download before the freeze (which names the same package).
        const upgrade = firstIndex(log, /^(?!.*(--download-only|--downloadonly|--print-uris)).*(--only-upgrade|upgrade) .*opennebula-node-kvm$/, node);
        const restart = firstIndex(log, /^systemctl restart libvirtd$/, node);
        expect(upgrade).toBeGreaterThan(start);
        expect(restart).toBeGreaterThan(upgrade);
        expect(sync).toBeGreaterThan(restart);
      }
    }
  });

  it("downloaded the packages on every front-end and listed host before the first write of the upgrade", () => {
    const log = sandbox.log();
    const firstWrite = firstIndex(log, /^(onezone disable|onehost disable|systemctl stop )/);
    expect(firstWrite).toBeGreaterThan(-1);
    for (const id of [0, 100, 101]) {
      for (const m of [`zone${id}-server0`, `zone${id}-node0`, `zone${id}-node1`]) {
        const download = firstIndex(log, /(apt-get install --download-only|upgrade --downloadonly) /, m);
        expect(`${m}: ${download}`).not.toMatch(/: -1$/);
        expect(download).toBeLessThan(firstWrite);
      }
    }
  });

  it("drove the dnf zone with rpm and dnf only, and the others with apt", () => {
    for (const m of ["zone100-server0", "zone100-node0", "zone100-node1"]) {
      const lines = sandbox.log(m).map((e) => e.command);
      expect(lines.some((l) => /apt-get|dpkg-query/.test(l))).toBe(false);
      expect(lines.some((l) => /^dnf -y -q upgrade /.test(l))).toBe(true);
      expect(lines.some((l) => l.includes("/etc/yum.repos.d/opennebula.repo") && l.includes("/repo/7.0/RedHat/"))).toBe(true);
    }
    expect(sandbox.log("zone101-server0").some((e) => /apt-get install .*--only-upgrade/.test(e.command))).toBe(true);
  });

  it("changes nothing anywhere when deployed again: it only reads the master's ledger", async () => {
    const before = sandbox.log().length;
    const nodeCounts = (await sandbox.status()).zones.flatMap((z) => z.nodes.map((m) => m.commandCount));
    expect(await sandbox.deploy()).toMatch(/No changes\.|Resources: 0 added/);
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    expect((await sandbox.status()).zones.flatMap((z) => z.nodes.map((m) => m.commandCount))).toEqual(nodeCounts);
  });
});
