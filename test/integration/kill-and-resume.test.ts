/**
 * A deploy killed where it hurts most, and the deploy after it: SIGKILL of the whole process tree
 * (a lost CI runner) during zone 100's freeze, its safety backup, the master's upgrade and a
 * restore; then terraform alone killed; then SIGTERM (a CI cancel). Each time the command logs,
 * the ledger and the safety backups on the front-ends must show that nothing ran out of order and
 * nothing was lost, and the next deploy must carry the upgrade on to its end.
 *
 * The kills are chained on one sandbox to keep the file fast: each deploy resumes the previous one,
 * gets past the point where that one died, and is killed at the next point.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { holdCommand, injectFailure, releaseCommand, waitUntilHeld } from "../../sandbox";
import { sqliteQuery } from "../../sandbox/sqlite";
import { describeAsRoot, until, firstIndex, OnefedProcess, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const MASTER = "zone0-server0";
const GE = "zone100-server0";
const CA = "zone101-server0";

/** Waits until the hold catches its command; fails with the deploy's output if the deploy ends first. */
async function heldDuring(sandbox: SandboxFixture, deploy: OnefedProcess, frontend: string, match: string): Promise<void> {
  const ended = deploy.exited.then((r) => {
    throw new Error(`the deploy ended (${r.code ?? r.signal}) before ${frontend} ran a command containing ${JSON.stringify(match)}:\n${deploy.output}`);
  });
  await Promise.race([waitUntilHeld(sandbox.dir, frontend, { match, timeoutMs: 240_000 }), ended]);
}

/** The whole deploy tree dies at once, as when the CI runner's VM is lost. */
async function killTree(deploy: OnefedProcess): Promise<void> {
  deploy.killGroup("SIGKILL");
  expect((await deploy.exited).signal).toBe("SIGKILL");
}

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function tables(sandbox: SandboxFixture, fe: string): string[] {
  return sqliteQuery<{ name: string }>(sandbox.frontendPath(fe, "/var/lib/one/one.db"), "SELECT name FROM sqlite_master WHERE type='table'").map((t) => t.name);
}

function federatedLog(sandbox: SandboxFixture, fe: string): string {
  return JSON.stringify(
    sqliteQuery(sandbox.frontendPath(fe, "/var/lib/one/one.db"), "SELECT log_index, fed_index, sqlcmd FROM logdb WHERE fed_index != -1 ORDER BY fed_index"),
  );
}

function processGone(pid: number): boolean {
  return !fs.existsSync(`/proc/${pid}`) || /^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
}

