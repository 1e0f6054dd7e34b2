/**
 * Storage failing under an upgrade: a front-end whose backup directory is full (a real ENOSPC from a
 * tmpfs in its namespace) when the safety backup is taken, and a local artifact corrupted between
 * the federated backup and the restores. The first stops the run with one clear paragraph before
 * anything is upgraded; the second is repaired from the master's copy, proven by sha256. After each,
 * the deploy completes. (A lost artifact and a lost artifact directory: kill-and-resume.test.ts.)
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { holdCommand, releaseCommand, setDiskFull, waitUntilHeld } from "../../sandbox";
import { sqliteQuery } from "../../sandbox/sqlite";
import { CommandLogEntry } from "../../sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const MASTER = "zone0-server0";
const GE = "zone100-server0";
const CA = "zone101-server0";

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function federatedLog(sandbox: SandboxFixture, fe: string): string {
  return JSON.stringify(
    sqliteQuery(sandbox.frontendPath(fe, "/var/lib/one/one.db"), "SELECT log_index, fed_index, sqlcmd FROM logdb WHERE fed_index != -1 ORDER BY fed_index"),
  );
}

/** Commands that change a machine: what a refused run must never send. */
const CHANGING =
  /^(systemctl (stop|start|restart)|onezone (enable|disable)|onedb (upgrade|restore|backup)|apt-get|env DEBIAN_FRONTEND|iptables -[IAD]|mkdir|chmod|cp |sh -c 'umask 077)/;

function changing(log: readonly CommandLogEntry[]): string[] {
  return log.filter((e) => CHANGING.test(e.command)).map((e) => `${e.frontend}: ${e.command.slice(0, 120)}`);
}

describeAsRoot("a full disk on a front-end, then a corrupt local artifact", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.122.1");
  });
  afterAll(async () => sandbox?.down());

  it("a backup directory already full on zone 100: the preflight refuses before any zone changes", async () => {
    expect(setDiskFull(sandbox.dir, GE, true)).toEqual({ path: "/var/lib/one/backups/onefed", sizeBytes: 4096 });
    expect((await sandbox.status()).zones[1].frontends[0].diskFull).toEqual([{ path: "/var/lib/one/backups/onefed", sizeBytes: 4096 }]);
    const r = await sandbox.startDeploy().finished();
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /\[free-disk\] zone 100 \(S-EU-GE\), front-end 127\.0\.122\.2:22: expected at least 1\.0 GiB free for \/var\/lib\/one\/backups\/onefed, found 0\.0 GiB free/,
    );
    expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(changing(sandbox.log())).toEqual([]);
    expect(sandbox.ledger().lock).toBeUndefined();
    setDiskFull(sandbox.dir, GE, false);
    expect((await sandbox.status()).zones[1].frontends[0].diskFull).toEqual([]);
  });

  it("the disk filling up under zone 100's safety backup: the step fails with one paragraph; zone 100 is not touched further", async () => {
    const match = "onedb backup -v -f /var/lib/one/backups/onefed/sandbox-zone100-full-before";
    holdCommand(sandbox.dir, { frontend: GE, match });
    const deploy = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, GE, { match, timeoutMs: 240_000 });
    setDiskFull(sandbox.dir, GE, true);
    await releaseCommand(sandbox.dir, GE);
    const r = await deploy.finished();
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /zone 100 \(S-EU-GE\), front-end 127\.0\.122\.2:22: `onedb backup -v -f \/var\/lib\/one\/backups\/onefed\/sandbox-zone100-full-before-7\.0\.0\.sql` exited with 255:\s+(\S+Z\s+)?(null_resource\.zone_100_safety_backup \(local-exec\):\s+)?No space left on device @ io_write/,
    );
    expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(sandbox.recorded("safety-backup", 100)).toBe(false);
    // Without its safety backup zone 100 gets no restore and no upgrade. The master's upgrade needs
    // every zone stopped and its own safety backup, so the other branches of the graph go on.
    const log = sandbox.log(GE);
    expect(log.filter((e) => /apt-get install -y |^onedb upgrade |^onedb restore /.test(e.command)).map((e) => e.command)).toEqual([]);
    const zone100 = (await sandbox.status()).zones[1].frontends[0];
    expect([zone100.packageVersion, zone100.db.shared, zone100.db.local, zone100.services["opennebula"]]).toEqual(["6.10.0", "6.10.0", "6.10.0", "inactive"]);
  });

  it("once the disk has room again, the deploy completes; a local artifact corrupted before the restores is fetched again from the master, proven by sha256", async () => {
    setDiskFull(sandbox.dir, GE, false);
    expect((await sandbox.status()).zones[1].frontends[0].diskFull).toEqual([]);
    // Held at zone 100's safety backup, taken anew: its restore comes next, from the local artifact.
    const match = "onedb backup -v -f /var/lib/one/backups/onefed/sandbox-zone100-full-before";
    holdCommand(sandbox.dir, { frontend: GE, match });
    const deploy = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, GE, { match, timeoutMs: 240_000 });
    const artifact = fs.readdirSync(path.join(sandbox.dir, "artifacts")).find((f) => f.endsWith(".sql"))!;
    const local = path.join(sandbox.dir, "artifacts", artifact);
    const good = sha256(local);
    fs.appendFileSync(local, "DELETE FROM user_pool;\n");
    await releaseCommand(sandbox.dir, GE);
    const r = await deploy.finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });

    expect(r.output).toMatch(
      new RegExp(
        `artifact ${local.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has sha256 [0-9a-f]{64}, not the recorded ${good}: fetching it again from the master`,
      ),
    );
    expect(sha256(local)).toBe(good);
    expect(sandbox.ledger().entries.find((e) => e.step === "backup")!.evidence.artifact_sha256).toBe(good);
    for (const fe of [GE, CA]) {
      expect(federatedLog(sandbox, fe)).toBe(federatedLog(sandbox, MASTER));
      expect(sqliteQuery<{ n: number }>(sandbox.frontendPath(fe, "/var/lib/one/one.db"), "SELECT count(*) AS n FROM user_pool")[0].n).toBeGreaterThan(0);
    }
    const status = await sandbox.status();
    for (const z of status.zones) expect([z.id, z.frontends[0].packageVersion, z.frontends[0].db.shared]).toEqual([z.id, "7.0.0", "7.0.0"]);
    // The safety backup zone 100 took once its disk had room is the one the ledger records.
    const record = sandbox.ledger().entries.find((e) => e.step === "safety-backup" && e.zone_id === 100)!.evidence.record as { path: string; sha256: string };
    expect(sha256(sandbox.frontendPath(GE, record.path))).toBe(record.sha256);
  });
});
