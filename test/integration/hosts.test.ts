/**
 * hosts.manage: each zone's enabled hosts are disabled before its freeze and enabled again (then
 * synced) after its unfreeze; a host the operator had disabled stays disabled.
 */
import * as fs from "fs";
import { loadConfig } from "../../lib/config/load-config";
import { connectFrontend } from "../../lib/run/connector";
import { Deadline } from "../../lib/remote/ssh/deadline";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("hypervisor hosts", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.69.1");
    fs.appendFileSync(sandbox.configPath, "hosts: { manage: true }\n");
    // The operator keeps host 1 of zone 100 disabled for maintenance of its own.
    const config = loadConfig(sandbox.configPath);
    const { frontend, session } = await connectFrontend(config, config.slaves[0], new Deadline(60), () => undefined);
    await frontend.setHostEnabled(1, false);
    session.close();
  });
  afterAll(async () => sandbox?.down());

  it("disables hosts before the freeze, re-enables exactly those after it, then syncs", async () => {
    await sandbox.deploy();
    const status = await sandbox.status();
    const hosts = status.zones.map((z) => [z.id, z.frontends[0].hosts.map((h) => h.state)]);
    expect(hosts).toEqual([
      [0, ["on", "on"]],
      [100, ["on", "off"]],
      [101, ["on", "on"]],
    ]);
    for (const z of status.zones) expect(z.frontends[0].hostsSyncedAt).toBeDefined();

    const log = sandbox.log("zone100-server0").map((e) => e.command);
    const at = (re: RegExp) => log.findIndex((c) => re.test(c));
    expect(at(/^onehost disable 0$/)).toBeLessThan(at(/^onezone disable 100 /));
    expect(at(/^onehost enable 0$/)).toBeGreaterThan(at(/^onezone enable 100 /));
    expect(log.filter((c) => /^onehost (disable|enable) 1$/.test(c))).toEqual(["onehost disable 1"]);
    expect(at(/^onehost sync --force$/)).toBeGreaterThan(at(/^onehost enable 0$/));
  });
});
