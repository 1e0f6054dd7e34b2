/**
 * 6.0 → 6.2: `onezone disable` does not exist yet, so the freeze filters the master's API with
 * firewall rules; the run upgrades every zone and leaves no rule behind.
 */
import { describeAsRoot, firstIndex, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("a 6.0 → 6.2 federation (firewall freeze)", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.68.1", 2, { from: "6.0.0", to: "6.2.0" });
  });
  afterAll(async () => sandbox?.down());

  it("freezes with the firewall, upgrades, and removes exactly its rules", async () => {
    await sandbox.deploy();
    const status = await sandbox.status();
    expect(status.zones.map((z) => [z.frontends[0].packageVersion, z.frontends[0].db.shared, z.frontends[0].services["opennebula"]])).toEqual([
      ["6.2.0", "6.2.0", "active"],
      ["6.2.0", "6.2.0", "active"],
      ["6.2.0", "6.2.0", "active"],
    ]);
    for (const z of status.zones) expect((z.frontends[0] as unknown as { firewall: string[] }).firewall).toEqual([]);

    const log = sandbox.log();
    const master = "zone0-server0";
    const insert = firstIndex(log, /^iptables -I INPUT /, master);
    const stop = firstIndex(log, /^systemctl stop /, master);
    const start = firstIndex(log, /^systemctl start /, master);
    const remove = firstIndex(log, /^iptables -D INPUT /, master);
    expect(insert).toBeGreaterThanOrEqual(0);
    expect(insert).toBeLessThan(stop);
    expect(remove).toBeGreaterThan(start);
    expect(log.filter((e) => /^onezone (disable|enable)/.test(e.command))).toEqual([]);
    expect(log.filter((e) => e.frontend !== master && /^iptables/.test(e.command))).toEqual([]);
  });
});
