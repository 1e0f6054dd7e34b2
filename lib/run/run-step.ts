/**
 * Runs one step on one zone: the program every step resource's local-exec calls. It loads the
 * same federation file as the synth, talks SSH, and exits non-zero with one paragraph on failure.
 *
 * Terraform's state is a schedule, not proof, so around every step the runner works with the
 * federation's own ledger on the master: it takes the federation lock (or refuses, naming the run
 * that holds it), proves from the ledger that every step this one relies on finished, runs the
 * step, and records it complete with its evidence only after the step verified its effect.
 */
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { findEntry, LedgerSnapshot } from "../model/ledger";
import { finalSteps, requirementsOf } from "../model/step-requirements";
import { STEP_FACTS, StepName } from "../model/steps";
import { printable } from "../model/printable";
import { describeError } from "../model/errors";
import { PROCESS_SECRETS } from "../model/secrets";
import { Deadline } from "../remote/ssh/deadline";
import { Connector, registerDatabasePasswords } from "./connector";
import { sshRoutesOf } from "./ssh-routes";
import { openLedger } from "./ledger/open-ledger";
import { StepClaim } from "./ledger/federation-ledger";
import { currentRun } from "./ledger/run-identity";
import { StepOutcome } from "./step";
import { buildStepContext } from "./step-context";
import { StepRefusal } from "./step-refusal";
import { STEPS } from "./steps/catalog";
import { StepObserver } from "./observe/step-observer";
import { StepOutputs, stepOutputsFromEnv } from "./observe/step-outputs";

export interface RunStepOptions {
  readonly config: FederationConfig;
  readonly step: StepName;
  readonly zone: ZoneConfig;
  /** Progress output. @default stdout */
  readonly log?: (line: string) => void;
  /** Events file, step log and heartbeat period. @default from the environment the deploy set (stepOutputsFromEnv) */
  readonly outputs?: StepOutputs;
  /**
   * A check outside any upgrade run (`onefed verify` on demand): the step reads the ledger but takes
   * no lock and records nothing. Only for steps that change nothing. @default false
   */
  readonly readOnly?: boolean;
  /**
   * Where the run's identity (run id, state lineage) and outputs come from: the environment the
   * deploy gave this step's `onefed step` (the warm runner passes its client's). @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How the step reaches its machines, within its deadline: the warm runner lends its pooled
   * connections. @default its own SSH sessions (Connector.overSsh), closed when the step ends
   */
  readonly machines?: (deadline: Deadline, log: (line: string) => void, observer: StepObserver) => Connector;
}

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const { config, zone, step } = opts;
  registerDatabasePasswords(config);
  const outputs = opts.outputs ?? stepOutputsFromEnv(step, zone.id, opts.env);
  const observer = new StepObserver({ step, zone, console: opts.log ?? ((line: string) => process.stdout.write(`${line}\n`)), ...outputs });
  const started = Date.now();
  observer.stepStarted();
  try {
    const outcome = await runObserved(opts, observer);
    observer.stepEnded(outcome.status, outcome.summary, Date.now() - started);
    return outcome;
  } catch (err) {
    observer.stepFailed(describeError(err), Date.now() - started);
    throw err;
  } finally {
    observer.close();
    outputs.events?.close();
    outputs.logFile?.close();
  }
}

