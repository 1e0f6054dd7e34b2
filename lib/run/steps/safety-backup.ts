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
import { StepContext, StepRun } from "../step";
import { ConnectedServer } from "../raft";
import { findEntry, JsonValue } from "../../model/ledger";
import { StepName } from "../../model/steps";
import { safetyBackupRemotePath } from "../../model/paths";
import { isSafetyBackupRecord, SafetyBackupRecord, safetyBackupRecord, ServerBackup } from "../records/safety-backup-record";

export const safetyBackup: StepRun = {
  name: "safety-backup",
  restoreLocal(ctx, evidence) {
    const store = safetyBackupRecord(ctx.config, ctx.zone);
    if (isSafetyBackupRecord(evidence.record) && !sameRecord(store.readIntact(), evidence.record)) store.write(evidence.record);
  },
  async run(ctx) {
    const { zone, config } = ctx;
    const store = safetyBackupRecord(config, zone);
    const remote = safetyBackupRemotePath(config, zone);
    const primary = await ctx.frontend();
    const servers = await ctx.servers();
    // The federation's ledger is the record that counts; the local file is a copy (a new CI runner has none).
    const inLedger = recordedSafetyBackup(ctx);
    const previous = inLedger ?? store.read();
    if (previous && (await intactOnEveryServer(previous, servers)).length === 0) {
      // The automation host's copy (the terraform output reads it) follows the ledger: missing, stale or unreadable, it is rewritten.
      if (inLedger && !sameRecord(store.readIntact(), inLedger)) store.write(inLedger);
      return {
        status: "already-done",
        summary: `${remote} present${servers.length > 1 ? ` on ${servers.length} servers` : ""}, sha256 ${previous.sha256}`,
        evidence: { record: previous as unknown as JsonValue },
      };
    }
    // A backup taken after the packages moved would not be the pre-upgrade state: refuse to overwrite the record.
    for (const s of servers) {
      const [installed] = await Promise.all([s.frontend.installedVersion(), s.frontend.installedUnits()]);
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
    return {
      status: "done",
      summary: `${remote} (${record.size_bytes} bytes, sha256 ${record.sha256})${servers.length > 1 ? ` and on ${servers.length - 1} more servers` : ""}`,
      evidence: { record: record as unknown as JsonValue },
    };
  },
};

function sameRecord(a: SafetyBackupRecord | undefined, b: SafetyBackupRecord): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** The zone's safety backup as the federation's ledger records it (the evidence of its safety-backup entry). */
export function recordedSafetyBackup(ctx: Pick<StepContext, "ledger" | "zone">): SafetyBackupRecord | undefined {
  const record = findEntry(ctx.ledger, "safety-backup", ctx.zone.id)?.evidence.record;
  return isSafetyBackupRecord(record) ? record : undefined;
}

/** The servers whose backup is missing or differs from the record (empty: every one is intact). */
export async function intactOnEveryServer(record: SafetyBackupRecord, servers: readonly ConnectedServer[]): Promise<string[]> {
  const taken = record.servers ?? [record];
  const broken: string[] = [];
  for (const s of servers) {
    const mine = taken.find((b) => b.frontend === hostPort(s.config));
    if (!mine) broken.push(`${hostPort(s.config)}: no backup recorded`);
    else {
      // Presence and digest asked in one round trip; the digest's failure only counts when the file is there.
      const [present, digest] = await Promise.allSettled([s.frontend.exists(mine.path), s.frontend.sha256(mine.path)]);
      if (present.status === "rejected") throw present.reason;
      if (!present.value) {
        broken.push(`${hostPort(s.config)}: ${mine.path} is gone`);
        continue;
      }
      if (digest.status === "rejected") throw digest.reason;
      const sha = digest.value;
      if (sha !== mine.sha256) broken.push(`${hostPort(s.config)}: ${mine.path} has sha256 ${sha}, recorded ${mine.sha256}`);
    }
  }
  return broken;
}

/**
 * Before a step changes the zone's database or packages: the safety backup the ledger records is on
 * every server with its recorded sha256. Without it a rollback would have nothing to start from.
 */
export async function proveSafetyBackup(ctx: StepContext, step: StepName): Promise<void> {
  const record = recordedSafetyBackup(ctx);
  const broken = record ? await intactOnEveryServer(record, await ctx.servers()) : ["the ledger records no safety backup"];
  if (broken.length === 0) return;
  throw new StepRefusal(step, {
    zone: ctx.zone,
    expected: `the zone's pre-upgrade backup on every front-end with the sha256 the ledger recorded (${safetyBackupRemotePath(ctx.config, ctx.zone)})`,
    found: broken.join("; "),
    next:
      "Nothing was changed by this step: without that backup there is no way back. If the zone still runs " +
      `${ctx.config.fromVersion}, run \`onefed deploy\` again after \`terraform apply -replace\` of its safety-backup resource, which takes it anew; ` +
      "otherwise put the backup file back from where you keep copies.",
  });
}

async function backupOne(fe: OpenNebulaFrontend, frontend: string, remote: string, config: FederationConfig): Promise<ServerBackup> {
  await fe.makePrivateDir(config.backup.remoteDirectory);
  await fe.backupFull(remote);
  await fe.makePrivate(remote);
  const [size, sha256] = await Promise.all([fe.fileSize(remote), fe.sha256(remote)]);
  return { frontend, path: remote, size_bytes: size, sha256 };
}
