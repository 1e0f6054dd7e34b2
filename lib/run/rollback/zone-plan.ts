/**
 * What a rollback has to do on each zone, from the federation's ledger: roll it back from its
 * recorded safety backup, resume it where a killed rollback left it, or nothing at all (its
 * upgrade never reached its safety backup, so it still runs the old version).
 */
import { ZoneConfig } from "../../model/federation";
import { LedgerRollback, LedgerSnapshot } from "../../model/ledger";
import { SafetyBackupRecord } from "../records/safety-backup-record";
import { recordedSafetyBackup } from "../steps/safety-backup";

export type ZonePlanKind =
  /** The safety backup is recorded: stop, restore, reinstall, configuration, start. */
  | "roll-back"
  /** A rollback recorded the zone restored but not started: start it (never restore it again). */
  | "start"
  /** A rollback recorded the zone running again: only its ledger entries are left to forget. */
  | "finish"
  /** No safety backup recorded: the upgrade never changed the zone, which must still run the old version. */
  | "not-upgraded";

export interface ZonePlan {
  readonly zone: ZoneConfig;
  readonly kind: ZonePlanKind;
  /** The safety backup the ledger records (absent for `not-upgraded`). */
  readonly backup?: SafetyBackupRecord;
  /** The rollback's progress record, when a rollback got that far. */
  readonly progress?: LedgerRollback;
}

export function planZone(zone: ZoneConfig, ledger: LedgerSnapshot): ZonePlan {
  const progress = ledger.rollbacks?.find((r) => r.zone_id === zone.id);
  const backup = recordedSafetyBackup({ ledger, zone });
  if (progress?.phase === "done") return { zone, kind: "finish", backup, progress };
  if (progress?.phase === "restored") return { zone, kind: "start", backup, progress };
  return backup ? { zone, kind: "roll-back", backup } : { zone, kind: "not-upgraded" };
}

/** One line for the confirmation and the log. */
export function describePlan(plan: ZonePlan, fromVersion: string): string {
  const where = `zone ${plan.zone.id} (${plan.zone.name})`;
  switch (plan.kind) {
    case "roll-back": {
      const n = plan.backup!.servers?.length ?? 1;
      return `${where}: stop, restore ${plan.backup!.path} (sha256 ${plan.backup!.sha256.slice(0, 12)}…, taken ${plan.backup!.taken_at}${n > 1 ? `, the leader's on ${n} servers` : ""}), reinstall ${fromVersion}, put /etc/one back${nodesPart(plan, fromVersion)}, start`;
    }
    case "start":
      return `${where}: restored by an earlier rollback (${plan.progress!.updated_at});${nodesPart(plan, fromVersion)} start it`;
    case "finish":
      return `${where}: rolled back by an earlier rollback (${plan.progress!.updated_at}); forget its upgrade entries`;
    case "not-upgraded":
      return `${where}: no safety backup recorded (its upgrade never changed it); prove it runs ${fromVersion}, start it if it is down`;
  }
}

/** ", node packages of kvm-0-1, kvm-0-2 back to <from>" when the zone lists hypervisor hosts. */
function nodesPart(plan: ZonePlan, fromVersion: string): string {
  const names = plan.zone.nodes.map((n) => n.name);
  if (names.length === 0) return "";
  return `${plan.kind === "start" ? " " : ", "}node packages of ${names.join(", ")} back to ${fromVersion}${plan.kind === "start" ? ";" : ""}`;
}
