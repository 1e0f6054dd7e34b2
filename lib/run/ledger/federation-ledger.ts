/**
 * The federation's own record of an upgrade (lib/model/ledger.ts), kept on every server of the
 * master zone. The first master server is the lock's authority: two runs claim the servers in the
 * same order, so the one that creates the lock there wins, and the copies make a lost server lose
 * nothing. Every step claims the lock before it acts and records its evidence after it verified.
 */
import { hostPort, ZoneConfig, zoneLabel } from "../../model/federation";
import {
  describeLock,
  entryFile,
  Evidence,
  judgeLock,
  LEDGER_FORMAT,
  LedgerEntry,
  LedgerEvent,
  LedgerLock,
  LedgerRollback,
  LedgerRunner,
  LedgerSnapshot,
  RollbackPhase,
  rollbackFile,
  LOCK_FILE,
  LockVerdict,
  RUNNER_HEARTBEAT_MS,
  runnerFile,
  RunIdentity,
} from "../../model/ledger";
import { ExitCode } from "../../model/exit-codes";
import { OnefedError } from "../../model/errors";
import { StepName } from "../../model/steps";
import { RemoteLedgerStore } from "../../remote/opennebula/ledger-store";
import { runnerActive } from "./run-identity";

/** Another run holds the federation lock: this one changed nothing. */
export class LockHeldError extends OnefedError {
  constructor(
    public readonly federation: string,
    public readonly holder: LedgerLock,
    what: string,
    /** Set when the holder is this same upgrade, still at work (a runner's heartbeat is fresh). */
    public readonly activeRunner?: LedgerRunner,
  ) {
    super(
      activeRunner
        ? `${what} refused: a run of this same upgrade of ${federation} is still at work: ${describeLock(holder)}; its runner (pid ${activeRunner.pid} on ${activeRunner.holder}) ` +
            `was at ${activeRunner.step} of zone ${activeRunner.zone_id} at ${activeRunner.heartbeat_at}. Nothing was changed. ` +
            "Its terraform may have died, but that runner still changes machines: wait for it to finish (its heartbeat stops when it exits), or stop it, then deploy again."
        : `${what} refused: the federation ${federation} is being upgraded by another run: ${describeLock(holder)}. Nothing was changed. ` +
            "If that run is still going, wait for it to finish. If it died, continue it from the same terraform state (the same state lineage takes the lock over), " +
            `or, once you are sure nothing runs any more, release it with \`onefed unlock --run-id ${holder.run_id}\`.`,
      ExitCode.Locked,
    );
  }
}

/** A master server's copy of the ledger holds lines that are no ledger record: refuse rather than guess. */
export class LedgerUnreadableError extends OnefedError {
  constructor(server: string, dir: string, lines: readonly string[]) {
    super(
      `the upgrade ledger on the master server ${server} (${dir}) holds ${lines.length} unreadable record(s), e.g. ${JSON.stringify(lines[0])}. ` +
        "Nothing was changed. Look at the files there: remove a record only if you know what it was (onefed writes one JSON line per file).",
    );
  }
}

/** What a step holds while it works (FederationLedger.begin). */
export interface StepClaim {
  readonly verdict: LockVerdict;
  /** The ledger as read right after the lock and the first heartbeat were written. */
  readonly snapshot: LedgerSnapshot;
  readonly heartbeat: RunnerHeartbeat;
}

/** This runner's beat on the lock's authority (lib/model/ledger.ts LedgerRunner). */
export interface RunnerHeartbeat {
  /** Its record's file name in the ledger directory. */
  readonly file: string;
  /** Stops beating and leaves the file (finish removes it with the step's entry). */
  halt(): Promise<void>;
  /** Stops beating and removes the file unless finish did (a failed step's runner is at work no more). */
  stop(): Promise<void>;
  /** The file is gone (finish removed it with the entry): stop() has nothing left to remove. */
  removed(): void;
}

/** What a step must find in the ledger to begin (FederationLedger.beginChecked): the guards of its compare-and-swap. */
export interface BeginExpectation {
  /** Entries that must be recorded: the step's requirements (lib/model/step-requirements.ts). */
  readonly required: ReadonlyArray<{ readonly step: StepName; readonly zoneId: number }>;
  /** Entries of which at least one must be missing: the upgrade is not complete. Empty: no such guard (verify). */
  readonly notAllOf: ReadonlyArray<{ readonly step: StepName; readonly zoneId: number }>;
  /** The step's own entry may already be there (the preflight's claim after its checks). @default false: it must be missing */
  readonly mayBeRecorded?: boolean;
}

