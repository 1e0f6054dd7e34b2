/**
 * One zone's rollback on its machines (README "Rollback", docs/rollback.md): stop (an HA zone's
 * followers first, the leader last), `onedb restore -f` of the recorded safety backup on the
 * leader and of the same file on every follower, the old packages reinstalled, /etc/one put back
 * from the config backup with each server's own SERVER_ID, `onedb version` proven at the old
 * version, then start (the leader first). Each action probes first, so a re-run does only what is
 * left; the restore itself is never repeated once the ledger records the zone restored.
 */
import * as fs from "fs";
import * as path from "path";
import { hostPort, isHaZone } from "../../model/federation";
import { compareVersions } from "../../model/version";
import { frontendPackages } from "../../remote/opennebula/packages";
import { SafetyBackupRecord, ServerBackup } from "../records/safety-backup-record";
import { ConnectedServer, serverIds, waitForRaft } from "../raft";
import { installedStartUnits, installedStopUnits, stopServer, assertStopped } from "../services";
import { StepContext } from "../step";
import { StepRefusal } from "../step-refusal";
import { fetchVerified, pushVerified } from "../transfer";
import { proveFrozen } from "../frozen";
import { configBackupSuffix, notAtOldVersion } from "./rollback-proof";

/** The leader first, then the followers (a solo zone: its only server). */
async function leaderFirst(ctx: StepContext): Promise<ConnectedServer[]> {
  const all = await ctx.servers();
  const leaderFe = await ctx.frontend();
  return [...all.filter((s) => s.frontend === leaderFe), ...all.filter((s) => s.frontend !== leaderFe)];
}

/** Stop, restore, reinstall, configuration, proof: the zone at the old version and still down. Returns a summary. */
export async function restoreZone(ctx: StepContext, backup: SafetyBackupRecord): Promise<string> {
  const { config, zone } = ctx;
  const [leader, ...followers] = await leaderFirst(ctx);
  const ids = isHaZone(zone) ? await serverIds(config, zone, [leader, ...followers], "rollback") : undefined;
  // Never stop a zone whose federated writes are not frozen (as the upgrade's stop step).
  await proveFrozen(ctx, "stop");
  for (const s of [...followers, leader]) {
    const stopped = await stopServer(s.frontend, config, zone, "rollback");
    if (stopped) ctx.log(`  ${hostPort(s.config)}: stopped ${stopped.join(", ")}`);
  }
  const own = backupOf(backup, leader);
  await restoreDatabase(ctx, leader, own.path);
  if (followers.length > 0) {
    // The followers take the leader's DB, the file the leader was just restored from, proven by sha256 on the way.
    const local = path.join(config.backup.localDirectory, "rollback", `zone-${zone.id}-${path.basename(own.path)}`);
    const onFollower = `${config.backup.remoteDirectory}/${config.name}-zone${zone.id}-leader-full-before-${config.toVersion}.sql`;
    await fetchVerified(leader.frontend, own.path, local, "rollback", zone);
    try {
      for (const f of followers) {
        await pushVerified(f.frontend, local, onFollower, own.sha256, "rollback", zone, config.backup.remoteDirectory);
        await restoreDatabase(ctx, f, onFollower);
      }
    } finally {
      fs.rmSync(local, { force: true });
    }
  }
  for (const s of [leader, ...followers]) await reinstall(ctx, s);
  for (const s of [leader, ...followers]) {
    await s.frontend.restoreConfiguration(configBackupSuffix(config.fromVersion), `onefed-rolled-back-${config.toVersion}`);
    if (ids) await s.frontend.setServerId(ids.get(s.index)!);
  }
  const wrong = await notAtOldVersion([leader, ...followers], config.fromVersion);
  const badIds = ids ? await wrongServerIds([leader, ...followers], ids) : [];
  if (wrong.length > 0 || badIds.length > 0) {
    throw new StepRefusal("rollback", {
      zone,
      expected: `OpenNebula ${config.fromVersion} installed, onedb version exit 0 at its DB version${ids ? " and each server's own SERVER_ID" : ""} on every front-end`,
      found: [...wrong, ...badIds].join("; "),
      next: "The zone stays stopped. Read the output above, fix the cause on the front-end, then run `onefed rollback` again: it restores the zone again from the same backup.",
    });
  }
  return `restored ${own.path} (sha256 ${own.sha256.slice(0, 12)}…)${followers.length > 0 ? ` on the leader and ${followers.length} followers` : ""}, ${config.fromVersion} installed, /etc/one put back`;
}

