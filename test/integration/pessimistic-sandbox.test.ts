/**
 * A full upgrade on a sandbox as pessimistic as a real federation (issue 15, docs/sandbox.md): the
 * CLIs need oneadmin's credential, slaves were bootstrapped standalone (is_slave=0), followers'
 * COMMIT trails, and zone 100's oned hangs during the sync wait, so every `onezone list` on the
 * master costs 5 s and shows `-` for it: the step waits, says so, and succeeds once it answers.
 */
import * as fs from "fs";
import { CommandLogEntry, readCommandLog, releaseCommand, setCliCredential, setOnedHung, waitUntilHeld, holdCommand } from "../../sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

const MASTER = "zone0-server0";
const GE = "zone100-server0";
const CA = "zone101-server0";

/** Commands that change a machine: what a refused run must never send. */
const CHANGING = /^(systemctl (stop|start|restart)|onezone (enable|disable)|onedb (upgrade|restore|backup)|apt-get|env DEBIAN_FRONTEND|iptables -[IAD])/;

const changing = (log: readonly CommandLogEntry[]): string[] => log.filter((e) => CHANGING.test(e.command)).map((e) => `${e.frontend}: ${e.command}`);

/** Resolves once `onezone list --csv` ran `n` times on the master after `since` (the sync step polling). */
async function listsOnMaster(dir: string, since: string, n: number, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (readCommandLog(dir, MASTER).filter((e) => e.ts > since && e.command.startsWith("onezone list --csv")).length < n) {
    if (Date.now() > until) throw new Error(`the master ran fewer than ${n} onezone list --csv within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeAsRoot("a federation upgrade on the pessimistic sandbox", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.175.1");
  });
  afterAll(async () => sandbox?.down());

  it("starts like a real 6.10 federation: credentials in place, slaves standalone", async () => {
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => f.db.isSlave))).toEqual([false, false, false]);
  });

  it("a missing credential on zone 101: the preflight refuses with the credential hint, before any zone changes", async () => {
    setCliCredential(sandbox.dir, CA, "missing");
    const r = await sandbox.startDeploy().finished();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/ONE_AUTH file not present/);
    expect(r.output).toMatch(/The OpenNebula CLI found no credential file on this front-end: the SSH user's ~\/\.one\/one_auth/);
    expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(changing(sandbox.log())).toEqual([]);
    setCliCredential(sandbox.dir, CA, "valid");
  });

  it("zone 100 hangs during the sync wait: the step waits and names it, then the upgrade completes once it answers", async () => {
    // The master's own freeze is the last one before the sync: hang zone 100 right there.
    const freeze = "onezone disable 0";
    holdCommand(sandbox.dir, { frontend: MASTER, match: freeze });
    const deploy = sandbox.startDeploy();
    const held = await waitUntilHeld(sandbox.dir, MASTER, { match: freeze, timeoutMs: 300_000 });
    setOnedHung(sandbox.dir, GE, true);
    await releaseCommand(sandbox.dir, MASTER);
    // Two polls that each waited 5 s for zone 100, then it answers again.
    await listsOnMaster(sandbox.dir, held.heldAt, 2);
    setOnedHung(sandbox.dir, GE, false);
    const r = await deploy.finished(900_000);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(
      /FED_INDEX not equal yet \(0=\d+, 100=-, 101=\d+\): no answer from zone 100 \(S-EU-GE\) \(onezone list took (5|6|7|8|9|\d\d)\.\d s\); waiting/,
    );
    expect(r.output).toMatch(/every zone at FED_INDEX \d+/);
    const status = await sandbox.status();
    for (const zone of status.zones) {
      for (const fe of zone.frontends) {
        expect({ fe: fe.name, pkg: fe.packageVersion, db: `${fe.db.shared}/${fe.db.local}`, oned: fe.services["opennebula"] }).toEqual({
          fe: fe.name,
          pkg: "7.0.0",
          db: "7.0.0/7.0.0",
          oned: "active",
        });
        expect(Object.values(fe.zoneStates).every((s) => s === "ENABLED")).toBe(true);
      }
    }
    expect(new Set(status.zones.flatMap((z) => z.frontends.map((f) => f.fedIndex))).size).toBe(1);
    // The slaves still got the master's shared version by the federated restore, before their own upgrade.
    for (const fe of [GE, CA]) {
      const log = sandbox.log(fe).map((e) => e.command);
      const restore = log.findIndex((c) => /^onedb restore .* -v --federated$/.test(c));
      const upgrade = log.findIndex((c) => c.startsWith("onedb upgrade "));
      expect(restore).toBeGreaterThanOrEqual(0);
      expect(restore).toBeLessThan(upgrade);
    }
  });

  it("a second deploy runs nothing that changes a zone", async () => {
    const before = sandbox.log().length;
    const r = await sandbox.startDeploy().finished();
    expect(r.code).toBe(0);
    expect(changing(sandbox.log().slice(before))).toEqual([]);
  });
});

describeAsRoot("a zone that stays hung through the sync wait", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.175.101");
    // A short wait, so that the test does not sit out the default minute.
    fs.appendFileSync(sandbox.configPath, "timeouts:\n  syncWaitSeconds: 20\n");
  });
  afterAll(async () => sandbox?.down());

  it("the sync step refuses after the wait, naming the zone and what to check; nothing was stopped", async () => {
    const freeze = "onezone disable 0";
    holdCommand(sandbox.dir, { frontend: MASTER, match: freeze });
    const deploy = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, MASTER, { match: freeze, timeoutMs: 300_000 });
    setOnedHung(sandbox.dir, GE, true);
    await releaseCommand(sandbox.dir, MASTER);
    const r = await deploy.finished(900_000);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/no answer from zone 100 \(S-EU-GE\) \(onezone list took (5|6|7|8|9|\d\d)\.\d s\); waiting/);
    expect(r.output).toMatch(
      /sync refused on zone 0 \(M-EU-FR\), front-end 127\.0\.175\.101:22: expected a FED_INDEX for every zone in the master's onezone list, but found no answer from zone 100 \(S-EU-GE\) \(0=\d+, 100=-, 101=\d+\)\. Make those zones answer the master \(oned running and answering within 5 s/,
    );
    expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(sandbox.log().filter((e) => /^systemctl stop /.test(e.command))).toEqual([]);
  });

  it("once zone 100 answers again, the next deploy resumes at the sync and completes", async () => {
    setOnedHung(sandbox.dir, GE, false);
    const r = await sandbox.startDeploy().finished(900_000);
    expect(r.code).toBe(0);
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => `${f.name} ${f.packageVersion} ${f.db.shared}/${f.db.local}`))).toEqual([
      "zone0-server0 7.0.0 7.0.0/7.0.0",
      "zone100-server0 7.0.0 7.0.0/7.0.0",
      "zone101-server0 7.0.0 7.0.0/7.0.0",
    ]);
  });
});