/** What beginChecked found: the lock claimed (every guard held), or the ledger as it was when a guard did not hold. */
export type BeginAttempt = { readonly claim: StepClaim; readonly snapshot: LedgerSnapshot } | { readonly claim?: undefined; readonly snapshot: LedgerSnapshot };

/**
 * When this run's lock on a ledger was taken (its `since`), as this process last saw it: what lets a
 * step's compare-and-swap rewrite the lock exactly as `lockRecord` would for a lock that is "ours"
 * without reading it first. Kept per process (the warm runner's steps share it); a process that has
 * not seen its run's lock yet sends only the "free" branch, and a lock found there is judged as before.
 */
const OWN_LOCK_SINCE = new Map<string, string>();

export class FederationLedger {
  constructor(
    private readonly federation: string,
    /** One store per master server, the lock's authority first. */
    private readonly stores: readonly RemoteLedgerStore[],
    public readonly run: RunIdentity,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (stores.length === 0) throw new Error("a ledger needs at least one master server");
  }

  /** The ledger as the master servers hold it: the authority's lock, every server's entries. */
  async read(): Promise<LedgerSnapshot> {
    return this.remember(this.merge(await Promise.all(this.stores.map(async (s) => this.readable(s, await s.read())))));
  }

  private get ownLockKey(): string {
    return `${hostPort(this.stores[0].machine.target)}|${this.stores[0].dir}|${this.run.runId}`;
  }

  /** Notes when this run's lock was taken, from any ledger this process reads. */
  private remember(snapshot: LedgerSnapshot): LedgerSnapshot {
    if (snapshot.lock?.run_id === this.run.runId) OWN_LOCK_SINCE.set(this.ownLockKey, snapshot.lock.since);
    return snapshot;
  }

  private readable(s: RemoteLedgerStore, copy: { readonly snapshot: LedgerSnapshot; readonly unreadable: readonly string[] }): LedgerSnapshot {
    if (copy.unreadable.length > 0) throw new LedgerUnreadableError(hostPort(s.machine.target), s.dir, copy.unreadable);
    return copy.snapshot;
  }

  /** One snapshot of every server's copy (the authority's first): each entry's newest record, the authority's lock. */
  private merge(copies: readonly LedgerSnapshot[]): LedgerSnapshot {
    const entries = new Map<string, LedgerEntry>();
    for (const e of copies.flatMap((c) => c.entries)) {
      const key = entryFile(e.step, e.zone_id);
      const seen = entries.get(key);
      if (!seen || seen.completed_at < e.completed_at) entries.set(key, e);
    }
    // A lock only a mirror still holds (a release cut short) still counts: never assume it free.
    const lock = copies[0].lock ?? copies.map((c) => c.lock).find((l) => l !== undefined);
    const rollbacks = copies[0].rollbacks;
    return { lock, entries: [...entries.values()], events: copies[0].events, runners: copies[0].runners ?? [], ...(rollbacks ? { rollbacks } : {}) };
  }

  /**
   * Takes the federation lock for this run (free, or held by the same upgrade) before a step acts,
   * and notes the step it reached; refuses with LockHeldError when another upgrade holds it.
   */
  async claim(step: StepName | "rollback", zone: ZoneConfig): Promise<LockVerdict> {
    const ledger = await this.read();
    const current = ledger.lock;
    const verdict = judgeLock(current, this.run, ledger.runners, (r) => runnerActive(r, this.now()));
    if (verdict.kind === "held") throw new LockHeldError(this.federation, verdict.holder, `${step} of ${zoneLabel(zone)}`, verdict.activeRunner);
    const lock = this.lockRecord(step, zone, verdict, current);
    if (verdict.kind === "free") {
      // Exclusive on the authority: of two runs that both saw it free, one creates it, the other re-reads and refuses.
      if (!(await this.stores[0].create(LOCK_FILE, lock))) return this.claimAfterRace(step, zone);
      await Promise.all(this.stores.slice(1).map((s) => s.write(LOCK_FILE, lock)));
    } else {
      await Promise.all(this.stores.map((s) => s.write(LOCK_FILE, lock)));
    }
    return verdict;
  }

  private lockRecord(step: StepName | "rollback", zone: ZoneConfig, verdict: LockVerdict, current: LedgerLock | undefined): LedgerLock {
    const at = this.now().toISOString();
    return {
      kind: "lock",
      format: LEDGER_FORMAT,
      run_id: this.run.runId,
      lineage: this.run.lineage ?? null,
      holder: this.run.who,
      since: verdict.kind === "free" ? at : (current?.since ?? at),
      step,
      zone_id: zone.id,
      updated_at: at,
    };
  }

