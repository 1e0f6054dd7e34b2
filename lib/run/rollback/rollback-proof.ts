/**
 * What a rollback proves on the machines before anything stops, and again on a re-run: the
 * recorded safety backups are there with their recorded sha256 (a tampered or truncated backup is
 * refused with nothing changed), the config backup is there wherever the packages moved, and a
 * zone said to be restored or never upgraded really runs the old version.
 */
import { hostPort } from "../../model/federation";
import { compareVersions, dbVersionOf } from "../../model/version";
import { safetyBackupRemotePath } from "../../model/paths";
import { StepContext } from "../step";
import { StepRefusal } from "../step-refusal";
import { intactOnEveryServer } from "../steps/safety-backup";
import { ConnectedServer } from "../raft";
import { ZonePlan } from "./zone-plan";

/** The suffix of the config backup the upgrade step makes (`cp -a /etc/one /etc/one.onefed-<from>`). */
export function configBackupSuffix(fromVersion: string): string {
  return `onefed-${fromVersion}`;
}

/** Refuses (StepRefusal, exit 1) unless the zone's plan can run; reads only. */
export async function proveBeforeStop(ctx: StepContext, plan: ZonePlan): Promise<void> {
  const { config, zone } = ctx;
  const servers = await ctx.servers();
  // The hosts' node packages go back too, once the zone is down (nodes-downgrade.ts): every host is
  // reached now, so an unknown host key or a host that is down refuses before anything stops.
  if (plan.kind === "roll-back" || plan.kind === "start") await Promise.all(zone.nodes.map((n) => ctx.node(n)));
  if (plan.kind === "roll-back") {
    const broken = await intactOnEveryServer(plan.backup!, servers);
    if (broken.length > 0) {
      throw new StepRefusal("rollback", {
        zone,
        expected: `the safety backup the ledger recorded (${safetyBackupRemotePath(config, zone)}) on every front-end with its recorded sha256`,
        found: broken.join("; "),
        next:
          "Nothing was changed: no zone was frozen or stopped. A backup that is not what onefed took cannot be trusted to restore the zone. " +
          "Put the original file back (from your own copies of the backup directory) and run `onefed rollback` again, or restore the zone by hand from a backup you trust.",
      });
    }
    for (const s of servers) {
      if (compareVersions(await s.frontend.installedVersion(), config.fromVersion) === 0) continue;
      const copies = await s.frontend.configurationBackups(configBackupSuffix(config.fromVersion));
      if (copies.some(([tree]) => tree === "/etc/one")) continue;
      throw new StepRefusal("rollback", {
        zone,
        frontend: s.config,
        expected: `/etc/one.${configBackupSuffix(config.fromVersion)}, the configuration the upgrade step saved before it changed the packages`,
        found: "no such directory, while the packages moved",
        next: `Nothing was changed. Put the ${config.fromVersion} configuration back there (from your own copies) and run \`onefed rollback\` again.`,
      });
    }
    return;
  }
  if (plan.kind === "not-upgraded" || plan.kind === "start") {
    const wrong = await notAtOldVersion(servers, config.fromVersion);
    if (wrong.length === 0) return;
    throw new StepRefusal("rollback", {
      zone,
      expected:
        plan.kind === "start"
          ? `OpenNebula ${config.fromVersion} and its DB on every front-end, as the rollback of ${plan.progress!.updated_at} recorded them restored`
          : `OpenNebula ${config.fromVersion} and its DB on every front-end: the ledger records no safety backup for this zone, so its upgrade never changed it`,
      found: wrong.join("; "),
      next:
        "Nothing was changed. onefed has no recorded backup to roll this zone back from: restore it by hand from your own backups " +
        "(README, Rollback by hand), then run `onefed rollback` again to finish the others.",
    });
  }
}

/** The servers that do not run `version` with its DB versions (empty: every one does). */
export async function notAtOldVersion(servers: readonly ConnectedServer[], version: string): Promise<string[]> {
  const target = dbVersionOf(version);
  const wrong: string[] = [];
  for (const s of servers) {
    const installed = await s.frontend.installedVersion();
    const db = await s.frontend.dbVersion();
    if (compareVersions(installed, version) !== 0 || db.status !== "up-to-date" || db.shared !== target || db.local !== target)
      wrong.push(`${hostPort(s.config)}: ${installed} installed, onedb version ${db.status} (shared ${db.shared}, local ${db.local})`);
  }
  return wrong;
}