function backupOf(record: SafetyBackupRecord, server: ConnectedServer): ServerBackup {
  return record.servers?.find((b) => b.frontend === hostPort(server.config)) ?? record;
}

async function restoreDatabase(ctx: StepContext, s: ConnectedServer, file: string): Promise<void> {
  await assertStopped(s.frontend, ctx.config, ctx.zone, "rollback", "Stop the zone's services by hand, then run `onefed rollback` again.");
  await s.frontend.restoreFull(file);
  ctx.log(`  ${hostPort(s.config)}: onedb restore -f ${file}`);
}

/** The old release's packages, from its own repository series; the services packages start are stopped again. */
async function reinstall(ctx: StepContext, s: ConnectedServer): Promise<void> {
  const { config, zone } = ctx;
  const fe = s.frontend;
  const installed = await fe.installedVersion();
  if (compareVersions(installed, config.fromVersion) === 0) return;
  ctx.log(`  ${hostPort(s.config)}: packages ${installed} → ${config.fromVersion}`);
  await fe.pointRepositoryAt(zone.packages, config.fromVersion);
  await fe.downgradePackages(frontendPackages(config.fromVersion, zone.packages.manager), config.fromVersion);
  const now = await fe.installedVersion();
  if (compareVersions(now, config.fromVersion) !== 0) {
    throw new StepRefusal("rollback", {
      zone,
      frontend: s.config,
      expected: `OpenNebula ${config.fromVersion} installed after the reinstall`,
      found: now,
      next: "The zone stays stopped. Check the repository and the package manager's output above, then run `onefed rollback` again.",
    });
  }
  const units = await installedStopUnits(fe, config);
  const states = await fe.unitStates(units);
  const started = units.filter((u) => states[u] === "active");
  if (started.length > 0) await fe.stopUnits(started);
}

async function wrongServerIds(servers: readonly ConnectedServer[], ids: ReadonlyMap<number, number>): Promise<string[]> {
  const wrong: string[] = [];
  for (const s of servers) {
    const id = (await s.frontend.federationSettings()).serverId;
    if (id !== ids.get(s.index)) wrong.push(`${hostPort(s.config)}: SERVER_ID ${id}, expected ${ids.get(s.index)}`);
  }
  return wrong;
}

/** startZone's summary when every service already ran. */
export const NOTHING_STARTED = "every service already running";

/** Starts the old version's services, the leader first; an HA zone must then elect one leader with its followers in sync. */
export async function startZone(ctx: StepContext): Promise<string> {
  const { config, zone } = ctx;
  const servers = await leaderFirst(ctx);
  const started: string[] = [];
  for (const s of servers) {
    const units = await installedStartUnits(s.frontend, config.fromVersion);
    const before = await s.frontend.unitStates(units);
    const down = units.filter((u) => before[u] !== "active");
    if (down.length === 0) continue;
    await s.frontend.startUnits(down);
    const after = await s.frontend.unitStates(units);
    const failed = units.filter((u) => after[u] !== "active");
    if (failed.length > 0) {
      throw new StepRefusal("rollback", {
        zone,
        frontend: s.config,
        expected: `${units.join(", ")} active at ${config.fromVersion}`,
        found: failed.map((u) => `${u} ${after[u]}`).join(", "),
        next: "Read journalctl -u <unit> and /var/log/one/oned.log on the front-end, fix the cause, then run `onefed rollback` again (the zone is not restored again).",
      });
    }
    started.push(`${hostPort(s.config)} ${down.join(", ")}`);
  }
  if (isHaZone(zone)) {
    const ids = await serverIds(config, zone, servers, "rollback");
    const health = await waitForRaft(zone, servers, ids, config.timeouts.syncWaitSeconds, ctx.log);
    if (!health.healthy) {
      throw new StepRefusal("rollback", {
        zone,
        expected: `one Raft leader and ${servers.length - 1} followers in sync within ${config.timeouts.syncWaitSeconds} s`,
        found: health.problem,
        next: "Read /var/log/one/oned.log on every server (a wrong SERVER_ID is the classic cause), fix it, then run `onefed rollback` again.",
      });
    }
  }
  return started.length === 0 ? NOTHING_STARTED : `started ${started.join("; ")}`;
}
