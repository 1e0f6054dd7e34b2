/** Check packs: the same checks serve the drift check and the preflight step. */
import { FederationConfig } from "../model/federation";
import { printable } from "../model/printable";
import { Check, CheckResult } from "./check";
import { databaseAsDeclared } from "./database-as-declared";
import { databaseCurrent } from "./database-current";
import { FederationFacts } from "./facts";
import { federationInSync } from "./federation-in-sync";
import { freeDisk } from "./free-disk";
import { frontendReachable } from "./frontend-reachable";
import { haSameDbName } from "./ha-same-db-name";
import { noUpgradeUnderWay } from "./no-upgrade-under-way";
import { nodesReady } from "./nodes-ready";
import { onedRunning } from "./oned-running";
import { raftHealthy } from "./raft-healthy";
import { versionAsDeclared } from "./version-as-declared";
import { zoneEnabled } from "./zone-enabled";
import { zonesMatchMaster } from "./zones-match-master";

/** Before an upgrade: is the federation as the file says, and ready? */
export const READINESS_PACK: readonly Check[] = [
  frontendReachable,
  versionAsDeclared,
  databaseAsDeclared,
  databaseCurrent,
  onedRunning,
  raftHealthy,
  haSameDbName,
  zoneEnabled,
  zonesMatchMaster,
  federationInSync,
  freeDisk,
  nodesReady,
  noUpgradeUnderWay,
];

/** Every check's results, their text made printable: findings quote names and output from the front-ends. */
export function runPack(pack: readonly Check[], facts: FederationFacts, config: FederationConfig): CheckResult[] {
  return pack.flatMap((c) => c.run(facts, config)).map(printableResult);
}

function printableResult(r: CheckResult): CheckResult {
  const text = (s: string | undefined) => (s === undefined ? undefined : printable(s));
  return {
    ...r,
    summary: printable(r.summary),
    ...(r.zone ? { zone: { ...r.zone, name: printable(r.zone.name) } } : {}),
    ...(r.frontend !== undefined ? { frontend: text(r.frontend) } : {}),
    ...(r.expected !== undefined ? { expected: text(r.expected) } : {}),
    ...(r.found !== undefined ? { found: text(r.found) } : {}),
    ...(r.next !== undefined ? { next: text(r.next) } : {}),
  };
}

/**
 * The preflight step's pack: readiness without the FED_INDEX comparison, which only means something
 * once writes are frozen — the sync step after the freeze waits for it and refuses on `-` or lag —
 * and without the lock check: the runner itself takes the lock, or takes it over when a failed run
 * of the same upgrade held it, or refuses.
 */
export const PREFLIGHT_PACK: readonly Check[] = READINESS_PACK.filter((c) => c !== federationInSync && c !== noUpgradeUnderWay);
