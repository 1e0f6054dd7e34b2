/**
 * Ledger snapshots for step unit tests: the entries earlier steps would have left on the master,
 * so a test says only which (step, zone) is proven and with what evidence. Every snapshot goes
 * through the ledger's own parser, so a test can never hand a step an entry the runner would not
 * have read back.
 *
 *   ledgerWith([backupEntry(config, sha), safetyBackupEntry(config, zone, sha2)])
 */
import { FederationConfig, hostPort, ZoneConfig } from "../../lib/model/federation";
import { Evidence, JsonValue, LEDGER_FORMAT, LedgerEntry, LedgerLock, LedgerSnapshot, parseLedger, serializeRecord } from "../../lib/model/ledger";
import { artifactPaths, safetyBackupRemotePath } from "../../lib/model/paths";
import { StepName } from "../../lib/model/steps";
import { SafetyBackupRecord } from "../../lib/run/records/safety-backup-record";

/** One (step, zone) the ledger proves complete. */
export interface EntryInput {
  readonly step: StepName;
  readonly zoneId: number;
  /** What the step proved. @default {} */
  readonly evidence?: Evidence;
}

/** When every test entry completed: a fixed time, so messages that quote it are stable. */
export const COMPLETED_AT = "2026-11-30T10:00:00.000Z";

/** An entry as the runner writes it (run-step.ts records `{ summary, ...evidence }`). */
export function ledgerEntry({ step, zoneId, evidence = {} }: EntryInput): LedgerEntry {
  return {
    kind: "entry",
    format: LEDGER_FORMAT,
    step,
    zone_id: zoneId,
    run_id: "run-test",
    lineage: "lineage-test",
    completed_at: COMPLETED_AT,
    evidence: { summary: `${step} of zone ${zoneId}`, ...evidence },
  };
}

/** Another run's lock (run-a of lineage-1, held by ci@runner-1 on zone 0), taken and last updated at `since`. */
export function runALock(since: string, step: StepName = "freeze"): LedgerLock {
  return { kind: "lock", format: LEDGER_FORMAT, run_id: "run-a", lineage: "lineage-1", holder: "ci@runner-1", since, step, zone_id: 0, updated_at: since };
}

/** The ledger as read from the master after these entries were recorded (no lock, no events). */
export function ledgerWith(entries: readonly EntryInput[]): LedgerSnapshot {
  const { snapshot, unreadable } = parseLedger(entries.map((e) => serializeRecord(ledgerEntry(e))).join(""));
  if (unreadable.length > 0) throw new Error(`ledger-entries: the ledger would not read back ${unreadable.join(" | ")}`);
  return snapshot;
}

/** The master's federated backup, as the backup step records it (federated-backup.ts artifactEvidence). */
export function backupEntry(config: FederationConfig, sha256: string): EntryInput {
  const artifact = artifactPaths(config);
  return {
    step: "backup",
    zoneId: config.master.id,
    evidence: { artifact_sha256: sha256, artifact_remote_path: artifact.remotePath, artifact_file: artifact.fileName },
  };
}

/** A slave's restore of the artifact with `sha256`, proven by content. */
export function restoreEntry(zone: ZoneConfig, sha256: string, contentDigest = "c".repeat(64)): EntryInput {
  return { step: "restore", zoneId: zone.id, evidence: { artifact_sha256: sha256, content_digest: contentDigest, shared_version: "7.0.0" } };
}

/** The record the safety-backup step keeps: the same backup file with `sha256` on every front-end of the zone. */
export function safetyBackupRecordOf(config: FederationConfig, zone: ZoneConfig, sha256: string): SafetyBackupRecord {
  const servers = zone.frontends.map((f) => ({ frontend: hostPort(f), path: safetyBackupRemotePath(config, zone), size_bytes: 4096, sha256 }));
  return {
    zone_id: zone.id,
    zone_name: zone.name,
    ...servers[0],
    opennebula_version: config.fromVersion,
    taken_at: COMPLETED_AT,
    ...(servers.length > 1 ? { servers } : {}),
  };
}

/** The zone's safety backup, as the safety-backup step records it (evidence.record). */
export function safetyBackupEntry(config: FederationConfig, zone: ZoneConfig, sha256: string): EntryInput {
  return { step: "safety-backup", zoneId: zone.id, evidence: { record: safetyBackupRecordOf(config, zone, sha256) as unknown as JsonValue } };
}
