/**
 * The federated backup lost on both ends while a slave still needs it: the run dies during zone
 * 101's restore, after zone 100 restored and the master started again; then the automation host's
 * artifact directory and the master's copy are both gone. The next deploy alone must finish the
 * upgrade: reconcile forgets the lost backup, the backup step stops the running master (the
 * federation still frozen), exports anew, starts it again, and zone 101 restores from the new export.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { artifactPaths } from "../../lib/model/paths";
import { holdCommand, releaseCommand, waitUntilHeld } from "../../sandbox";
import { describeAsRoot, until, SandboxFixture } from "../support/sandbox-fixture";
import { loadConfig } from "../../lib/config/load-config";

jest.setTimeout(600_000);

const MASTER = "zone0-server0";
const GE = "zone100-server0";
const CA = "zone101-server0";

describeAsRoot("the federated backup lost on the automation host and on the master, mid-upgrade", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.124.1");
  });
  afterAll(async () => sandbox?.down());

  it("the next deploy takes it anew from the master, stopped and started again while frozen, and finishes the upgrade", async () => {
    holdCommand(sandbox.dir, { frontend: CA, match: "onedb restore" });
    const killed = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, CA, { match: "onedb restore", timeoutMs: 240_000 });
    await until("zone 100's restore and the master's start are recorded", () => sandbox.recorded("restore", 100) && sandbox.recorded("start", 0), 120_000);
    killed.killGroup("SIGKILL");
    await killed.exited;
    await releaseCommand(sandbox.dir, CA, { kill: true });

    const artifact = artifactPaths(loadConfig(sandbox.configPath));
    const first = sandbox.ledger().entries.find((e) => e.step === "backup")!.evidence;
    fs.rmSync(path.join(sandbox.dir, "artifacts"), { recursive: true });
    fs.rmSync(sandbox.frontendPath(MASTER, artifact.remotePath));
    const masterBefore = sandbox.log(MASTER).length;

    const r = await sandbox.startDeploy().finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-4000) }).toEqual({ code: 0, tail: "" });
    expect(r.output).toMatch(/reconcile: the federated backup \(sha256 [0-9a-f]{64}\) is on neither this host nor the master, and zone 101 still needs it/);

    const master = sandbox
      .log(MASTER)
      .slice(masterBefore)
      .map((e) => e.command);
    const stopAt = master.findIndex((c) => /^systemctl stop /.test(c));
    const exportAt = master.findIndex((c) => /^onedb backup -v --federated /.test(c));
    const startAt = master.findIndex((c, i) => i > exportAt && /^systemctl start /.test(c));
    // Stopped while frozen (every zone still disabled), exported, started again; nothing else changed it.
    expect(stopAt).toBeGreaterThanOrEqual(0);
    expect(stopAt).toBeLessThan(exportAt);
    expect(exportAt).toBeLessThan(startAt);
    expect(master.filter((c) => /^onezone enable /.test(c)).length).toBeLessThanOrEqual(1);
    expect(master.some((c) => /^onedb (upgrade|restore) /.test(c))).toBe(false);

    const ledger = sandbox.ledger();
    const retaken = ledger.entries.find((e) => e.step === "backup")!.evidence;
    expect(retaken.content_digest).toBe(ledger.entries.find((e) => e.step === "restore" && e.zone_id === 100)!.evidence.content_digest);
    expect(retaken.content_digest).toBe(ledger.entries.find((e) => e.step === "restore" && e.zone_id === 101)!.evidence.content_digest);
    // The export is back on this host, proven against what the ledger now records.
    expect(crypto.createHash("sha256").update(fs.readFileSync(artifact.localPath)).digest("hex")).toBe(retaken.artifact_sha256);
    expect(first.content_digest).toBe(retaken.content_digest);
    expect(ledger.events.map((e) => e.what)).toContain("backup-lost");
    // Zone 100's restore stands (recorded for the same content); zone 101 restored once more, from the new export.
    expect(sandbox.log(GE).filter((e) => /^onedb restore /.test(e.command))).toHaveLength(1);
    const status = await sandbox.status();
    for (const z of status.zones) expect([z.id, z.frontends[0].packageVersion, z.frontends[0].db.shared]).toEqual([z.id, "7.0.0", "7.0.0"]);
    expect(ledger.lock).toBeUndefined();
  });
});
