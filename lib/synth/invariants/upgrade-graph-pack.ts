/**
 * The safety rules of an upgrade's order, in the order they are reported. Rules that only mean
 * something for one kind of upgrade say so with `appliesTo` (zone by zone, or coordinated).
 */
import { backupExportsUpgradedMaster } from "./backup-exports-upgraded-master";
import { downloadBeforeWindow } from "./download-before-window";
import { freezeAfterHostsDisable } from "./freeze-after-hosts-disable";
import { freezeOrder } from "./freeze-order";
import { GraphRule } from "./graph-rule";
import { haReplicatesBeforeStart } from "./ha-replicates-before-start";
import { hostsEnableAfterUnfreeze } from "./hosts-enable-after-unfreeze";
import { masterNeverRestored } from "./master-never-restored";
import { masterUpgradesAfterEveryStop } from "./master-upgrades-after-every-stop";
import { nodesAfterStart } from "./nodes-after-start";
import { nodesBeforeHostSync } from "./nodes-before-host-sync";
import { replicateAfterUpgrade } from "./replicate-after-upgrade";
import { restoreAfterFederatedBackup } from "./restore-after-federated-backup";
import { safetyBackupFirst } from "./safety-backup-first";
import { slaveRestoresBeforeUpgrade } from "./slave-restores-before-upgrade";
import { stopAfterPreflight } from "./stop-after-preflight";
import { stopAfterSync } from "./stop-after-sync";
import { syncAfterFreeze } from "./sync-after-freeze";
import { typeANoFederatedSteps } from "./type-a-no-federated-steps";
import { typeAStopAfterOwnPreflight } from "./type-a-stop-after-own-preflight";
import { typeAZonesIndependent } from "./type-a-zones-independent";
import { unfreezeAfterEveryStart } from "./unfreeze-after-every-start";

export const UPGRADE_GRAPH_PACK: readonly GraphRule[] = [
  // Every upgrade: inside each zone.
  safetyBackupFirst,
  haReplicatesBeforeStart,
  replicateAfterUpgrade,
  nodesAfterStart,
  nodesBeforeHostSync,
  downloadBeforeWindow,
  // Zone by zone (type A).
  typeANoFederatedSteps,
  typeAZonesIndependent,
  typeAStopAfterOwnPreflight,
  // Coordinated (type B): across zones.
  stopAfterPreflight,
  stopAfterSync,
  syncAfterFreeze,
  masterNeverRestored,
  restoreAfterFederatedBackup,
  slaveRestoresBeforeUpgrade,
  backupExportsUpgradedMaster,
  masterUpgradesAfterEveryStop,
  freezeOrder,
  unfreezeAfterEveryStart,
  hostsEnableAfterUnfreeze,
  freezeAfterHostsDisable,
];
