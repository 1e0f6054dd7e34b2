/**
 * `onefed rollback --all` of a federation with hypervisor hosts (1+1 on 127.0.181.x, one KVM host
 * per zone, the slave RHEL-like with dnf), real sshd and a real engine: the upgrade moves every
 * host's node package to 7.0.0; the rollback takes each one back to 6.10.0 with the host's own
 * package manager while its zone is down (after the front-end's reinstall, before its start and
 * the hosts' `onehost sync`), restarts libvirtd, enables the hosts the upgrade disabled once the
 * freeze is lifted (a disabled zone refuses `onehost enable`), and a second rollback changes nothing
 * on a host.
 */
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(1_200_000);

describeAsRoot("onefed rollback --all with hypervisor hosts (1+1, a dnf slave, a KVM host per zone)", () => {
  let sandbox: SandboxFixture;
  const nodeVersions = async () => (await sandbox.status()).zones.flatMap((z) => z.nodes.map((n) => `${n.name} ${n.packageVersion}`));

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.181.1", 1, { nodes: 1, dnfZones: [100] });
    await sandbox.deploy();
  });
  afterAll(async () => sandbox?.down());

  it("upgraded the hosts' node packages first", async () => {
    expect(await nodeVersions()).toEqual(["zone0-node0 7.0.0", "zone100-node0 7.0.0"]);
  });

  it("takes every host back to 6.10.0 while its zone is down, before the zone starts; libvirtd restarted", async () => {
    const from = sandbox.log().length;
    const r = await runOnefed(["rollback", "--all", "--yes", "--config", sandbox.configPath], sandbox.dir);
    if (r.code !== 0) console.log(r.output.split("\n").slice(-30).join("\n"));
    expect(`${r.code}\n${r.output}`).toMatch(/^0\n/);
    expect(await nodeVersions()).toEqual(["zone0-node0 6.10.0", "zone100-node0 6.10.0"]);
    expect(r.output).toMatch(/node packages of kvm-0-0 back at 6\.10\.0/);
    const log = sandbox.log().slice(from);
    for (const [zone, node, downgrade] of [
      ["zone0-server0", "zone0-node0", /apt-get install -y -q --allow-downgrades .*opennebula-node-kvm=6\.10\.0-1$/],
      ["zone100-server0", "zone100-node0", /^dnf -y -q downgrade opennebula-node-kvm-6\.10\.0$/],
    ] as const) {
      const at = (fe: string, re: RegExp) => log.findIndex((e) => e.frontend === fe && re.test(e.command));
      const moved = at(node, downgrade);
      expect(moved).toBeGreaterThan(at(zone, /opennebula=6\.10\.0-1|downgrade opennebula-6\.10\.0/));
      expect(moved).toBeLessThan(at(zone, /^systemctl start/));
      expect(at(node, /^systemctl restart libvirtd$/)).toBeGreaterThan(moved);
      // The hosts the upgrade disabled are enabled again once the freeze is lifted: a disabled zone refuses every write.
      expect(at(zone, /^onehost enable \d+$/)).toBeGreaterThan(log.findIndex((e) => e.frontend === "zone0-server0" && /^onezone enable 0$/.test(e.command)));
    }
    expect(r.output).not.toMatch(/Cannot process request/);
  });

  it("a second rollback changes nothing on a host", async () => {
    const from = sandbox.log().length;
    const r = await runOnefed(["rollback", "--all", "--yes", "--config", sandbox.configPath], sandbox.dir);
    expect(r.code).toBe(0);
    expect(
      sandbox
        .log()
        .slice(from)
        .filter((e) => /node/.test(e.frontend) && /apt-get|dnf|systemctl restart/.test(e.command)),
    ).toEqual([]);
  });
});
