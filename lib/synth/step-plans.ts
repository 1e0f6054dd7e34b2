/**
 * What each step will do on a zone, in the words of the commands it runs (rendered by the same
 * OpenNebula adapter the runner uses). Hashed into each resource's `plan_sha256` trigger: a change
 * here replaces exactly the resources that must run again, and what is reviewed is what runs.
 */
import { PREFLIGHT_PACK } from "../checks/packs";
import { FederationConfig, floatingIpOf, hostPort, isHaZone, ZoneConfig } from "../model/federation";
import { leaderCopyPaths, safetyBackupRemotePath } from "../model/paths";
import { StepName } from "../model/steps";
import { dbVersionOf } from "../model/version";
import { files, HA_SYNCED_TREES, monitordConf, onecfg, onedb, onedConf, onehost, onezone, systemctl } from "../remote/opennebula/commands";
import { freezeComment, freezeRules, iptables } from "../remote/opennebula/firewall";
import {
  downloadCommand,
  frontendPackages,
  installedVersionCommand,
  nodePackage,
  pendingDownloadsCommand,
  refreshCommand,
  repositorySwitchCommand,
  upgradeCommand,
} from "../remote/opennebula/packages";
import { renderCommand } from "../remote/opennebula/remote-command";
import { LIBVIRT_UNIT, unitsToStart, unitsToStop } from "../remote/opennebula/services";

export type StepPlan = (zone: ZoneConfig, config: FederationConfig) => readonly string[];

/** How the download step proves the cache, and how the upgrade step reads it: apt lists what it would still fetch; dnf's exit code is the proof. */
function cacheCheck(zone: ZoneConfig, packages: readonly string[], then: string): string {
  return zone.packages.manager === "apt"
    ? `${renderCommand(pendingDownloadsCommand(packages))} → ${then}`
    : `${zone.packages.manager} --downloadonly exit 0: every package downloaded, its checksum checked`;
}

function freezePlan(zone: ZoneConfig, config: FederationConfig, frozen: boolean): string[] {
  if (config.freeze.method === "firewall") {
    const comment = freezeComment(config.name);
    const ha = isHaZone(zone) ? [`on each of ${zone.frontends.map((f) => f.host).join(", ")}; the Raft servers' addresses (onezone show) allowed too`] : [];
    return frozen
      ? [...ha, ...freezeRules(config.fromVersion, config.freeze.allowFrom).map((r, i) => renderCommand(iptables.insert(i + 1, r, comment)))]
      : [...ha, renderCommand(iptables.list()), `iptables -D INPUT <each rule commented ${comment}>`];
  }
  return [renderCommand(onezone.listJson()), renderCommand(frozen ? onezone.disable(zone.id, zone.endpoint) : onezone.enable(zone.id, zone.endpoint))];
}

