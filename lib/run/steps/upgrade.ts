/**
 * The single front-end procedure without the start (docs/opennebula.md §2.1 steps 4–9): config backup,
 * repository switch, packages, onecfg upgrade, onedb upgrade -v, onedb fsck.
 */
import { compareVersions, dbVersionOf } from "../../model/version";
import { FederationConfig, floatingIpOf, isHaZone, ZoneConfig } from "../../model/federation";
import { monitordConf } from "../../remote/opennebula/commands";
import { frontendPackages } from "../../remote/opennebula/packages";
import { StepRefusal } from "../step-refusal";
import { proveSafetyBackup } from "./safety-backup";
import { assertStopped, installedStopUnits, unitsNotDown } from "../services";
import { StepContext, StepRun } from "../step";
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";

function remoteFile(config: FederationConfig, zone: ZoneConfig, what: string): string {
  return `${config.backup.remoteDirectory}/${config.name}-zone${zone.id}-${what}-${config.fromVersion}-${Date.now()}.bck`;
}

export const upgrade: StepRun = {
  name: "upgrade",
  async run(ctx) {
    const { zone, config } = ctx;
    const fe = await ctx.frontend();
    const servers = await ctx.servers();
    const target = dbVersionOf(config.toVersion);
    // Versions and DB asked together: one round trip per server (docs/round-trips.md).
    const [versions, first] = await Promise.all([Promise.all(servers.map((s) => s.frontend.installedVersion())), fe.dbVersion()]);
    let db = first;
    if (versions.every((v) => compareVersions(v, config.toVersion) === 0) && db.status === "up-to-date") {
      return {
        status: "already-done",
        summary: `${config.toVersion} installed${servers.length > 1 ? ` on ${servers.length} servers` : ""}, DB ${db.shared}/${db.local} up to date`,
      };
    }
    // The safety backup's proof and the (leader's) stop proof only read: asked together, one round
    // trip, and judged in the order they were asked one after the other before.
    const [safe, down] = await Promise.allSettled([proveSafetyBackup(ctx, "upgrade"), assertStopped(fe, config, zone, "upgrade", STOP_AGAIN)]);
    if (safe.status === "rejected") throw safe.reason;
    // Never upgrade a slave before its restore: its onedb upgrade runs local migrators only (§4.4 step 6).
    if (zone.role === "slave" && db.shared !== target) {
      throw new StepRefusal("upgrade", {
        zone,
        frontend: fe.target,
        expected: `shared DB version ${target} (the federated backup of the upgraded master restored here)`,
        found: `shared DB version ${db.shared ?? "unknown"}`,
        next: "Run the restore step for this zone first (run the deploy again); its packages were not touched.",
      });
    }
    if (down.status === "rejected") throw down.reason;
    // HA: packages and configuration on every server, the leader first (a broken repository stops
    // the step before any follower changed), then the followers together; the leader's database is the one
    // upgraded, and the followers get it in the replicate step (docs/opennebula.md §3.2 steps 3–5).
    await upgradeSoftware(ctx, fe, { stopProven: true });
    if (isHaZone(zone)) await monitorFloatingIp(ctx, fe);
    await Promise.all(servers.filter((s) => s.frontend !== fe).map((s) => upgradeSoftware(ctx, s.frontend)));
    db = await fe.dbVersion();
    if (db.status === "upgrade-needed") await fe.upgradeDatabase(remoteFile(config, zone, "pre-upgrade"));
    await fe.checkDatabase(remoteFile(config, zone, "pre-fsck"));
    db = await fe.dbVersion();
    if (db.status !== "up-to-date" || db.shared !== target || db.local !== target) {
      throw new StepRefusal("upgrade", {
        zone,
        frontend: fe.target,
        expected: `onedb version exit 0 with shared and local ${target}`,
        found: `${db.status}, shared ${db.shared}, local ${db.local}`,
        next: "Read onedb's output above and /var/log/one/oned.log; the pre-upgrade backups are in " + config.backup.remoteDirectory + ".",
      });
    }
    return {
      status: "done",
      summary: `${config.toVersion} installed${servers.length > 1 ? ` on ${servers.length} servers` : ""}, DB ${db.shared}/${db.local}`,
      evidence: { installed: config.toVersion, db_shared: db.shared ?? null, db_local: db.local ?? null },
    };
  },
};

/**
 * HA only (docs/opennebula.md §2.1 step 7): monitord on the leader reports to the floating IP — the zone's
 * endpoint host — instead of `auto`; the replicate step carries the file to the followers. An
 * address the operator set is left alone.
 */