  /**
   * claim + heartbeat + read in ONE round trip per master server (docs/round-trips.md): judges the
   * lock on `known` (the snapshot the step read just before; read now when absent), then writes the
   * lock and this runner's first heartbeat and reads the ledger back, in one script. The snapshot
   * returned is the ledger right after the lock was taken: what the step proves its requirements on.
   */
  async begin(step: StepName, zone: ZoneConfig, known?: LedgerSnapshot): Promise<StepClaim> {
    const ledger = known ?? (await this.read());
    const verdict = judgeLock(ledger.lock, this.run, ledger.runners, (r) => runnerActive(r, this.now()));
    if (verdict.kind === "held") throw new LockHeldError(this.federation, verdict.holder, `${step} of ${zoneLabel(zone)}`, verdict.activeRunner);
    const lock = this.lockRecord(step, zone, verdict, ledger.lock);
    // One file per step: a warm runner beats for several steps at once from one pid.
    const file = runnerFile(this.run.runId, this.run.who, process.pid, `${step}-${zone.id}`);
    const [authority, ...mirrors] = this.stores;
    // Exclusive on the authority when free: of two runs that both saw it free, one creates it, the other judges again.
    const first = await authority.transact(
      [
        { op: verdict.kind === "free" ? "create" : "write", name: LOCK_FILE, record: lock },
        { op: "write", name: file, record: this.runnerRecord(step, zone) },
      ],
      true,
    );
    if (!first.created) return this.begin(step, zone, this.readable(authority, first.after!));
    const copies = await Promise.all(
      mirrors.map(async (m) => this.readable(m, (await m.transact([{ op: "write", name: LOCK_FILE, record: lock }], true)).after!)),
    );
    return { verdict, snapshot: this.remember(this.merge([this.readable(authority, first.after!), ...copies])), heartbeat: this.beating(step, zone, file) };
  }

  /**
   * The step's begin as ONE compare-and-swap on the lock's authority (docs/ledger.md, "Begin: one
   * compare-and-swap"), with no read before it: the transaction checks on the master what the step
   * must find — its own entry not recorded, the upgrade not complete, every requirement recorded, the
   * lock free (created exclusively) or this run's own as this process last saw it — and only if all
   * hold writes the lock and this runner's first heartbeat; either way it prints the ledger as it is
   * then. The caller judges that snapshot with the same checks as before (so the same refusals and
   * messages); when no claim came back, a step those checks let through (a lock to take over, a
   * lock this process has not seen yet) goes on with `begin(step, zone, snapshot)`.
   *
   * A master of several servers keeps the read and the begin apart (entries are merged from every
   * server, which one script on the authority cannot check): it returns the read, with no claim.
   */
  async beginChecked(step: StepName, zone: ZoneConfig, expect: BeginExpectation): Promise<BeginAttempt> {
    if (this.stores.length > 1) return { snapshot: await this.read() };
    const [authority] = this.stores;
    const since = OWN_LOCK_SINCE.get(this.ownLockKey);
    const created = this.lockRecord(step, zone, { kind: "free" }, undefined);
    const ours = since === undefined ? undefined : this.lockRecord(step, zone, { kind: "ours" }, { ...created, since });
    const file = runnerFile(this.run.runId, this.run.who, process.pid, `${step}-${zone.id}`);
    const names = (rs: BeginExpectation["required"]) => rs.map((r) => entryFile(r.step, r.zoneId));
    const result = await authority.transact(
      [
        ...(expect.mayBeRecorded ? [] : [{ op: "absent" as const, name: entryFile(step, zone.id) }]),
        ...(expect.notAllOf.length > 0 ? [{ op: "some-absent" as const, names: names(expect.notAllOf) }] : []),
        ...names(expect.required).map((name) => ({ op: "present" as const, name })),
        { op: "lock", name: LOCK_FILE, create: created, ...(ours ? { ours: { prefix: lockPrefix(authority.serialized(ours)), record: ours } } : {}) },
        { op: "write", name: file, record: this.runnerRecord(step, zone) },
      ],
      true,
    );
    if (!result.created) return { snapshot: this.remember(this.readable(authority, result.after!)) };
    let snapshot: LedgerSnapshot;
    try {
      snapshot = this.remember(this.readable(authority, result.after!));
    } catch (err) {
      // Every guard held, yet a record there is unreadable: what this claim wrote goes again (the lock
      // only when it was surely created here), and the step refuses as the read before it used to.
      await authority.remove(ours ? [file] : [file, LOCK_FILE]).catch(() => undefined);
      throw err;
    }
    const verdict: LockVerdict = ours && snapshot.lock?.since === since ? { kind: "ours" } : { kind: "free" };
    return { claim: { verdict, snapshot, heartbeat: this.beating(step, zone, file) }, snapshot };
  }

