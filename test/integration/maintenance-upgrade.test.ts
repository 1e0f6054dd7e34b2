/**
 * Type A (maintenance, 6.10.0 → 6.10.5): zones upgrade on their own, no freeze and no federated
 * backup, and one zone's failure does not block the others. Zone 100 is an HA zone of three
 * servers: its maintenance upgrade follows the HA procedure on its own.
 */
import { injectFailure } from "../../sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("type A upgrade, zone by zone", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.66.1", 2, { to: "6.10.5", ha: [100], servers: 3 });
  });
  afterAll(async () => sandbox?.down());

  it("upgrades the healthy zones while one fails, then finishes that one on the next deploy", async () => {
    injectFailure(sandbox.dir, {
      frontend: "zone101-server0",
      match: "apt-get install -y",
      times: 1,
      exitCode: 100,
      stderr: "E: Could not get lock /var/lib/dpkg/lock-frontend",
    });
    const failure = sandbox.deploy();
    await expect(failure).rejects.toThrow(/apply failed/);
    const output: string = await failure.catch((e) => e.output);
    expect(output).toMatch(/zone 101 \(S-US-CA\), front-end 127\.0\.66\.5:22: `env DEBIAN_FRONTEND=noninteractive apt-get install .*` exited with 100/);

    const versions = async () => (await sandbox.status()).zones.flatMap((z) => z.frontends.map((f) => [f.name, f.packageVersion, f.services["opennebula"]]));
    expect(await versions()).toEqual([
      ["zone0-server0", "6.10.5", "active"],
      ["zone100-server0", "6.10.5", "active"],
      ["zone100-server1", "6.10.5", "active"],
      ["zone100-server2", "6.10.5", "active"],
      ["zone101-server0", "6.10.0", "inactive"],
    ]);
    const log = sandbox.log();
    expect(log.filter((e) => /^onezone (disable|enable)|^onedb (backup -v --federated|restore .*--federated)/.test(e.command))).toEqual([]);
    // The HA zone: followers stopped before the leader, the leader's DB handed to both followers.
    const stops = log.filter((e) => e.frontend.startsWith("zone100-") && /^systemctl stop /.test(e.command)).map((e) => e.frontend);
    expect(stops[stops.length - 1]).toBe("zone100-server0");
    for (const f of ["zone100-server1", "zone100-server2"]) expect(log.some((e) => e.frontend === f && /^onedb restore -v -f /.test(e.command))).toBe(true);
    expect((await sandbox.status()).zones[1].frontends.map((f) => f.raft).sort()).toEqual(["follower", "follower", "leader"]);

    await sandbox.deploy();
    expect((await versions()).every(([, v, s]) => v === "6.10.5" && s === "active")).toBe(true);
  });
});