export const STEP_PLANS: Readonly<Record<StepName, StepPlan>> = {
  preflight: (_zone, config) => [
    `connect ${config.zones.flatMap((z) => z.frontends.map(hostPort)).join(" ")}`,
    ...[...new Set(config.zones.map((z) => z.packages.manager))].map((m) => renderCommand(installedVersionCommand(m))),
    renderCommand(onedb.version()),
    renderCommand(onezone.listCsv()),
    ...(config.zones.some(isHaZone)
      ? [
          `HA zones ${config.zones
            .filter(isHaZone)
            .map((z) => z.id)
            .join(",")}: ${renderCommand(onedConf.readFederation())}, ${renderCommand(onezone.showJson(0)).replace(" 0 ", " <zone> ")}`,
        ]
      : []),
    `checks ${PREFLIGHT_PACK.map((c) => c.id).join(",")}`,
    `expect ${config.fromVersion}`,
  ],
  download: (zone, config) => {
    const packages = frontendPackages(config.toVersion, zone.packages.manager);
    return [
      `before any freeze or stop, on ${[...zone.frontends.map(hostPort), ...zone.nodes.map((n) => `${n.name}=${hostPort(n)}`)].join(" ")}; nothing installed`,
      renderCommand(installedVersionCommand(zone.packages.manager)),
      renderCommand(repositorySwitchCommand(zone.packages, config.toVersion)),
      renderCommand(refreshCommand(zone.packages.manager)),
      renderCommand(downloadCommand(zone.packages.manager, packages)),
      cacheCheck(zone, packages, "no archive left to fetch"),
      ...[...new Set(zone.nodes.map((n) => n.hypervisor))].flatMap((h) => [
        renderCommand(installedVersionCommand(zone.packages.manager, nodePackage(h))),
        renderCommand(downloadCommand(zone.packages.manager, [nodePackage(h)])),
      ]),
    ];
  },
  "hosts-disable": () => [renderCommand(onehost.listCsv()), "onehost disable <each enabled host>"],
  freeze: (zone, config) => freezePlan(zone, config, true),
  sync: (_zone, config) => [renderCommand(onezone.listCsv()), `zones ${config.zones.map((z) => z.id).join(",")}`, `wait ${config.timeouts.syncWaitSeconds}s`],
  stop: (zone, config) => [
    ...(isHaZone(zone) ? [`${renderCommand(onezone.showJson(zone.id))} → record the leader`, "followers first, the leader last"] : []),
    renderCommand(systemctl.stop([...new Set([...unitsToStop(config.fromVersion), ...unitsToStop(config.toVersion)])])),
  ],
  "safety-backup": (zone, config) => [renderCommand(onedb.backupFull(safetyBackupRemotePath(config, zone))), "sha256sum", "stat -c %s"],
  upgrade: (zone, config) => [
    `cp -a /etc/one /etc/one.onefed-${config.fromVersion}`,
    renderCommand(repositorySwitchCommand(zone.packages, config.toVersion)),
    ...(zone.packages.manager === "apt"
      ? [
          cacheCheck(
            zone,
            frontendPackages(config.toVersion, zone.packages.manager),
            `install from the cache; ${renderCommand(refreshCommand("apt"))} only for a missing archive`,
          ),
        ]
      : ["install from the cache the download step filled (no makecache)"]),
    renderCommand(upgradeCommand(zone.packages.manager, frontendPackages(config.toVersion, zone.packages.manager))),
    renderCommand(onecfg.upgrade()),
    ...(isHaZone(zone)
      ? ["packages and onecfg on every server; onedb on the leader only", renderCommand(monitordConf.setMonitorAddress(floatingIpOf(zone)))]
      : []),
    renderCommand(onedb.upgrade(`${config.backup.remoteDirectory}/…`)),
    renderCommand(onedb.fsck(`${config.backup.remoteDirectory}/…`)),
    zone.role === "slave" ? `requires shared DB ${dbVersionOf(config.toVersion)} from the federated restore` : "master: shared migrators run here",
  ],
  replicate: (zone, config) => {
    const r = leaderCopyPaths(config, zone);
    return [
      `leader: ${renderCommand(onedb.backupFull(r.db))}`,
      `leader: ${renderCommand(files.packTrees(r.conf, HA_SYNCED_TREES))}`,
      "sftp get → automation host → sftp put to each follower (0600, sha256 on both ends)",
      `follower: ${renderCommand(onedb.restoreFull(r.db))}`,
      `follower: ${renderCommand(files.unpackTrees(r.conf))}`,
      `follower: ${renderCommand(onedConf.setServerId(0)).replace(/\\1\d+/, "\\1<its own SERVER_ID>")}`,
    ];
  },
  backup: (_zone, config) => [renderCommand(onedb.backupFederated(`${config.backup.remoteDirectory}/<artifact>`)), "sha256sum", "sftp get (0600)"],
  restore: (_zone, config) => ["sftp put (0600)", "sha256sum", renderCommand(onedb.restoreFederated(`${config.backup.remoteDirectory}/<artifact>`))],
  start: (zone, config) => [
    renderCommand(systemctl.start(unitsToStart(config.toVersion))),
    renderCommand(onedb.version()),
    ...(isHaZone(zone)
      ? [
          `${renderCommand(onezone.showJson(zone.id))} until one leader and ${zone.frontends.length - 1} followers in sync (${config.timeouts.syncWaitSeconds}s)`,
        ]
      : []),
  ],
  nodes: (zone, config) => [
    `hosts ${zone.nodes.map((n) => `${n.name}=${hostPort(n)}`).join(" ")}`,
    ...[...new Set(zone.nodes.map((n) => n.hypervisor))].flatMap((h) => [
      renderCommand(installedVersionCommand(zone.packages.manager, nodePackage(h))),
      renderCommand(upgradeCommand(zone.packages.manager, [nodePackage(h)])),
    ]),
    renderCommand(repositorySwitchCommand(zone.packages, config.toVersion)),
    ...(zone.nodes.some((n) => n.hypervisor === "kvm") ? [renderCommand(systemctl.restart([LIBVIRT_UNIT]))] : []),
  ],
  unfreeze: (zone, config) => freezePlan(zone, config, false),
  "hosts-enable": () => ["onehost enable <each host we disabled>", renderCommand(onehost.sync())],
  verify: (zone, config) => [
    renderCommand(onedb.version()),
    renderCommand(systemctl.isActive(unitsToStart(config.toVersion))),
    renderCommand(onezone.showJson(zone.id)),
    ...(zone.role === "master" ? [renderCommand(onezone.listCsv())] : []),
    `expect ${config.toVersion}`,
  ],
};
