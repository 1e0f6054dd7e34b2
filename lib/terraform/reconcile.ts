/**
 * Before any apply: hold terraform's state against the federation's ledger. The state is a schedule
 * (a killed apply leaves steps "created" that never finished; a manual unfreeze undoes a freeze the
 * state still claims); the ledger on the master is the proof. Every step the state claims but the
 * ledger does not prove is tainted, so the plan shows it and the apply runs it again: "deploy again"
 * always makes progress. A federation locked by another upgrade is refused here, before anything
 * runs. What recorded steps left on this host (the safety-backup records) is put back from the ledger.
 */
import { FederationConfig } from "../model/federation";
import { judgeLock, RunIdentity, unprovenSteps } from "../model/ledger";
import { finalSteps } from "../model/step-requirements";
import { RUN_ID_ENV, STATE_LINEAGE_ENV } from "../model/environment";
import { LockHeldError } from "../run/ledger/federation-ledger";
import { withFederationLedger } from "../run/ledger/open-ledger";
import { automationHost, newRunId, runnerActive } from "../run/ledger/run-identity";
import { restoreLocalCopies } from "../run/local-copies";
import { lostFederatedBackup } from "../run/lost-artifact";
import { EngineSession } from "./engine-session";
import { StalePlanError } from "./errors";

export interface Reconciled {
  /** The run every step of this apply belongs to. */
  readonly run: RunIdentity;
  /** Step resources marked to run again, by address. */
  readonly tainted: readonly string[];
  /** The session with the run's identity in every engine run's environment. */
  readonly session: EngineSession;
}

export interface ReconcileOptions {
  /**
   * Taint what the ledger does not prove (deploy, plan); false for `apply --plan`, which must apply
   * exactly the reviewed plan and refuses as stale when the ledger no longer matches it. @default true
   */
  readonly taint?: boolean;
  /** The reviewed plan's directory, for the stale-plan refusal. @default none */
  readonly planDir?: string;
  /** The run's id, when the caller named its run directory after it already. @default a new one */
  readonly runId?: string;
}

export async function reconcile(
  session: EngineSession,
  config: FederationConfig,
  what: string,
  log: (line: string) => void,
  opts: ReconcileOptions = {},
): Promise<Reconciled> {
  const lineage = await session.ensureLineage();
  const run: RunIdentity = { runId: opts.runId ?? newRunId(), lineage, who: automationHost() };
  let lostBackup: string | undefined;
  const ledger = await withFederationLedger(config, run, async (l, connector) => {
    const read = await l.read();
    const verdict = judgeLock(read.lock, run, read.runners, (r) => runnerActive(r));
    if (verdict.kind === "held") throw new LockHeldError(config.name, verdict.holder, what, verdict.activeRunner);
    // A run killed between the last verify's record and its release left this upgrade's lock behind.
    if (read.lock && (await l.releaseIfComplete(finalSteps(config))))
      log(`reconcile: every zone is verified; released the lock run ${read.lock.run_id} left behind`);
    // Steps the state claims do not run: what they left on this host comes back from the ledger.
    restoreLocalCopies(config, read, connector);
    // A recorded backup whose artifact is gone everywhere proves nothing a waiting slave can restore:
    // forgotten, so the backup step takes it anew (an apply of a reviewed plan refuses as stale instead).
    lostBackup = await lostFederatedBackup(config, read, connector);
    if (lostBackup && opts.taint !== false) {
      await l.forget(["backup"], [config.master.id], "backup-lost", `reconcile of run ${run.runId}: ${lostBackup}`);
      log(`reconcile: ${lostBackup}: the backup step takes it anew from the master`);
      return l.read();
    }
    return read;
  });
  const claimed = await session.stateSteps();
  const unproven = unprovenSteps(claimed, ledger);
  if (lostBackup && opts.taint === false) unproven.push(...claimed.filter((c) => c.step === "backup" && !unproven.includes(c)));
  // A resource runs a chain of steps: one unproven step runs the whole chain again (the steps the
  // ledger proves answer "already done" and change nothing).
  const tainted = [...new Set(unproven.map((u) => u.address))];
  const steps = unproven.map((u) => `${u.step} of zone ${u.zoneId}`).join(", ");
  if (unproven.length > 0 && opts.taint === false) {
    throw new StalePlanError(opts.planDir ?? session.stackDir, [
      `the federation's ledger does not prove ${unproven.length} step(s) that the state claims and the plan skips (${steps}: ${tainted.join(", ")}); onefed plan marks them to run again`,
    ]);
  }
  if (unproven.length > 0) {
    log(`reconcile: the state claims ${unproven.length} step(s) the federation's ledger does not prove (${steps}); they run again: ${tainted.join(", ")}`);
    await session.taint(tainted);
  }
  log(`run ${run.runId} (state lineage ${lineage}) by ${run.who}`);
  return { run, tainted, session: session.withEnv({ [RUN_ID_ENV]: run.runId, [STATE_LINEAGE_ENV]: lineage }) };
}

/**
 * After an apply failed: the refusal to report when another run holds the federation lock now. Two
 * runs that both passed reconcile race for the lock at their first step; the loser's step refuses
 * (exit 5, naming the holder) and its apply fails like any other. Its deploy then exits 5 as a run
 * refused by reconcile does, instead of advising a retry of a failed step. Undefined when the lock
 * is free or ours, or when the master cannot be read (the apply's own failure stands).
 */
export async function lockLostTo(config: FederationConfig, run: RunIdentity, what: string): Promise<LockHeldError | undefined> {
  try {
    const ledger = await withFederationLedger(config, run, (l) => l.read());
    const verdict = judgeLock(ledger.lock, run, ledger.runners, (r) => runnerActive(r));
    return verdict.kind === "held" ? new LockHeldError(config.name, verdict.holder, what, verdict.activeRunner) : undefined;
  } catch {
    return undefined;
  }
}