describeAsRoot("SIGKILL of the whole deploy, at four points in turn, then deploy again", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.120.1");
  });
  afterAll(async () => sandbox?.down());

  const commands = (fe?: string) => sandbox.log(fe).map((e) => e.command);

  it("killed during zone 100's freeze: nothing stops, zone 100 stays enabled, the lock stays with the run", async () => {
    holdCommand(sandbox.dir, { frontend: GE, match: "onezone disable 100" });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, GE, "onezone disable 100");
    await killTree(deploy);
    await releaseCommand(sandbox.dir, GE, { kill: true });

    expect(commands().filter((c) => /^systemctl stop /.test(c))).toEqual([]);
    expect((await sandbox.status()).zones[0].frontends[0].zoneStates["100"]).toBe("ENABLED");
    // Without a terminal every line starts with its UTC time (docs/events.md).
    const run = /^(?:\S+Z )?run (\S+) \(state lineage ([0-9a-f-]+)\)/m.exec(deploy.output)!;
    expect(sandbox.ledger().lock).toMatchObject({ run_id: run[1], lineage: run[2] });
    expect(sandbox.recorded("freeze", 100)).toBe(false);
  });

  it("killed during zone 100's safety backup: the resumed run froze zone 100 before any zone stopped, and recorded no backup", async () => {
    const before = sandbox.log().length;
    const lockBefore = sandbox.ledger().lock!;
    holdCommand(sandbox.dir, { frontend: GE, match: "onedb backup -v -f /var/lib/one/backups/onefed/sandbox-zone100-full-before" });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, GE, "onedb backup -v -f /var/lib/one/backups/onefed/sandbox-zone100-full-before");
    await killTree(deploy);
    await releaseCommand(sandbox.dir, GE, { kill: true });

    const log = sandbox.log();
    const firstStop = firstIndex(log, /^systemctl stop /);
    expect(firstStop).toBeGreaterThan(before);
    // The freeze of the killed run never happened: this run froze zone 100 itself, then the master, before any stop.
    expect(firstIndex(log.slice(before), /^onezone disable 100 /, GE) + before).toBeLessThan(firstStop);
    expect(firstIndex(log.slice(before), /^onezone disable 0 /, MASTER) + before).toBeLessThan(firstStop);
    const states = (await sandbox.status()).zones[0].frontends[0].zoneStates;
    expect(states).toEqual({ "0": "DISABLED", "100": "DISABLED", "101": "DISABLED" });
    // The same upgrade (same state lineage) took the lock over; the safety backup is not recorded.
    const ledger = sandbox.ledger();
    expect(ledger.lock).toMatchObject({ lineage: lockBefore.lineage, since: lockBefore.since });
    expect(ledger.lock!.run_id).not.toBe(lockBefore.run_id);
    expect(sandbox.recorded("freeze", 100)).toBe(true);
    expect(sandbox.recorded("safety-backup", 100)).toBe(false);
    expect((await sandbox.status()).zones[1].frontends[0].packageVersion).toBe("6.10.0");
  });

  it("killed during the master's upgrade: every safety backup recorded and intact, no schema upgraded", async () => {
    holdCommand(sandbox.dir, { frontend: MASTER, match: "onedb upgrade" });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, MASTER, "onedb upgrade");
    await killTree(deploy);
    await releaseCommand(sandbox.dir, MASTER, { kill: true });

    for (const id of [0, 100, 101]) {
      const entry = sandbox.ledger().entries.find((e) => e.step === "safety-backup" && e.zone_id === id);
      const record = entry?.evidence.record as { path: string; sha256: string } | undefined;
      expect(record).toBeDefined();
      expect(sha256(sandbox.frontendPath(`zone${id}-server0`, record!.path))).toBe(record!.sha256);
    }
    expect(sandbox.recorded("upgrade", 0)).toBe(false);
    // The master's upgrade step had moved its packages when it reached `onedb upgrade`; no schema moved, no slave changed.
    const status = await sandbox.status();
    expect(status.zones.map((z) => `${z.frontends[0].packageVersion} ${z.frontends[0].db.shared}`)).toEqual(["7.0.0 6.10.0", "6.10.0 6.10.0", "6.10.0 6.10.0"]);
  });

  it("the local artifact lost before the restores: both fetch it again; killed during zone 101's restore, which dies half-way: logdb missing, the restore not recorded", async () => {
    // Held when the master's backup step records the artifact it fetched: the restores come next.
    // " w ": the transaction that writes the entry (a step's begin names entries too, in its checks: `a NAME`, `e NAME`).
    holdCommand(sandbox.dir, { frontend: MASTER, match: " w backup.zone-0.json " });
    holdCommand(sandbox.dir, { frontend: CA, match: "onedb restore" });
    // 0.9 of the statements: db_versioning restored, logdb dropped and not restored (its rows come last).
    injectFailure(sandbox.dir, { frontend: CA, match: "onedb restore", partial: 0.9 });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, MASTER, " w backup.zone-0.json ");
    const artifact = fs.readdirSync(path.join(sandbox.dir, "artifacts")).find((f) => f.endsWith(".sql"))!;
    fs.rmSync(path.join(sandbox.dir, "artifacts", artifact));
    await releaseCommand(sandbox.dir, MASTER);
    await heldDuring(sandbox, deploy, CA, "onedb restore");
    // Zone 100's restore, from the artifact fetched again, goes on meanwhile.
    await until("zone 100's restore is recorded", () => sandbox.recorded("restore", 100), 60_000);
    expect(deploy.output.match(/artifact .* is missing: fetching it again from the master/g)?.length).toBeGreaterThanOrEqual(1);
    const backup = sandbox.ledger().entries.find((e) => e.step === "backup")!.evidence as { artifact_sha256: string };
    expect(sha256(path.join(sandbox.dir, "artifacts", artifact))).toBe(backup.artifact_sha256);
    await killTree(deploy);
    const held = await releaseCommand(sandbox.dir, CA);
    const deadline = Date.now() + 20_000;
    while (!processGone(held!.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    expect(tables(sandbox, CA)).not.toContain("logdb");
    expect((await sandbox.status()).zones[2].frontends[0].db.shared).toBe("7.0.0");
    expect(sandbox.recorded("upgrade", 0)).toBe(true);
    expect(sandbox.recorded("restore", 101)).toBe(false);
  });

  it("the next deploy, from a new runner without the artifact directory, completes: the restore is redone from the artifact fetched again (logdb complete), every zone upgraded after its own safety backup, the records back from the ledger", async () => {
    // A new CI runner: the local artifact directory is gone entirely, the federated backup and the safety-backup records with it.
    fs.rmSync(path.join(sandbox.dir, "artifacts"), { recursive: true });
    const deploy = sandbox.startDeploy();
    const r = await deploy.finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    expect(r.output).toMatch(
      /reconcile: the state claims \d+ step\(s\) the federation's ledger does not prove \([^)]*restore of zone 101[^)]*\); they run again: .*null_resource\.zone_101_restore_to_start/,
    );

    const status = await sandbox.status();
    for (const z of status.zones)
      expect([z.id, z.frontends[0].packageVersion, z.frontends[0].db.shared, z.frontends[0].db.local]).toEqual([z.id, "7.0.0", "7.0.0", "7.0.0"]);
    expect(federatedLog(sandbox, CA)).toBe(federatedLog(sandbox, MASTER));
    expect(commands(CA).filter((c) => /^onedb restore /.test(c))).toHaveLength(2);
    const ledger = sandbox.ledger();
    // The artifact was fetched again from the master and proven against the sha256 the ledger recorded at backup time.
    const backup = ledger.entries.find((e) => e.step === "backup" && e.zone_id === 0)!.evidence as { artifact_sha256: string; artifact_file: string };
    expect(r.output).toMatch(/artifact .* is missing: fetching it again from the master/);
    expect(sha256(path.join(sandbox.dir, "artifacts", backup.artifact_file))).toBe(backup.artifact_sha256);
    // The rollback information is back on this host, from the ledger, and in the outputs.
    for (const id of [0, 100, 101]) {
      const recorded = ledger.entries.find((e) => e.step === "safety-backup" && e.zone_id === id)!.evidence.record;
      expect(JSON.parse(fs.readFileSync(path.join(sandbox.dir, "artifacts", "safety-backups", `zone-${id}.json`), "utf8"))).toEqual(recorded);
      expect(r.output).toContain(`safety_backup_zone_${id} = {`);
    }
    expect(ledger.lock).toBeUndefined();
    expect(
      ledger.entries
        .filter((e) => e.step === "verify")
        .map((e) => e.zone_id)
        .sort(),
    ).toEqual([0, 100, 101]);

    // Order across all five runs: no zone was enabled again before every upgrade was done, and no
    // zone's packages or schema moved before its safety backup was taken and recorded.
    const log = sandbox.log();
    const lastUpgrade = log.map((e, i) => (/^onedb upgrade /.test(e.command) ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(firstIndex(log, /^onezone enable /)).toBeGreaterThan(lastUpgrade);
    for (const id of [0, 100, 101]) {
      const record = ledger.entries.find((e) => e.step === "safety-backup" && e.zone_id === id)!.evidence.record as {
        path: string;
        sha256: string;
        taken_at: string;
      };
      expect(sha256(sandbox.frontendPath(`zone${id}-server0`, record.path))).toBe(record.sha256);
      const firstChange = log.find((e) => e.frontend === `zone${id}-server0` && /apt-get install -y |^onedb upgrade /.test(e.command))!;
      expect(record.taken_at < firstChange.ts).toBe(true);
    }
  });
});

/** The direct children of a process whose command line matches. */
function childrenOf(pid: number, re: RegExp): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
        return (
          parseInt(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1], 10) === pid &&
          re.test(fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " "))
        );
      } catch {
        return false;
      }
    });
}

