/**
 * The upgrade ledger: what the federation itself remembers about an upgrade, kept on the master
 * (every server of an HA master) so that a new CI runner, a lost artifact directory or a killed
 * apply loses nothing. Terraform's state is a schedule; the ledger is the proof. One small JSON file
 * per record, each written atomically: parallel steps never write the same file.
 *
 * Layout (docs/ledger.md): `<backup.remoteDirectory>/ledger/<federation>-<from>-to-<to>/`
 *   lock.json                       the federation lock: which run may change the federation now
 *   <step>.zone-<id>.json           one completion entry per (step, zone), written after the step verified its effect
 *   event-<time>-<what>.json        what an operator did by hand (unfreeze, unlock), for the record
 *   rollback.zone-<id>.json         a zone's rollback under way (`onefed rollback`): how far it got
 */
import { FederationConfig } from "./federation";
import { STEP_NAMES, StepName } from "./steps";

export const LEDGER_FORMAT = "onefed-ledger/1";

/** Where the ledger of this upgrade lives on each master server. */
export function ledgerDirectory(config: Pick<FederationConfig, "name" | "fromVersion" | "toVersion" | "backup">): string {
  return `${config.backup.remoteDirectory}/ledger/${config.name}-${config.fromVersion}-to-${config.toVersion}`;
}

export const LOCK_FILE = "lock.json";

/** The file of one (step, zone) completion entry. */
export function entryFile(step: StepName, zoneId: number): string {
  return `${step}.zone-${zoneId}.json`;
}

/** The file of one zone's rollback progress. */
export function rollbackFile(zoneId: number): string {
  return `rollback.zone-${zoneId}.json`;
}

/** Who runs an upgrade: one deploy or apply, on one automation host, against one terraform state. */
export interface RunIdentity {
  /** A fresh id for each deploy/apply (or `onefed step` by hand). */
  readonly runId: string;
  /**
   * The terraform state's lineage: the same upgrade across re-runs, whichever host runs it.
   * `undefined` when the runner was started without one (a step by hand, a plain `cdktf deploy`).
   */
  readonly lineage?: string;
  /** `user@host` of the automation host. */
  readonly who: string;
}

/** The federation lock: only its holder changes the federation. */
export interface LedgerLock {
  readonly kind: "lock";
  readonly format: typeof LEDGER_FORMAT;
  readonly run_id: string;
  readonly lineage: string | null;
  readonly holder: string;
  /** When the upgrade first took the lock (kept across take-overs by the same upgrade). */
  readonly since: string;
  /** The step the holder reached, for the refusal of a second run. */
  readonly step: string;
  readonly zone_id: number;
  readonly updated_at: string;
}

/** A JSON value, as evidence holds them. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Evidence a step leaves: the facts a later step or a rollback relies on (paths, sizes, sha256s, versions). */
export type Evidence = Readonly<Record<string, JsonValue>>;

/** The ledger before anything was recorded. */
export const EMPTY_LEDGER: LedgerSnapshot = { entries: [], events: [], runners: [] };

/** One (step, zone) proven complete. */
export interface LedgerEntry {
  readonly kind: "entry";
  readonly format: typeof LEDGER_FORMAT;
  readonly step: StepName;
  readonly zone_id: number;
  readonly run_id: string;
  readonly lineage: string | null;
  readonly completed_at: string;
  readonly evidence: Evidence;
}

/**
 * A step runner at work, refreshed while its step runs and removed when it exits. A run whose
 * runner still beats is alive even if its terraform died (an orphaned runner still changes
 * machines), so nobody takes its lock over until the heartbeat is older than RUNNER_STALE_MS.
 */
export interface LedgerRunner {
  readonly kind: "runner";
  readonly format: typeof LEDGER_FORMAT;
  readonly run_id: string;
  readonly holder: string;
  readonly pid: number;
  readonly step: string;
  readonly zone_id: number;
  readonly heartbeat_at: string;
}

/** How often a runner refreshes its heartbeat. */
export const RUNNER_HEARTBEAT_MS = 20_000;

