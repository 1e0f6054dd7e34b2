/**
 * What the steps the ledger records left on the automation host, put back from their evidence.
 * A step does it itself when it finds itself recorded (run-step.ts); reconcile does it for every
 * recorded step before the apply, because a deploy whose state claims them runs none of them: on a
 * runner that kept the state but lost its artifact directory, the safety-backup records (what the
 * terraform outputs show, where a rollback starts) would otherwise stay missing for good.
 */
import { FederationConfig } from "../model/federation";
import { LedgerSnapshot } from "../model/ledger";
import { Connector, MachineOpeners } from "./connector";
import { buildStepContext } from "./step-context";
import { STEPS } from "./steps/catalog";

/** Runs every recorded step's restoreLocal (local files only: nothing reaches a machine). */
export function restoreLocalCopies(config: FederationConfig, ledger: LedgerSnapshot, machines: Connector | MachineOpeners): void {
  for (const entry of ledger.entries) {
    const zone = config.zones.find((z) => z.id === entry.zone_id);
    const restore = STEPS[entry.step]?.restoreLocal;
    if (zone && restore)
      restore(
        buildStepContext(config, zone, entry.step, () => undefined, machines, ledger),
        entry.evidence,
      );
  }
}