/** Every live process of a process group. */
function groupMembers(pgid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return fields[0] !== "Z" && parseInt(fields[2], 10) === pgid;
      } catch {
        return false;
      }
    });
}

describeAsRoot("terraform killed alone, then a cancelled deploy (SIGTERM), then deploy again", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.120.11");
  });
  afterAll(async () => sandbox?.down());

  it("SIGKILL of terraform alone: the orphaned step runner stops at once and sends nothing more; deploy says the apply failed", async () => {
    holdCommand(sandbox.dir, { frontend: MASTER, match: "onedb upgrade" });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, MASTER, "onedb upgrade");
    const [terraform] = childrenOf(deploy.child.pid!, /terraform/);
    // The resource's launcher (bin/onefed-step), which asks the warm runner: terraform's direct child.
    const runners = childrenOf(terraform, /\/bin\/onefed-step \S+ \S+onefed\.js step upgrade --zone 0 /);
    expect(runners).toHaveLength(1);
    process.kill(terraform, "SIGKILL");
    const r = await deploy.finished();
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/apply failed/);
    const sent = sandbox.log().length;
    // Nobody watches it any more: the runner gives up before it changes anything else.
    await until("the orphaned runner exits", () => processGone(runners[0]), 10_000);
    // Only terraform's own provider plugin outlives it (it does nothing, and is terraform's to reap): swept here.
    const left = groupMembers(deploy.child.pid!);
    expect(left.map((p) => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0.*/s, "").replace(/.*\//, ""))).toEqual(
      left.length ? ["terraform-provider-null_v2.2.0-dev.20191204185112_x5"] : [],
    );
    left.forEach((p) => process.kill(p, "SIGKILL"));
    // The command that was in flight runs to its end on the master, as it would there.
    const held = await releaseCommand(sandbox.dir, MASTER);
    await until("the held onedb upgrade ends", () => processGone(held!.pid), 20_000);
    expect(sandbox.log().length).toBe(sent);
    expect(sandbox.recorded("upgrade", 0)).toBe(false);
  });

  it("SIGTERM of onefed deploy: terraform stops gracefully, deploy exits 1 with the interrupted paragraph, no process is left", async () => {
    holdCommand(sandbox.dir, { frontend: CA, match: "onedb restore" });
    const deploy = sandbox.startDeploy();
    await heldDuring(sandbox, deploy, CA, "onedb restore");
    deploy.kill("SIGTERM");
    const r = await deploy.finished(120_000);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/onefed: SIGTERM received: stopping the deploy of federation sandbox gracefully/);
    expect(r.output).toMatch(/^(?:\S+Z )?Interrupt received\.$/m);
    expect(r.output).toMatch(
      /the deploy of federation sandbox was interrupted: terraform stopped, and the steps that were running failed and are not recorded complete/,
    );
    expect(r.output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    await until("every process of the deploy exits", () => groupMembers(deploy.child.pid!).length === 0, 20_000);
    await releaseCommand(sandbox.dir, CA, { kill: true });
    expect(sandbox.recorded("upgrade", 0)).toBe(true);
    expect(sandbox.recorded("restore", 101)).toBe(false);
  });

  it("the next deploy completes", async () => {
    const r = await sandbox.startDeploy().finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const status = await sandbox.status();
    for (const z of status.zones) expect([z.id, z.frontends[0].packageVersion, z.frontends[0].db.shared]).toEqual([z.id, "7.0.0", "7.0.0"]);
    expect(sandbox.ledger().lock).toBeUndefined();
    expect(federatedLog(sandbox, CA)).toBe(federatedLog(sandbox, MASTER));
  });
});
