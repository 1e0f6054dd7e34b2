/**
 * 6.0 → 6.2: `onezone disable` does not exist yet, so the freeze filters the master's API with
 * firewall rules; the run upgrades every zone and leaves no rule behind. The master is an HA zone
 * of three servers: every one of them is closed (the leader may change while the zone restarts),
 * the Raft peers stay allowed, and every rule is gone afterwards.
 */
import { describeAsRoot, firstIndex, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("a 6.0 → 6.2 federation with an HA master (firewall freeze)", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.68.1", 2, { from: "6.0.0", to: "6.2.0", ha: [0], servers: 3 });
  });
  afterAll(async () => sandbox?.down());

  it("freezes with the firewall on every master server, upgrades, and removes exactly its rules", async () => {
    await sandbox.deploy();
    const status = await sandbox.status();
    for (const z of status.zones) {
      for (const f of z.frontends) {
        expect([f.name, f.packageVersion, f.db.shared, f.services["opennebula"]]).toEqual([f.name, "6.2.0", "6.2.0", "active"]);
        expect(f.firewall).toEqual([]);
      }
    }

    const log = sandbox.log();
    const masters = ["zone0-server0", "zone0-server1", "zone0-server2"];
    const firstStop = Math.min(...masters.map((m) => firstIndex(log, /^systemctl stop /, m)));
    const lastStart = Math.max(...masters.map((m) => firstIndex(log, /^systemctl start /, m)));
    for (const m of masters) {
      const inserts = log.filter((e) => e.frontend === m && /^iptables -I INPUT /.test(e.command)).map((e) => e.command);
      // localhost and the three Raft servers' addresses accepted, then the DROP.
      expect(inserts).toHaveLength(5);
      for (const peer of ["127.0.68.1", "127.0.68.2", "127.0.68.3"])
        expect(inserts.some((c) => c.includes(`-s ${peer} `) && c.endsWith("-j ACCEPT"))).toBe(true);
      expect(firstIndex(log, /^iptables -I INPUT /, m)).toBeLessThan(firstStop);
      expect(firstIndex(log, /^iptables -D INPUT /, m)).toBeGreaterThan(lastStart);
    }
    expect(log.filter((e) => /^onezone (disable|enable)/.test(e.command))).toEqual([]);
    expect(log.filter((e) => !masters.includes(e.frontend) && /^iptables/.test(e.command))).toEqual([]);
  });
});
