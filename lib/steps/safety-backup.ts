/**
 * Nothing lost: with oned stopped and before the first change to packages or schema, a full
 * `onedb backup` on the front-end at an explicit path (never the default name with ':'), its size
 * and sha256 recorded on the automation host for the terraform outputs and for a rollback.
 */
import * as fs from "fs";
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../config/federation-config";
import { compareVersions } from "../config/version";
import { onedb } from "../opennebula/commands";
import { renderCommand } from "../opennebula/remote-command";
import { StepRefusal } from "./refusal";
import { assertStopped } from "./services";
import { StepDefinition } from "./step";

export interface SafetyBackupRecord {
  readonly zone_id: number;
  readonly zone_name: string;
  readonly frontend: string;
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256: string;
  readonly opennebula_version: string;
  readonly taken_at: string;
}

export function safetyBackupRemotePath(config: FederationConfig, zone: ZoneConfig): string {
  return `${config.backup.remoteDirectory}/${config.name}-zone${zone.id}-full-before-${config.toVersion}.sql`;
}

/** Where the record is kept locally: one file per zone, so parallel steps never write the same file. */
export function safetyBackupRecordPath(config: FederationConfig, zone: ZoneConfig): string {
  return path.join(config.backup.localDirectory, "safety-backups", `zone-${zone.id}.json`);
}

export const safetyBackup: StepDefinition = {
  name: "safety-backup",
  description: "with oned stopped: a full onedb backup at an explicit path, its size and sha256 recorded for rollback",
  scope: "zone",
  appliesTo: () => true,
  plan: (zone, config) => [renderCommand(onedb.backupFull(safetyBackupRemotePath(config, zone))), "sha256sum", "stat -c %s"],
  async run(ctx) {
    const { zone, config } = ctx;
    const recordPath = safetyBackupRecordPath(config, zone);
    const remote = safetyBackupRemotePath(config, zone);
    const fe = await ctx.frontend();
    if (fs.existsSync(recordPath)) {
      const record = JSON.parse(fs.readFileSync(recordPath, "utf8")) as SafetyBackupRecord;
      if ((await fe.exists(remote)) && (await fe.sha256(remote)) === record.sha256) {
        return { status: "already-done", summary: `${remote} present, sha256 ${record.sha256}` };
      }
    }
    const installed = await fe.installedVersion();
    // A backup taken after the packages moved would not be the pre-upgrade state: refuse to overwrite the record.
    if (compareVersions(installed, config.fromVersion) !== 0) {
      throw new StepRefusal("safety-backup", {
        zone,
        frontend: zone.frontends[0],
        expected: `OpenNebula ${config.fromVersion} still installed (the pre-upgrade state to save)`,
        found: installed,
        next: `The pre-upgrade backup must come from before the upgrade; look for ${remote} on the front-end or restore from your own backups.`,
      });
    }
    await assertStopped(fe, config, zone, "safety-backup", "Stop the zone's services (the stop step), then run the deploy again.");
    await fe.makePrivateDir(config.backup.remoteDirectory);
    await fe.backupFull(remote);
    await fe.makePrivate(remote);
    const record: SafetyBackupRecord = {
      zone_id: zone.id,
      zone_name: zone.name,
      frontend: `${zone.frontends[0].host}:${zone.frontends[0].port}`,
      path: remote,
      size_bytes: await fe.fileSize(remote),
      sha256: await fe.sha256(remote),
      opennebula_version: installed,
      taken_at: new Date().toISOString(),
    };
    fs.mkdirSync(path.dirname(recordPath), { recursive: true, mode: 0o700 });
    fs.writeFileSync(recordPath, JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
    return { status: "done", summary: `${remote} (${record.size_bytes} bytes, sha256 ${record.sha256})` };
  },
};
