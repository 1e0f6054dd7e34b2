/**
 * What operators and teammates do around an upgrade: every `onefed step` run by hand out of order
 * (each refused, nothing changed), two deploys with different state files at once (exactly one
 * proceeds), `onefed unfreeze` during the other's run (refused), and `onefed unfreeze --force`
 * after a failure followed by a deploy (which freezes every zone again before any stops).
 */
import * as fs from "fs";
import * as path from "path";
import { holdCommand, releaseCommand, waitUntilHeld } from "../../sandbox";
import { STEP_FACTS, STEP_NAMES } from "../../lib/model/steps";
import { loadConfig } from "../../lib/config/load-config";
import { CommandLogEntry } from "../../sandbox";
import { describeAsRoot, firstIndex, runOnefed, SandboxFixture, changeCounts, isStepBegin, ONE_UPGRADE_OF_ONE_PLUS_TWO } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const MASTER = "zone0-server0";

/** Commands that change a machine (anything but reads): what a refused run must never send. */
const CHANGING =
  /^(systemctl (stop|start|restart)|onezone (enable|disable)|onehost (enable|disable)|onedb (upgrade|restore|backup|fsck)|onecfg upgrade|apt-get|env DEBIAN_FRONTEND|iptables -[IAD]|mkdir|chmod|cp |rm |tar |sed |sh -c 'umask 077|sh -c 'printf|sh -c 'd=\$1)/;

function changing(log: readonly CommandLogEntry[]): string[] {
  return log.filter((e) => CHANGING.test(e.command) && !isStepBegin(e)).map((e) => `${e.frontend}: ${e.command.slice(0, 120)}`);
}

describeAsRoot("steps by hand, two deploys at once, unfreeze during a run", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.121.1");
  });
  afterAll(async () => sandbox?.down());

  it("refuses every step run by hand out of order on a fresh federation, changing nothing (not even the lock)", async () => {
    const config = loadConfig(sandbox.configPath);
    const runs = STEP_NAMES.filter((s) => s !== "preflight").flatMap((step) =>
      config.zones.filter((z) => STEP_FACTS[step].appliesTo(z, config)).map((z) => ({ step, zone: z.id })),
    );
    expect(runs.length).toBeGreaterThan(15);
    const results = await Promise.all(
      runs.map(async (r) => ({ ...r, ...(await runOnefed(["step", r.step, "--zone", String(r.zone), "--config", sandbox.configPath], sandbox.dir)) })),
    );
    for (const r of results) {
      expect({ step: r.step, zone: r.zone, code: r.code }).toEqual({ step: r.step, zone: r.zone, code: 1 });
      expect(r.output).toMatch(new RegExp(`${r.step} refused on zone ${r.zone} .*Nothing was changed`, "s"));
      expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    }
    expect(changing(sandbox.log())).toEqual([]);
    expect(sandbox.log().filter(isStepBegin).length).toBe(runs.length);
    expect(fs.existsSync(path.dirname(sandbox.ledgerDir()))).toBe(false);
    expect(sandbox.ledger()).toEqual({ lock: undefined, entries: [], events: [] });
    const status = await sandbox.status();
    for (const z of status.zones)
      expect([z.frontends[0].packageVersion, z.frontends[0].services["opennebula"], Object.values(z.frontends[0].zoneStates).join()]).toEqual([
        "6.10.0",
        "active",
        "ENABLED,ENABLED,ENABLED",
      ]);
  });

  it("lets exactly one of two deploys with different state files proceed; the other exits 5 naming the holder and changes nothing; unfreeze meanwhile is refused", async () => {
    const other = path.join(sandbox.dir, "federation-b.yaml");
    fs.writeFileSync(other, fs.readFileSync(sandbox.configPath, "utf8").replace("stateFile: ./terraform.tfstate", "stateFile: ./terraform-b.tfstate"));
    expect(fs.readFileSync(other, "utf8")).toContain("terraform-b.tfstate");
    holdCommand(sandbox.dir, { frontend: MASTER, match: "onedb upgrade" });
    const a = sandbox.startDeploy();
    const b = sandbox.startDeploy(other, path.join(sandbox.dir, "cdktf-b.out"));
    const first = await Promise.race([a.exited.then(() => "a"), b.exited.then(() => "b")]);
    const [loser, winner] = first === "a" ? [a, b] : [b, a];
    const lost = await loser.finished();
    expect({ code: lost.code, tail: lost.code === 5 ? "" : lost.output.slice(-4000) }).toEqual({ code: 5, tail: "" });
    await waitUntilHeld(sandbox.dir, MASTER, { match: "onedb upgrade", timeoutMs: 300_000 });
    // Without a terminal every line starts with its UTC time (docs/events.md).
    const winnerRun = /^(?:\S+Z )?run (\S+) \(state lineage/m.exec(winner.output)?.[1];
    const loserRun = /^(?:\S+Z )?run (\S+) \(state lineage/m.exec(lost.output)?.[1];
    expect(lost.output).toMatch(
      new RegExp(
        `the federation sandbox is being upgraded by another run: run ${winnerRun} by \\S+ \\(state lineage [0-9a-f-]+\\), holding it since .*Nothing was changed`,
        "s",
      ),
    );
    expect(lost.output).toMatch(/LockHeldError: deploy refused: the federation sandbox is being upgraded by another run/);
    expect(lost.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);

    // A teammate lifts the freeze in the middle of it: refused, nothing enabled.
    const unfreeze = await runOnefed(["unfreeze", "--config", sandbox.configPath], sandbox.dir);
    expect(unfreeze.code).toBe(5);
    expect(unfreeze.output).toMatch(
      new RegExp(`unfreeze refused: an upgrade of sandbox holds the federation lock: run ${winnerRun} .*Nothing was changed`, "s"),
    );
    const lock = await runOnefed(["lock", "status", "--json", "--config", sandbox.configPath], sandbox.dir);
    expect(lock.code).toBe(5);
    expect(JSON.parse(lock.output).lock).toMatchObject({ run_id: winnerRun, step: "upgrade", zone_id: 0 });
    expect(firstIndex(sandbox.log(), /^onezone enable /)).toBe(-1);

    await releaseCommand(sandbox.dir, MASTER);
    const won = await winner.finished();
    expect({ code: won.code, tail: won.code === 0 ? "" : won.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    // Every change ran once: the loser's run id is nowhere in the ledger.
    const log = sandbox.log();
    expect(changeCounts(log)).toEqual(ONE_UPGRADE_OF_ONE_PLUS_TWO);
    const ledger = sandbox.ledger();
    // (A loser refused by reconcile, before it started anything, has no run line at all.)
    if (loserRun) expect(JSON.stringify(ledger)).not.toContain(loserRun);
    expect(new Set(ledger.entries.map((e) => e.run_id))).toEqual(new Set([winnerRun]));
    expect(ledger.lock).toBeUndefined();
  });
});

describeAsRoot("onefed unfreeze --force after a failure, then deploy", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.121.11");
  });
  afterAll(async () => sandbox?.down());

  it("the failed run's freeze lifted by hand is set again before any zone stops", async () => {
    // The master's freeze dies with its SSH session: the deploy fails with the slaves frozen.
    holdCommand(sandbox.dir, { frontend: MASTER, match: "onezone disable 0" });
    const failing = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, MASTER, { match: "onezone disable 0", timeoutMs: 240_000 });
    await releaseCommand(sandbox.dir, MASTER, { kill: true });
    const failed = await failing.finished();
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/freeze .*zone 0 \(M-EU-FR\)/);
    expect(failed.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect((await sandbox.status()).zones[0].frontends[0].zoneStates).toEqual({ "0": "ENABLED", "100": "DISABLED", "101": "DISABLED" });

    const plain = await runOnefed(["unfreeze", "--config", sandbox.configPath], sandbox.dir);
    expect(plain.code).toBe(5);
    const forced = await runOnefed(["unfreeze", "--force", "--config", sandbox.configPath], sandbox.dir);
    expect({ code: forced.code, out: forced.output }).toMatchObject({
      code: 0,
      out: expect.stringMatching(/unfreeze --force: lifting the freeze although run \S+ .*\n[^]*unfreeze: every zone enabled again/),
    });
    expect((await sandbox.status()).zones[0].frontends[0].zoneStates).toEqual({ "0": "ENABLED", "100": "ENABLED", "101": "ENABLED" });
    expect(sandbox.recorded("freeze", 100)).toBe(false);
    expect(sandbox.ledger().events.map((e) => e.what)).toEqual(["unfreeze"]);

    const before = sandbox.log().length;
    const r = await sandbox.startDeploy().finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const log = sandbox.log().slice(before);
    const firstStop = firstIndex(log, /^systemctl stop /);
    expect(firstStop).toBeGreaterThan(0);
    for (const id of [100, 101, 0]) expect(`zone ${id}: ${firstIndex(log, new RegExp(`^onezone disable ${id} `))}`).toMatch(new RegExp(`^zone ${id}: \\d+$`));
    for (const id of [100, 101, 0]) expect(firstIndex(log, new RegExp(`^onezone disable ${id} `))).toBeLessThan(firstStop);
    const status = await sandbox.status();
    for (const z of status.zones)
      expect([z.id, z.frontends[0].packageVersion, Object.values(z.frontends[0].zoneStates).join()]).toEqual([z.id, "7.0.0", "ENABLED,ENABLED,ENABLED"]);
  });
});