async function monitorFloatingIp(ctx: StepContext, fe: OpenNebulaFrontend): Promise<void> {
  const vip = floatingIpOf(ctx.zone);
  const current = await fe.monitorAddress();
  if (current === undefined) return ctx.log(`  ${monitordConf.path} has no MONITOR_ADDRESS; left as it is`);
  if (current !== "auto") return;
  await fe.setMonitorAddress(vip);
  const now = await fe.monitorAddress();
  if (now !== vip) {
    throw new StepRefusal("upgrade", {
      zone: ctx.zone,
      frontend: fe.target,
      expected: `MONITOR_ADDRESS = "${vip}" (the floating IP) in ${monitordConf.path}`,
      found: `MONITOR_ADDRESS = "${now}"`,
      next: `Set it by hand in ${monitordConf.path} on the leader, then run the deploy again.`,
    });
  }
  ctx.log(`  ${monitordConf.path}: MONITOR_ADDRESS auto → ${vip}`);
}

/** What to do when a front-end's services are up where they must be down. */
const STOP_AGAIN = "Stop the services again (packages or people may have started them), then run the deploy again.";

/**
 * Config backup, repository, packages and onecfg on one front-end, with its services kept down.
 * `stopProven`: the caller proved them down just now, with no action since.
 */
async function upgradeSoftware(ctx: StepContext, fe: OpenNebulaFrontend, opts: { readonly stopProven?: boolean } = {}): Promise<void> {
  const { zone, config } = ctx;
  // The installed version is asked with the stop proof's probes (mkdir and the copies below do not change it).
  const [, installed] = await Promise.all([opts.stopProven ? undefined : assertStopped(fe, config, zone, "upgrade", STOP_AGAIN), fe.installedVersion()]);
  await fe.makePrivateDir(config.backup.remoteDirectory);
  await fe.backupConfiguration(`onefed-${config.fromVersion}`);
  if (compareVersions(installed, config.toVersion) !== 0) {
    ctx.log(`  ${fe.target.host}:${fe.target.port} packages ${installed} → ${config.toVersion}`);
    const packages = frontendPackages(config.toVersion, zone.packages.manager);
    await fe.pointRepositoryAt(zone.packages, config.toVersion);
    // The download step refreshed the lists and filled the cache before the freeze: install from it,
    // and go back to the repository inside the window only for what the cache lost.
    const missing = await fe.pendingDownloads(packages);
    if (missing.length > 0) ctx.log(`  ${missing.length} archive(s) not in the cache (${missing.join(", ")}): refreshing and downloading them now`);
    await fe.upgradePackages(packages, { refresh: missing.length > 0 });
    // The unit files (read anew after the packages) go with the version: the stop proof below needs them.
    let [now] = await Promise.all([fe.installedVersion(), fe.installedUnits()]);
    if (compareVersions(now, config.toVersion) !== 0 && missing.length === 0) {
      // Lists that no longer name the target (refreshed against the old series since the download): refresh once.
      ctx.log(`  ${now} still installed after the install from the cache: refreshing the package lists and upgrading again`);
      await fe.upgradePackages(packages);
      now = await fe.installedVersion();
    }
    if (compareVersions(now, config.toVersion) !== 0) {
      throw new StepRefusal("upgrade", {
        zone,
        frontend: fe.target,
        expected: `OpenNebula ${config.toVersion} installed after the package upgrade`,
        found: now,
        next: `Check the repository (${zone.packages.repositoryCommand ? zone.packages.repositoryCommand.join(" ") : zone.packages.repositoryLine.split("\n")[0]}) and the package manager's output, then run the deploy again.`,
      });
    }
    // Package scripts may start services by themselves (docs/opennebula.md §6 row 3). The states and
    // the lock file read here, together, are the proof that everything is down; only when they show
    // something up (or after we stopped what the packages started) is it proven again, and refused.
    const units = await installedStopUnits(fe, config);
    const [states, lock] = await Promise.all([fe.unitStates(units), fe.onedLockPresent()]);
    const restarted = units.filter((u) => states[u] === "active");
    if (restarted.length > 0) {
      ctx.log(`  packages started ${restarted.join(", ")}; stopping them again`);
      await fe.stopUnits(restarted);
    }
    if (restarted.length > 0 || lock || unitsNotDown(states).length > 0) await assertStopped(fe, config, zone, "upgrade", STOP_AGAIN);
  }
  await fe.upgradeConfiguration();
}
