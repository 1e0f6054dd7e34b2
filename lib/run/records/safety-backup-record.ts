/**
 * A zone's pre-upgrade full backup, as the automation host records it
 * (`<backup.localDirectory>/safety-backups/zone-<id>.json`): the terraform output
 * `safety_backup_zone_<id>` shows it, and a rollback starts from it.
 */
import { FederationConfig, ZoneConfig } from "../../model/federation";
import { safetyBackupRecordPath } from "../../model/paths";
import { array, integer, object, optional, string } from "./record-shape";
import { RecordKind, RecordStore } from "./record-store";

/** One front-end's pre-upgrade backup. */
export interface ServerBackup {
  /** host:port as federation.yaml lists it. */
  readonly frontend: string;
  /** Path on the front-end. */
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256: string;
}

export interface SafetyBackupRecord extends ServerBackup {
  readonly zone_id: number;
  readonly zone_name: string;
  /** The version the backup was taken from. */
  readonly opennebula_version: string;
  /** ISO 8601. */
  readonly taken_at: string;
  /** HA zones: every server's own backup (the top-level fields repeat the leader's). */
  readonly servers?: readonly ServerBackup[];
}

const serverBackup = { frontend: string, path: string, size_bytes: integer, sha256: string };

const SAFETY_BACKUP_RECORD: RecordKind<SafetyBackupRecord> = {
  title: "safety-backup record",
  holds: "the path, size and sha256 of the zone's pre-upgrade backup on each front-end",
  // The synth names the same file for its terraform output, hence the path lives in model/paths.ts.
  path: safetyBackupRecordPath,
  shape: object<SafetyBackupRecord>({
    ...serverBackup,
    zone_id: integer,
    zone_name: string,
    opennebula_version: string,
    taken_at: string,
    servers: optional(array(object<ServerBackup>(serverBackup))),
  }),
  remedy:
    "Put back a good copy if you have one (the backups themselves stay on the front-ends). Otherwise move the file aside and run the deploy again: the backup is taken anew while the zone still runs the version it upgrades from, and refused once its packages moved.",
};

/** Whether a value (e.g. a ledger entry's evidence) is a well-formed safety-backup record. */
export function isSafetyBackupRecord(value: unknown): value is SafetyBackupRecord {
  return SAFETY_BACKUP_RECORD.shape.problems(value, "").length === 0;
}

/** The zone's safety-backup record. */
export function safetyBackupRecord(config: FederationConfig, zone: ZoneConfig): RecordStore<SafetyBackupRecord> {
  return new RecordStore(SAFETY_BACKUP_RECORD, config, zone);
}