async function runObserved(opts: RunStepOptions, observer: StepObserver): Promise<StepOutcome> {
  const { config, zone, step } = opts;
  // Keys, passphrases and the agent of every zone, before any machine: exit 2 if one is missing.
  sshRoutesOf(config);
  const log = (line: string) => observer.say(line);
  const deadline = new Deadline(zone.stepTimeoutSeconds);
  const started = Date.now();
  const connector = opts.machines?.(deadline, log, observer) ?? Connector.overSsh(config, deadline, log, observer);
  log(STEP_FACTS[step].description);
  let stopBeats = async (): Promise<void> => undefined;
  try {
    const ledger = await openLedger(config, connector, currentRun(opts.env));
    if (opts.readOnly) {
      if (step !== "verify") throw new Error(`${step} changes the federation: it cannot run outside an upgrade run`);
      const outcome = await STEPS[step].run(buildStepContext(config, zone, step, log, connector, await ledger.read()));
      log(`${outcome.summary} (${Date.now() - started} ms)`);
      return outcome;
    }
    let held: StepClaim | undefined;
    stopBeats = async () => held?.heartbeat.stop();
    // Every step but the preflight begins with ONE compare-and-swap (docs/ledger.md): it reads the
    // ledger and takes the lock only if what the checks below require holds there. The checks then
    // judge what it read, so a step refused is refused as before, and nothing was written.
    const attempt =
      step !== "preflight"
        ? await ledger.beginChecked(step, zone, { required: requirementsOf(step, zone, config), notAllOf: step === "verify" ? [] : finalSteps(config) })
        : { snapshot: await ledger.read() };
    held = attempt.claim;
    const before = attempt.snapshot;
    // The ledger is the proof: a step it records complete is done, whatever terraform's state says
    // (a new runner with an empty local state re-creates every resource; none of them runs again).
    const recorded = findEntry(before, step, zone.id);
    if (recorded) {
      log(`already done: the federation's ledger records it complete at ${recorded.completed_at} (run ${recorded.run_id})`);
      STEPS[step].restoreLocal?.(buildStepContext(config, zone, step, log, connector, before), recorded.evidence);
      if (step === "verify" && (await ledger.releaseIfComplete(finalSteps(config)))) log(`every zone verified: the federation lock is released`);
      return { status: "already-done", summary: `recorded complete at ${recorded.completed_at}`, evidence: recorded.evidence };
    }
    refuseWhenComplete(step, zone, config, before);
    // A step out of order (by hand, or from a state the ledger disproves) is refused before it takes
    // the lock: a refusal leaves the federation as it was, free for the deploy that follows.
    proveRequirements(step, zone, config, before);
    // Lock, first heartbeat and a fresh read in one round trip (FederationLedger.begin), when the
    // compare-and-swap did not take it (a lock to take over, one this process has not seen yet, a
    // master of several servers); while this runner works, its heartbeat keeps any other run from
    // taking the lock over.
    const claim = async (known?: LedgerSnapshot) => {
      held = await ledger.begin(step, zone, known);
      const lock = held.verdict;
      if (lock.kind === "take-over") log(`took the federation lock over from run ${lock.previous.run_id} (${lock.previous.holder}): the same upgrade, resumed`);
      return held.snapshot;
    };
    // The preflight changes nothing: it reaches every front-end first (a changed host key anywhere
    // stops the run before onefed writes even its lock), and takes the lock once its checks passed.
    // Proven again under the lock: what another run recorded or forgot meanwhile counts.
    const snapshot = step === "preflight" ? before : (attempt.claim?.snapshot ?? (await claim(before)));
    proveRequirements(step, zone, config, snapshot);
    const ctx = buildStepContext(config, zone, step, log, connector, snapshot);
    const outcome = await STEPS[step].run(ctx);
    if (step === "preflight") {
      // The lock once the checks passed: the same compare-and-swap, judged as before when it did not take it.
      const after = await ledger.beginChecked(step, zone, { required: [], notAllOf: [], mayBeRecorded: true });
      held = after.claim;
      if (!held) await claim(after.snapshot);
    }
    // The entry and the heartbeat's end in one round trip; verify reads back to see whether it was the last.
    const finished = await ledger.finish(step, zone, { summary: outcome.summary, ...outcome.evidence }, held!, step === "verify");
    log(`${outcome.status === "already-done" ? "already done" : "done"}: ${outcome.summary} (${Date.now() - started} ms)`);
    await stopBeats();
    if (step === "verify" && (await ledger.releaseIfComplete(finalSteps(config), finished.snapshot)))
      log(`every zone verified: the federation lock is released`);
    return outcome;
  } finally {
    // A failed step's runner is no longer at work: its heartbeat goes, so a resumed run need not wait.
    await stopBeats();
    await connector.close();
  }
}

/**
 * The step's output as terraform relays it into the deploy log: each line redacted of every secret
 * the process knows and with control characters escaped (a line is one line: a remote `\n` cannot
 * forge another step's line), whatever the caller put in it.
 */
export function stepLog(out: (line: string) => void): (line: string) => void {
  return (line) => out(printable(PROCESS_SECRETS.redact(line)));
}

/** An upgrade whose every zone is verified is over: only `verify` may run again. */
function refuseWhenComplete(step: StepName, zone: ZoneConfig, config: FederationConfig, ledger: LedgerSnapshot): void {
  if (step === "verify") return;
  const verified = finalSteps(config).map((r) => ledger.entries.find((e) => e.step === r.step && e.zone_id === r.zoneId));
  if (verified.some((e) => e === undefined)) return;
  throw new StepRefusal(step, {
    zone,
    expected: `an upgrade of ${config.name} from ${config.fromVersion} to ${config.toVersion} still under way`,
    found: `the ledger records it complete: every zone verified (the last at ${verified
      .map((e) => e!.completed_at)
      .sort()
      .pop()})`,
    next: "Nothing was changed. `onefed verify` checks the federation again; a new upgrade needs new versions in the federation file.",
  });
}

/** Refuses, before anything is touched, a step whose predecessors the ledger does not prove complete. */
export function proveRequirements(step: StepName, zone: ZoneConfig, config: FederationConfig, ledger: LedgerSnapshot): void {
  const missing = requirementsOf(step, zone, config).filter((r) => !ledger.entries.some((e) => e.step === r.step && e.zone_id === r.zoneId));
  if (missing.length === 0) return;
  const zoneName = (id: number) => zoneLabel(config.zones.find((z) => z.id === id) ?? { id, name: "?" });
  throw new StepRefusal(step, {
    zone,
    expected: `the federation's upgrade ledger on the master to record ${missing.map((r) => `${r.step} of ${zoneName(r.zoneId)} complete (${r.why})`).join("; ")}`,
    found: "no such record",
    next:
      "Nothing was changed. Terraform's state may claim those steps, but only the ledger proves them (a killed apply, a manual unfreeze or a step run by hand out of order leaves them unproven). " +
      "Run `onefed deploy` again: it re-runs every step the ledger does not prove, in order.",
  });
}
