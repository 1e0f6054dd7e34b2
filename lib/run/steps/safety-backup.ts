/**
 * Nothing lost: with oned stopped and before the first change to packages or schema, a full
 * `onedb backup` on the front-end at an explicit path (never the default name with ':'), its size
 * and sha256 recorded on the automation host for the terraform outputs and for a rollback.
 */
import { FederationConfig, hostPort } from "../../model/federation";
import { compareVersions } from "../../model/version";
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";
import { StepRefusal } from "../step-refusal";
import { assertStopped } from "../services";
import { StepRun } from "../step";
import { safetyBackupRemotePath } from "../../model/paths";
import { SafetyBackupRecord, safetyBackupRecord, ServerBackup } from "../records/safety-backup-record";

export const safetyBackup: StepRun = {
  name: "safety-backup",
  async run(ctx) {
    const { zone, config } = ctx;
    const store = safetyBackupRecord(config, zone);
    const remote = safetyBackupRemotePath(config, zone);
    const primary = await ctx.frontend();
    const servers = await ctx.servers();
    const previous = store.read();
    if (previous) {
      const taken = previous.servers ?? [previous];
      const intact = await Promise.all(
        servers.map(async (s) => {
          const mine = taken.find((b) => b.frontend === hostPort(s.config));
          return mine !== undefined && (await s.frontend.exists(mine.path)) && (await s.frontend.sha256(mine.path)) === mine.sha256;
        }),
      );
      if (intact.every(Boolean)) return { status: "already-done", summary: `${remote} present${servers.length > 1 ? ` on ${servers.length} servers` : ""}, sha256 ${previous.sha256}` };
    }
    // A backup taken after the packages moved would not be the pre-upgrade state: refuse to overwrite the record.
    for (const s of servers) {
      const installed = await s.frontend.installedVersion();
      if (compareVersions(installed, config.fromVersion) !== 0) {
        throw new StepRefusal("safety-backup", {
          zone,
          frontend: s.config,
          expected: `OpenNebula ${config.fromVersion} still installed (the pre-upgrade state to save)`,
          found: installed,
          next: `The pre-upgrade backup must come from before the upgrade; look for ${remote} on the front-end or restore from your own backups.`,
        });
      }
      await assertStopped(s.frontend, config, zone, "safety-backup", "Stop the zone's services (the stop step), then run the deploy again.");
    }
    // Every HA server has its own database, and each is about to change: each keeps its own copy.
    const backups = await Promise.all(servers.map((s) => backupOne(s.frontend, hostPort(s.config), remote, config)));
    const own = backups[servers.findIndex((s) => s.frontend === primary)];
    const record: SafetyBackupRecord = {
      zone_id: zone.id,
      zone_name: zone.name,
      ...own,
      opennebula_version: config.fromVersion,
      taken_at: new Date().toISOString(),
      ...(servers.length > 1 ? { servers: backups } : {}),
    };
    store.write(record);
    return { status: "done", summary: `${remote} (${record.size_bytes} bytes, sha256 ${record.sha256})${servers.length > 1 ? ` and on ${servers.length - 1} more servers` : ""}` };
  },
};

async function backupOne(fe: OpenNebulaFrontend, frontend: string, remote: string, config: FederationConfig): Promise<ServerBackup> {
  await fe.makePrivateDir(config.backup.remoteDirectory);
  await fe.backupFull(remote);
  await fe.makePrivate(remote);
  return { frontend, path: remote, size_bytes: await fe.fileSize(remote), sha256: await fe.sha256(remote) };
}
