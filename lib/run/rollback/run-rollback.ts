/**
 * `onefed rollback`: the documented rollback of an upgrade, from the safety backups the federation's
 * ledger records, run directly (no terraform stack) by a runner of its own that reuses the
 * upgrade's connector, StepContext, freeze and Raft code. A rollback is an emergency: fewer
 * moving parts, one process, one lock (docs/rollback.md, "Why a runner of its own").
 *
 * Order: read the ledger and prove the lock can be taken → prove every zone's backups (sha256)
 * and config backups on the machines → confirmation → take the lock → per zone, the master
 * first: freeze (as the upgrade does; already-done once frozen), stop, restore, reinstall, /etc/one, start → forget the
 * zone's upgrade entries → lift the freeze once no upgrade is left half done → release the lock.
 */
import * as fs from "fs";
import { FederationConfig, freezesZone, ZoneConfig, zoneLabel } from "../../model/federation";
import { findEntry, judgeLock, ledgerDirectory, LedgerSnapshot, RunIdentity } from "../../model/ledger";
import { STEP_NAMES } from "../../model/steps";
import { OnefedError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import { Deadline } from "../../remote/ssh/deadline";
import { RemoteCommandError } from "../../remote/opennebula/remote-command-error";
import { ONED_UNIT } from "../../remote/opennebula/services";
import { Connector, MachineOpeners, registerDatabasePasswords } from "../connector";
import { sshRoutesOf } from "../ssh-routes";
import { openLedger } from "../ledger/open-ledger";
import { FederationLedger, LockHeldError } from "../ledger/federation-ledger";
import { automationHost, newRunId, runnerActive } from "../ledger/run-identity";
import { buildStepContext } from "../step-context";
import { StepContext } from "../step";
import { STEPS } from "../steps/catalog";
import { safetyBackupRecord } from "../records/safety-backup-record";
import { haRecord } from "../records/ha-record";
import { disabledHostsRecord } from "../records/disabled-hosts-record";
import { RollbackScope, zonesToRollBack } from "./rollback-scope";
import { describePlan, planZone, ZonePlan } from "./zone-plan";
import { downgradeNodes } from "./nodes-downgrade";
import { proveBeforeStop } from "./rollback-proof";
import { NOTHING_STARTED, restoreZone, startZone } from "./zone-rollback";

/** What a rollback needs of the federation's ledger (FederationLedger; a unit test's in-memory one). */
export type RollbackLedger = Pick<FederationLedger, "read" | "claim" | "heartbeat" | "recordRollback" | "forgetRolledBackZone" | "release">;

export interface RollbackOptions {
  readonly config: FederationConfig;
  readonly scope: RollbackScope;
  /** Progress lines. */
  readonly log: (line: string) => void;
  /** Asked once everything is proven and before anything changes, with the plan's lines; false cancels. */
  readonly confirm: (plan: readonly string[]) => Promise<boolean>;
}

/** Machines and ledger: over SSH by default; scripted in unit tests. */
export interface RollbackMachines {
  readonly machines: MachineOpeners;
  readonly ledger: RollbackLedger;
  readonly run: RunIdentity;
}

export interface RollbackReport {
  readonly outcome: "rolled-back" | "cancelled";
  readonly zones: ReadonlyArray<{ readonly zone: ZoneConfig; readonly kind: ZonePlan["kind"]; readonly summary: string }>;
  /** Whether the rollback lifted the freeze at the end. */
  readonly unfrozen: boolean;
}

/** The operator said no at the confirmation: nothing was changed. */
export class RollbackCancelled extends OnefedError {
  constructor() {
    super("onefed rollback cancelled at the confirmation: nothing was changed.", ExitCode.Failed);
  }
}

/**
 * A rollback's identity: a run of its own whose "lineage" names the rollback of this upgrade, so a
 * re-run after a killed rollback takes its lock over (once the dead runner's heartbeat is gone),
 * while an upgrade run never does.
 */
export function rollbackRun(config: FederationConfig): RunIdentity {
  return { runId: `rollback-${newRunId()}`, lineage: `rollback:${ledgerDirectory(config)}`, who: automationHost() };
}

export async function rollBack(opts: RollbackOptions, scripted?: RollbackMachines): Promise<RollbackReport> {
  const { config } = opts;
  const zones = zonesToRollBack(config, opts.scope);
  if (scripted) return rollBackWith(opts, zones, scripted.machines, scripted.ledger, scripted.run);
  registerDatabasePasswords(config);
  sshRoutesOf(config);
  // One wall clock for the whole rollback (the confirmation included): per zone, a step's time for the
  // stop and restore and one for the reinstall and start.
  const seconds = zones.reduce((sum, z) => sum + 2 * z.stepTimeoutSeconds, 0);
  const connector = Connector.overSsh(config, new Deadline(seconds), opts.log);
  try {
    const run = rollbackRun(config);
    return await rollBackWith(opts, zones, connector, await openLedger(config, connector, run), run);
  } finally {
    await connector.close();
  }
}

async function rollBackWith(
  opts: RollbackOptions,
  zones: readonly ZoneConfig[],
  machines: MachineOpeners,
  ledger: RollbackLedger,
  run: RunIdentity,
): Promise<RollbackReport> {
  const { config, log } = opts;
  const connector = machines instanceof Connector ? machines : Connector.scripted(machines);
  const before = await ledger.read();
  // Never two runs at once: proven before anything else, and taken below before anything changes.
  const verdict = judgeLock(before.lock, run, before.runners ?? [], (r) => runnerActive(r));
  if (verdict.kind === "held") throw new LockHeldError(config.name, verdict.holder, "onefed rollback", verdict.activeRunner);
  const contextOf = (zone: ZoneConfig, ledgerNow: LedgerSnapshot = before): StepContext =>
    buildStepContext(config, zone, "rollback", (l) => log(`[${zoneLabel(zone)}] ${l.trimStart()}`), connector, ledgerNow);
  const plans = zones.map((z) => planZone(z, before));
  // Every zone's backups and versions proven before anything stops: a tampered backup changes nothing anywhere.
  for (const plan of plans) await proveBeforeStop(contextOf(plan.zone), plan);
  if (!(await opts.confirm(plans.map((p) => describePlan(p, config.fromVersion))))) return { outcome: "cancelled", zones: [], unfrozen: false };

  const anchor = config.master;
  await ledger.claim("rollback", anchor);
  const stopBeat = await ledger.heartbeat("rollback", anchor);
  try {
    const done: Array<RollbackReport["zones"][number]> = [];
    // Zones back at the old version and running; their hosts are enabled and their upgrade forgotten after the unfreeze.
    const finished: Array<{ readonly plan: ZonePlan; readonly summary: string }> = [];
    for (const plan of plans) {
      const ctx = contextOf(plan.zone);
      let summary = "";
      if (plan.kind === "roll-back") {
        // Frozen again before each zone stops: a zone restarted meanwhile (an earlier one, a resumed rollback) may answer again.
        await freezeFederation(config, contextOf, log);
        summary = await restoreZone(ctx, plan.backup!);
        await ledger.recordRollback(plan.zone, "restored", config.fromVersion, summary);
        log(`[${zoneLabel(plan.zone)}] restored: ${summary}`);
      }
      if (plan.kind !== "finish") {
        // While the zone is still down, and before the hosts' onehost sync pushes the old drivers.
        const nodes = plan.kind === "not-upgraded" ? undefined : await downgradeNodes(ctx);
        const started = await startZone(ctx);
        summary = [summary, nodes, started].filter((part) => part).join("; ");
        if (plan.kind !== "not-upgraded") await ledger.recordRollback(plan.zone, "done", config.fromVersion, summary);
      } else summary = plan.progress!.summary;
      // A zone the upgrade never touched, running and with nothing recorded: nothing to forget, nothing to note.
      if (plan.kind === "not-upgraded" && summary === NOTHING_STARTED && !before.entries.some((e) => e.zone_id === plan.zone.id)) {
        done.push({ zone: plan.zone, kind: plan.kind, summary: `runs ${config.fromVersion}; nothing to roll back` });
        continue;
      }
      finished.push({ plan, summary });
    }
    const unfrozen = await unfreezeWhenNothingIsLeft(config, ledger, contextOf, log, new Set(finished.map((f) => f.plan.zone.id)));
    for (const { plan, summary } of finished) {
      const hosts = plan.kind === "not-upgraded" ? undefined : await enableHosts(config, contextOf(plan.zone), unfrozen, log);
      const all = hosts ? `${summary}; ${hosts}` : summary;
      await ledger.forgetRolledBackZone(
        plan.zone,
        STEP_NAMES,
        `${zoneLabel(plan.zone)} rolled back to ${config.fromVersion} by ${run.runId}: ${plan.kind === "not-upgraded" ? "not upgraded; " : ""}${all}`,
      );
      moveLocalRecordsAside(config, plan.zone);
      log(`[${zoneLabel(plan.zone)}] rolled back to ${config.fromVersion}: ${all}`);
      done.push({ zone: plan.zone, kind: plan.kind, summary: all });
    }
    await stopBeat();
    await ledger.release();
    return { outcome: "rolled-back", zones: done, unfrozen };
  } finally {
    // On a failure the lock stays: no upgrade starts on a half rolled back federation; `onefed rollback` again takes it over.
    await stopBeat();
  }
}

/** As the upgrade's freeze: slaves first, then the master. A zone whose oned is down takes no write and is skipped. */
async function freezeFederation(config: FederationConfig, contextOf: (z: ZoneConfig) => StepContext, log: (l: string) => void): Promise<void> {
  const zones = config.zones.filter((z) => freezesZone(z, config));
  for (const zone of [...zones.filter((z) => z.role !== "master"), ...zones.filter((z) => z.role === "master")]) {
    const ctx = contextOf(zone);
    try {
      log(`[${zoneLabel(zone)}] freeze: ${(await STEPS.freeze.run(ctx)).summary}`);
    } catch (err) {
      if (!(err instanceof RemoteCommandError) || (await anyOnedRunning(ctx))) throw err;
      log(`[${zoneLabel(zone)}] freeze: oned is down on every server, so the zone takes no write`);
    }
  }
}

async function anyOnedRunning(ctx: StepContext): Promise<boolean> {
  for (const s of await ctx.servers()) if ((await s.frontend.unitStates([ONED_UNIT]))[ONED_UNIT] === "active") return true;
  return false;
}

/**
 * The freeze is lifted (the master first) once the ledger holds no half-done upgrade: no entry is
 * left, or every zone left has its upgrade verified. Otherwise an upgrade of other zones is under
 * way, and its own unfreeze (or `onefed unfreeze`) is what lifts it.
 */
async function unfreezeWhenNothingIsLeft(
  config: FederationConfig,
  ledger: RollbackLedger,
  contextOf: (z: ZoneConfig, l?: LedgerSnapshot) => StepContext,
  log: (l: string) => void,
  /** Zones this rollback brought back, whose upgrade entries it forgets next. */
  rolledBack: ReadonlySet<number>,
): Promise<boolean> {
  const now = await ledger.read();
  const zonesLeft = [...new Set(now.entries.map((e) => e.zone_id))].filter((id) => !rolledBack.has(id));
  const halfDone = zonesLeft.filter((id) => !now.entries.some((e) => e.step === "verify" && e.zone_id === id));
  const zones = config.zones.filter((z) => freezesZone(z, config));
  if (halfDone.length > 0) {
    if (zones.length > 0)
      log(`the freeze stays: the upgrade of zone(s) ${halfDone.join(", ")} is under way (\`onefed deploy\` resumes it, \`onefed unfreeze\` lifts it)`);
    return false;
  }
  for (const zone of [...zones.filter((z) => z.role === "master"), ...zones.filter((z) => z.role !== "master")])
    log(`[${zoneLabel(zone)}] unfreeze: ${(await STEPS.unfreeze.run(contextOf(zone, now))).summary}`);
  return zones.length > 0;
}

/**
 * The hosts the upgrade disabled, enabled again (and synced) in the restored zone: the restored DB
 * has them disabled too (the safety backup was taken after). Every write fails in a disabled zone,
 * `onehost enable` included, so this waits for the unfreeze; while the freeze stays, it says which
 * hosts to enable by hand once it is lifted.
 */
async function enableHosts(config: FederationConfig, ctx: StepContext, unfrozen: boolean, log: (l: string) => void): Promise<string | undefined> {
  const disabled = findEntry(ctx.ledger, "hosts-disable", ctx.zone.id);
  if (!disabled) return undefined;
  if (unfrozen || !freezesZone(ctx.zone, config)) return (await STEPS["hosts-enable"].run(ctx)).summary;
  const ids = Array.isArray(disabled.evidence.host_ids) ? disabled.evidence.host_ids.join(" ") : "<the hosts the upgrade disabled>";
  const stays = `the hosts the upgrade disabled stay disabled while the freeze stays: once it is lifted, run \`onehost enable ${ids}\` and \`onehost sync --force\` on the zone`;
  log(`[${zoneLabel(ctx.zone)}] ${stays}`);
  return stays;
}

/**
 * The automation host's copies of what the upgrade recorded for the zone (safety backup, HA, disabled
 * hosts) are moved aside: a new upgrade must take its own safety backup, not find the old one.
 */
function moveLocalRecordsAside(config: FederationConfig, zone: ZoneConfig): void {
  const stamp = new Date().toISOString().replace(/[-:.]/g, "");
  for (const store of [safetyBackupRecord(config, zone), haRecord(config, zone), disabledHostsRecord(config, zone)]) {
    if (fs.existsSync(store.path)) fs.renameSync(store.path, `${store.path}.rolled-back-${stamp}`);
  }
}