  /**
   * record + the heartbeat's end in ONE round trip per master server: the entry on every server,
   * the runner file removed from the authority; with `readAfter`, the ledger as it is afterwards.
   */
  async finish(
    step: StepName,
    zone: ZoneConfig,
    evidence: Evidence,
    claim: StepClaim,
    readAfter = false,
  ): Promise<{ entry: LedgerEntry; snapshot?: LedgerSnapshot }> {
    await claim.heartbeat.halt();
    const entry = this.entryRecord(step, zone, evidence);
    const copies = await Promise.all(
      this.stores.map((s, i) =>
        s.transact(
          [{ op: "write", name: entryFile(step, zone.id), record: entry }, ...(i === 0 ? [{ op: "remove" as const, name: claim.heartbeat.file }] : [])],
          readAfter,
        ),
      ),
    );
    claim.heartbeat.removed();
    return { entry, ...(readAfter ? { snapshot: this.merge(copies.map((c, i) => this.readable(this.stores[i], c.after!))) } : {}) };
  }

  private runnerRecord(step: StepName | "rollback", zone: ZoneConfig): LedgerRunner {
    return {
      kind: "runner",
      format: LEDGER_FORMAT,
      run_id: this.run.runId,
      holder: this.run.who,
      pid: process.pid,
      step,
      zone_id: zone.id,
      heartbeat_at: this.now().toISOString(),
    };
  }

  /** The heartbeat after its first beat (written by begin): a beat every `intervalMs` until halted. */
  private beating(step: StepName, zone: ZoneConfig, file: string, intervalMs = RUNNER_HEARTBEAT_MS): RunnerHeartbeat {
    let inFlight: Promise<void> = Promise.resolve();
    // A missed beat is no failure of the step: the next one, or the stale limit, settles it.
    const timer = setInterval(() => {
      inFlight = this.stores[0].write(file, this.runnerRecord(step, zone)).catch(() => undefined);
    }, intervalMs);
    timer.unref();
    const halt = async () => {
      clearInterval(timer);
      await inFlight; // a beat under way must not write the file back after it is removed
    };
    let gone = false;
    return {
      file,
      halt,
      removed: () => (gone = true),
      stop: async () => {
        await halt();
        if (!gone) await this.stores[0].remove([file]).catch(() => undefined);
        gone = true;
      },
    };
  }

  private async claimAfterRace(step: StepName | "rollback", zone: ZoneConfig): Promise<LockVerdict> {
    const ledger = await this.read();
    const verdict = judgeLock(ledger.lock, this.run, ledger.runners, (r) => runnerActive(r, this.now()));
    if (verdict.kind === "held") throw new LockHeldError(this.federation, verdict.holder, `${step} of ${zoneLabel(zone)}`, verdict.activeRunner);
    return this.claim(step, zone);
  }

  /** Records a (step, zone) as proven complete, with its evidence, on every master server. */
  async record(step: StepName, zone: ZoneConfig, evidence: Evidence): Promise<LedgerEntry> {
    const entry = this.entryRecord(step, zone, evidence);
    await Promise.all(this.stores.map((s) => s.write(entryFile(step, zone.id), entry)));
    return entry;
  }

  private entryRecord(step: StepName, zone: ZoneConfig, evidence: Evidence): LedgerEntry {
    return {
      kind: "entry",
      format: LEDGER_FORMAT,
      step,
      zone_id: zone.id,
      run_id: this.run.runId,
      lineage: this.run.lineage ?? null,
      completed_at: this.now().toISOString(),
      evidence,
    };
  }

  /**
   * Releases the lock once every expected (step, zone) is recorded: called after each final step,
   * the last one to finish sees them all (each reads after its own write). `known`: the ledger as
   * read after this step's own write (finish with readAfter). @default read now
   */
  async releaseIfComplete(expected: ReadonlyArray<{ readonly step: StepName; readonly zoneId: number }>, known?: LedgerSnapshot): Promise<boolean> {
    const ledger = known ?? (await this.read());
    if (!ledger.lock) return false;
    if (!expected.every((x) => ledger.entries.some((e) => e.step === x.step && e.zone_id === x.zoneId))) return false;
    if (judgeLock(ledger.lock, this.run).kind === "held") return false;
    await Promise.all(this.stores.map((s) => s.remove([LOCK_FILE])));
    return true;
  }

