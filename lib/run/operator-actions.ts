/**
 * What an operator does to a federation by hand, outside an upgrade run, with the federation's
 * ledger: look at the lock, release it, lift the freeze, verify. Each honours the lock the way the
 * runner does, and leaves an event in the ledger so the next run knows what changed under it.
 */
import { FederationConfig, freezesZone, zoneLabel } from "../model/federation";
import { describeError } from "../model/errors";
import { describeLock, LedgerLock, LedgerSnapshot, UNDONE_BY_UNFREEZE } from "../model/ledger";
import { ExitCode } from "../model/exit-codes";
import { OnefedError } from "../model/errors";
import { Connector } from "./connector";
import { withFederationLedger } from "./ledger/open-ledger";
import { currentRun } from "./ledger/run-identity";
import { FederationLedger } from "./ledger/federation-ledger";
import { buildStepContext } from "./step-context";
import { STEPS } from "./steps/catalog";

/** The operator named another run than the one holding the lock: nothing was released. */
export class UnlockMismatchError extends OnefedError {
  constructor(federation: string, asked: string, lock: LedgerLock | undefined) {
    super(
      lock
        ? `unlock refused: the federation ${federation}'s lock is held by ${describeLock(lock)}, not by run ${asked}. Nothing was released. ` +
            `Check that run is really gone, then run \`onefed unlock --run-id ${lock.run_id}\`.`
        : `unlock: the federation ${federation} holds no upgrade lock (run ${asked} released it already, or never took it). Nothing to do.`,
      lock ? ExitCode.Locked : ExitCode.Done,
    );
  }
}

/** An upgrade holds the lock: lifting the freeze now could expose a zone in the middle of it. */
export class UnfreezeLockedError extends OnefedError {
  constructor(federation: string, lock: LedgerLock) {
    super(
      `unfreeze refused: an upgrade of ${federation} holds the federation lock: ${describeLock(lock)}. Nothing was changed. ` +
        "Lifting the freeze in the middle of an upgrade lets users write to zones that are stopped or half upgraded. " +
        "If that run failed and you must give the federation back before fixing it, run `onefed unfreeze --force`: the next deploy freezes it again before anything else changes.",
      ExitCode.Locked,
    );
  }
}

function withLedger<T>(config: FederationConfig, f: (ledger: FederationLedger, connector: Connector) => Promise<T>): Promise<T> {
  return withFederationLedger(config, currentRun(), f);
}

/** `onefed lock status`: the ledger's lock, if any. */
export function lockStatus(config: FederationConfig): Promise<LedgerSnapshot> {
  return withLedger(config, (ledger) => ledger.read());
}

/** `onefed unlock --run-id ID`: releases the lock only when ID is the holder's run id. */
export function unlock(config: FederationConfig, runId: string): Promise<LedgerLock> {
  return withLedger(config, async (ledger) => {
    const held = (await ledger.read()).lock;
    if (!held || held.run_id !== runId) throw new UnlockMismatchError(config.name, runId, held);
    await ledger.unlock(runId, `onefed unlock --run-id ${runId} (the holder was ${held.holder}, at ${held.step} of zone ${held.zone_id})`);
    return held;
  });
}

/**
 * `onefed unfreeze`: lifts the freeze on every frozen zone (the master first), refused while an
 * upgrade holds the lock unless `force`; the ledger forgets the freeze and the sync, so the next
 * deploy freezes again and proves the sync again before any zone stops.
 */
export function unfreezeByHand(config: FederationConfig, opts: { readonly force: boolean }, out: (line: string) => void): Promise<number> {
  return withLedger(config, async (ledger, connector) => {
    const snapshot = await ledger.read();
    if (snapshot.lock && !opts.force) throw new UnfreezeLockedError(config.name, snapshot.lock);
    if (snapshot.lock) out(`unfreeze --force: lifting the freeze although ${describeLock(snapshot.lock)}; the next deploy freezes the federation again.`);
    const zones = config.zones.filter((z) => freezesZone(z, config));
    const lift = async (zone: (typeof zones)[number]): Promise<boolean> => {
      try {
        const ctx = buildStepContext(config, zone, "unfreeze", (l) => out(`[unfreeze ${zoneLabel(zone)}] ${l.trimStart()}`), connector, snapshot);
        out(`[unfreeze ${zoneLabel(zone)}] ${(await STEPS.unfreeze.run(ctx)).summary}`);
        return true;
      } catch (err) {
        out(`${zoneLabel(zone)}: ${describeError(err)}`);
        return false;
      }
    };
    // The master first: a slave's enable is refused while the master is disabled (docs/opennebula.md §4.5).
    const master = zones.filter((z) => z.role === "master");
    const ok = [...(await Promise.all(master.map(lift))), ...(await Promise.all(zones.filter((z) => z.role !== "master").map(lift)))];
    await ledger.forget(
      UNDONE_BY_UNFREEZE,
      config.zones.map((z) => z.id),
      "unfreeze",
      `onefed unfreeze${opts.force ? " --force" : ""}`,
    );
    const failed = ok.filter((x) => !x).length;
    out(failed === 0 ? "unfreeze: every zone enabled again" : `unfreeze: ${failed} of ${zones.length} zones failed`);
    return failed === 0 ? ExitCode.Done : ExitCode.Failed;
  });
}