/** A heartbeat older than this is a dead runner (killed with its SSH session, a lost machine). */
export const RUNNER_STALE_MS = 90_000;

export function heartbeatFresh(runner: LedgerRunner, now: Date): boolean {
  return now.getTime() - Date.parse(runner.heartbeat_at) < RUNNER_STALE_MS;
}

/** The file of one runner's heartbeat. */
export function runnerFile(runId: string, holder: string, pid: number, step?: string): string {
  return `runner-${`${runId}-${holder}-${pid}${step ? `-${step}` : ""}`.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

/**
 * What was done to the ledger outside the steps: a manual unfreeze or unlock, or a federated backup
 * forgotten by reconcile because its artifact was lost everywhere (lib/run/lost-artifact.ts).
 */
export const LEDGER_EVENT_KINDS = ["unfreeze", "unlock", "backup-lost", "rollback"] as const;
export type LedgerEventKind = (typeof LEDGER_EVENT_KINDS)[number];

/** What an operator (or reconcile, for a lost backup) did to the ledger outside the steps. */
export interface LedgerEvent {
  readonly kind: "event";
  readonly format: typeof LEDGER_FORMAT;
  readonly what: LedgerEventKind;
  readonly by: string;
  readonly at: string;
  readonly detail: string;
}

/**
 * How far a zone's rollback got (`onefed rollback`, lib/run/rollback): `restored` once its DB,
 * packages and configuration are back at the old version and proven, before anything starts (a
 * re-run never restores a zone again once it may have served writes); `done` once it runs again.
 * Removed, with the zone's upgrade entries, when the zone's rollback is finished.
 */
export const ROLLBACK_PHASES = ["restored", "done"] as const;
export type RollbackPhase = (typeof ROLLBACK_PHASES)[number];

export interface LedgerRollback {
  readonly kind: "rollback";
  readonly format: typeof LEDGER_FORMAT;
  readonly zone_id: number;
  readonly run_id: string;
  readonly phase: RollbackPhase;
  /** The version the zone is rolled back to (the upgrade's fromVersion). */
  readonly version: string;
  readonly updated_at: string;
  readonly summary: string;
}

export type LedgerRecord = LedgerLock | LedgerEntry | LedgerEvent | LedgerRunner | LedgerRollback;

/** The ledger as read from the master. */
export interface LedgerSnapshot {
  readonly lock?: LedgerLock;
  readonly entries: readonly LedgerEntry[];
  readonly events: readonly LedgerEvent[];
  /** Runners at work (or dead ones whose heartbeat went stale). @default none */
  readonly runners?: readonly LedgerRunner[];
  /** Zones whose rollback is under way. @default none */
  readonly rollbacks?: readonly LedgerRollback[];
}

export function findEntry(ledger: LedgerSnapshot, step: StepName, zoneId: number): LedgerEntry | undefined {
  return ledger.entries.find((e) => e.step === step && e.zone_id === zoneId);
}

/** What a run may do with the lock as it stands. */
export type LockVerdict =
  | { readonly kind: "free" }
  | { readonly kind: "ours" }
  /** Another run of the same upgrade (same state lineage) held it: a resumed run takes it over. */
  | { readonly kind: "take-over"; readonly previous: LedgerLock }
  /** Another run holds it: another upgrade, or this one with a runner still at work. */
  | { readonly kind: "held"; readonly holder: LedgerLock; readonly activeRunner?: LedgerRunner };

/**
 * What `run` may do with the lock. `runners` and `now` guard the take-over: a run of the same
 * upgrade whose runner still beats is alive (its terraform may be dead, its runner is not).
 */
export function judgeLock(
  lock: LedgerLock | undefined,
  run: RunIdentity,
  runners: readonly LedgerRunner[] = [],
  /** Whether a runner is still at work. @default its heartbeat is younger than RUNNER_STALE_MS */
  isActive: (runner: LedgerRunner) => boolean = (r) => heartbeatFresh(r, new Date()),
): LockVerdict {
  if (!lock) return { kind: "free" };
  if (lock.run_id === run.runId) return { kind: "ours" };
  if (run.lineage !== undefined && lock.lineage === run.lineage) {
    const active = runners.find((r) => r.run_id === lock.run_id && isActive(r));
    return active ? { kind: "held", holder: lock, activeRunner: active } : { kind: "take-over", previous: lock };
  }
  return { kind: "held", holder: lock };
}

/** One line naming a lock's holder, for refusals and `onefed lock status`. */
export function describeLock(lock: LedgerLock): string {
  return (
    `run ${lock.run_id} by ${lock.holder} (state lineage ${lock.lineage ?? "unknown"}), holding it since ${lock.since}, ` +
    `last at ${lock.step} of zone ${lock.zone_id} (${lock.updated_at})`
  );
}

/**
 * Parses the ledger's files as one stream of JSON documents, one a line (how the runner writes
 * them). A line that is not a record of this format is reported, never silently dropped.
 */
export function parseLedger(text: string): { readonly snapshot: LedgerSnapshot; readonly unreadable: readonly string[] } {
  let lock: LedgerLock | undefined;
  const entries: LedgerEntry[] = [];
  const events: LedgerEvent[] = [];
  const runners: LedgerRunner[] = [];
  const rollbacks: LedgerRollback[] = [];
  const unreadable: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const record = parseRecord(line);
    if (!record) unreadable.push(line.slice(0, 200));
    else if (record.kind === "lock") lock = record;
    else if (record.kind === "entry") entries.push(record);
    else if (record.kind === "runner") runners.push(record);
    else if (record.kind === "rollback") rollbacks.push(record);
    else events.push(record);
  }
  return { snapshot: { lock, entries, events, runners, ...(rollbacks.length > 0 ? { rollbacks } : {}) }, unreadable };
}

function parseRecord(line: string): LedgerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r.format !== LEDGER_FORMAT) return undefined;
  const str = (k: string) => typeof r[k] === "string";
  const int = (k: string) => Number.isInteger(r[k]);
  const lineage = r.lineage === null || typeof r.lineage === "string";
  if (r.kind === "lock" && str("run_id") && lineage && str("holder") && str("since") && str("step") && int("zone_id") && str("updated_at"))
    return r as unknown as LedgerLock;
  if (
    r.kind === "entry" &&
    (STEP_NAMES as readonly unknown[]).includes(r.step) &&
    int("zone_id") &&
    str("run_id") &&
    lineage &&
    str("completed_at") &&
    typeof r.evidence === "object" &&
    r.evidence !== null
  ) {
    return r as unknown as LedgerEntry;
  }
  if (r.kind === "event" && LEDGER_EVENT_KINDS.includes(r.what as LedgerEventKind) && str("by") && str("at") && str("detail"))
    return r as unknown as LedgerEvent;
  if (
    r.kind === "rollback" &&
    int("zone_id") &&
    str("run_id") &&
    (ROLLBACK_PHASES as readonly unknown[]).includes(r.phase) &&
    str("version") &&
    str("updated_at") &&
    str("summary")
  )
    return r as unknown as LedgerRollback;
  if (r.kind === "runner" && str("run_id") && str("holder") && int("pid") && str("step") && int("zone_id") && str("heartbeat_at"))
    return r as unknown as LedgerRunner;
  return undefined;
}

/** One record as the runner writes it: a single line of JSON. */
export function serializeRecord(record: LedgerRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * The steps terraform's state claims but the ledger does not prove: each must run again. `claimed`
 * lists the (step, zone) of every step resource in the state.
 */
export function unprovenSteps(
  claimed: ReadonlyArray<{ readonly address: string; readonly step: StepName; readonly zoneId: number }>,
  ledger: LedgerSnapshot,
): Array<{ readonly address: string; readonly step: StepName; readonly zoneId: number }> {
  return claimed.filter((c) => !findEntry(ledger, c.step, c.zoneId));
}

/** The steps whose proof a manual unfreeze takes back: the freeze, and the sync it made meaningful. */
export const UNDONE_BY_UNFREEZE: readonly StepName[] = ["freeze", "sync"];