  /**
   * Beats this runner's heartbeat on the lock's authority until the returned stop() (which removes
   * it): while it beats, no other run takes this upgrade's lock over (lib/model/ledger.ts LedgerRunner).
   */
  async heartbeat(step: StepName | "rollback", zone: ZoneConfig, intervalMs = RUNNER_HEARTBEAT_MS): Promise<() => Promise<void>> {
    // One file per step: a warm runner beats for several steps at once from one pid.
    const file = runnerFile(this.run.runId, this.run.who, process.pid, `${step}-${zone.id}`);
    const beat = () => this.stores[0].write(file, this.runnerRecord(step, zone));
    await beat();
    // A missed beat is no failure of the step: the next one, or the stale limit, settles it.
    let inFlight: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      inFlight = beat().catch(() => undefined);
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await inFlight; // a beat under way must not write the file back after it is removed
      await this.stores[0].remove([file]).catch(() => undefined);
    };
  }

  /** Records how far a zone's rollback got (lib/run/rollback), on every master server. */
  async recordRollback(zone: ZoneConfig, phase: RollbackPhase, version: string, summary: string): Promise<void> {
    const record: LedgerRollback = {
      kind: "rollback",
      format: LEDGER_FORMAT,
      zone_id: zone.id,
      run_id: this.run.runId,
      phase,
      version,
      updated_at: this.now().toISOString(),
      summary,
    };
    await Promise.all(this.stores.map((s) => s.write(rollbackFile(zone.id), record)));
  }

  /**
   * A zone rolled back: the event for the record first, then the upgrade's every entry of that zone
   * and its rollback progress go, so the next deploy runs the zone's whole upgrade again.
   */
  async forgetRolledBackZone(zone: ZoneConfig, steps: readonly StepName[], detail: string): Promise<void> {
    await this.note("rollback", detail);
    const names = [...steps.map((s) => entryFile(s, zone.id)), rollbackFile(zone.id)];
    await Promise.all(this.stores.map((s) => s.remove(names)));
  }

  /** Releases this run's own lock (a rollback that finished). */
  async release(): Promise<boolean> {
    const lock = (await this.read()).lock;
    if (!lock || lock.run_id !== this.run.runId) return false;
    await Promise.all(this.stores.map((s) => s.remove([LOCK_FILE])));
    return true;
  }

  /** Takes back the proof of steps an operator undid by hand (a manual unfreeze), with an event for the record. */
  async forget(steps: readonly StepName[], zoneIds: readonly number[], what: LedgerEvent["what"], detail: string): Promise<void> {
    const names = steps.flatMap((s) => zoneIds.map((z) => entryFile(s, z)));
    await Promise.all(this.stores.map((s) => s.remove(names)));
    await this.note(what, detail);
  }

  /** Releases a lock by hand: only the holder named by the operator. */
  async unlock(runId: string, detail: string): Promise<LedgerLock | undefined> {
    const lock = (await this.read()).lock;
    if (!lock || lock.run_id !== runId) return lock;
    await Promise.all(this.stores.map((s) => s.remove([LOCK_FILE])));
    await this.note("unlock", detail);
    return undefined;
  }

  private async note(what: LedgerEvent["what"], detail: string): Promise<void> {
    const at = this.now().toISOString();
    const event: LedgerEvent = { kind: "event", format: LEDGER_FORMAT, what, by: this.run.who, at, detail };
    await Promise.all(this.stores.map((s) => s.write(`event-${at.replace(/[:.]/g, "")}-${what}.json`, event)));
  }
}

/**
 * The part of a serialized lock record that names its run and when the run took it (`kind`, `format`,
 * `run_id`, `lineage`, `holder`, `since`, in the order lockRecord writes them): a lock starting with
 * it is this run's, taken at that time; what follows (step, zone, updated_at) is what a step rewrites.
 */
export function lockPrefix(serialized: string): string {
  const at = serialized.indexOf(',"step":');
  if (at < 0 || !serialized.startsWith('{"kind":"lock",')) throw new Error(`not a lock record: ${serialized.slice(0, 80)}`);
  return serialized.slice(0, at + 1);
}
