/**
 * The federated backup lost for good: the master's backup step recorded it, a slave still needs it
 * (its restore is not recorded), and neither this automation host nor any master server holds a
 * copy with the recorded sha256 (an ephemeral CI runner, and the master's backup directory cleaned).
 * Reconcile then runs the backup step again: it takes the backup anew from the master — stopping a
 * master that runs again for the export while the federation stays frozen, and starting it after —
 * and proves it equal in content to what slaves already restored (steps/federated-backup.ts).
 */
import * as fs from "fs";
import { FederationConfig } from "../model/federation";
import { findEntry, LedgerSnapshot } from "../model/ledger";
import { artifactPaths } from "../model/paths";
import { STEP_FACTS } from "../model/steps";
import { sha256File } from "./artifact";
import { MachineOpeners } from "./connector";

/** Why the recorded federated backup must be taken anew, or undefined when a proven copy exists or nobody needs it. */
export async function lostFederatedBackup(config: FederationConfig, ledger: LedgerSnapshot, machines: MachineOpeners): Promise<string | undefined> {
  const backup = findEntry(ledger, "backup", config.master.id);
  const recorded = backup?.evidence.artifact_sha256;
  if (typeof recorded !== "string") return undefined;
  const waiting = config.zones.filter((z) => STEP_FACTS.restore.appliesTo(z, config) && !findEntry(ledger, "restore", z.id));
  if (waiting.length === 0) return undefined;
  const artifact = artifactPaths(config);
  if (fs.existsSync(artifact.localPath) && sha256File(artifact.localPath) === recorded) return undefined;
  for (let i = 0; i < config.master.frontends.length; i++) {
    const fe = await machines.frontend(config.master, i);
    if ((await fe.exists(artifact.remotePath)) && (await fe.sha256(artifact.remotePath)) === recorded) return undefined;
  }
  return (
    `the federated backup (sha256 ${recorded}) is on neither this host nor the master, and ` +
    `${waiting.map((z) => `zone ${z.id}`).join(", ")} still ${waiting.length === 1 ? "needs" : "need"} it`
  );
}
