/**
 * Type A (maintenance, 6.10.0 → 6.10.5): zones upgrade on their own, no freeze and no federated
 * backup, and one zone's failure does not block the others.
 */
import { injectFailure } from "../../lib/sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("type A upgrade, zone by zone", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.66.1", 2, { to: "6.10.5" });
  });
  afterAll(async () => sandbox?.down());

  it("upgrades the healthy zones while one fails, then finishes that one on the next deploy", async () => {
    injectFailure(sandbox.dir, { frontend: "zone101-server0", match: "apt-get install", times: 1, exitCode: 100, stderr: "E: Could not get lock /var/lib/dpkg/lock-frontend" });
    const failure = sandbox.deploy();
    await expect(failure).rejects.toThrow(/apply failed/);
    const output: string = await failure.catch((e) => e.output);
    expect(output).toMatch(/zone 101 \(S-US-CA\), front-end 127\.0\.66\.3:22: `env DEBIAN_FRONTEND=noninteractive apt-get install .*` exited with 100/);

    const versions = async () => (await sandbox.status()).zones.map((z) => [z.id, z.frontends[0].packageVersion, z.frontends[0].services["opennebula"]]);
    expect(await versions()).toEqual([
      [0, "6.10.5", "active"],
      [100, "6.10.5", "active"],
      [101, "6.10.0", "inactive"],
    ]);
    const log = sandbox.log();
    expect(log.filter((e) => /^onezone (disable|enable)|^onedb (backup -v --federated|restore)/.test(e.command))).toEqual([]);

    await sandbox.deploy();
    expect(await versions()).toEqual([
      [0, "6.10.5", "active"],
      [100, "6.10.5", "active"],
      [101, "6.10.5", "active"],
    ]);
  });
});
