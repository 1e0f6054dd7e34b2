/**
 * Before any freeze or stop (README "Downloads before the freeze"): on every front-end of the zone
 * and every listed hypervisor host, the repository switched to the target series, the package lists
 * refreshed and the upgrade downloaded into the package cache, nothing installed; OpenNebula keeps
 * running on its old packages. Verified per machine: the package manager exited 0 and, on apt,
 * `apt-get install --print-uris` lists no archive still to fetch (every package of the upgrade is in
 * /var/cache/apt/archives); dnf and yum exit 0 from --downloadonly only once every package is
 * downloaded and its checksum checked. The upgrade step after the stop installs from that cache.
 */
import { FrontendConfig } from "../../model/federation";
import { compareVersions } from "../../model/version";
import { frontendPackages, nodePackage } from "../../remote/opennebula/packages";
import { RemoteMachine } from "../../remote/opennebula/remote-machine";
import { StepRefusal } from "../step-refusal";
import { StepContext, StepRun } from "../step";

/** One machine whose cache the step fills. */
interface CacheTarget {
  /** How the log and the summary name it: "127.0.0.1:2201" or a node's name. */
  readonly label: string;
  /** Its address, for a refusal. */
  readonly address: FrontendConfig;
  readonly machine: RemoteMachine;
  readonly packages: readonly string[];
  /** The version its upgrade moves: `opennebula` on a front-end, `opennebula-node-<kvm|lxc>` on a host. */
  readonly installedVersion: () => Promise<string>;
}

export const download: StepRun = {
  name: "download",
  async run(ctx) {
    const { config, zone } = ctx;
    // Every handshake first: an unknown host key on any machine stops the step before any command.
    const servers = await ctx.servers();
    const nodes = await Promise.all(zone.nodes.map(async (n) => ({ config: n, node: await ctx.node(n) })));
    const targets: CacheTarget[] = [
      ...servers.map((s): CacheTarget => ({
        label: `${s.frontend.target.host}:${s.frontend.target.port}`,
        address: s.frontend.target,
        machine: s.frontend,
        packages: frontendPackages(config.toVersion, zone.packages.manager),
        installedVersion: () => s.frontend.installedVersion(),
      })),
      ...nodes.map((n): CacheTarget => ({
        label: n.config.name,
        address: n.config,
        machine: n.node,
        packages: [nodePackage(n.config.hypervisor)],
        installedVersion: () => n.node.nodeVersion(n.config.hypervisor),
      })),
    ];
    const filled = await Promise.all(targets.map((t) => fillCache(ctx, t)));
    const downloaded = targets.filter((_, i) => filled[i]).map((t) => t.label);
    if (downloaded.length === 0) return { status: "already-done", summary: `every machine already runs ${config.toVersion}: nothing to download` };
    return {
      status: "done",
      summary: `packages of ${config.toVersion} in the cache of ${downloaded.join(", ")}`,
      evidence: { downloaded_on: downloaded },
    };
  },
};

/** Returns whether the machine needed the download (false: it already has the target installed). */
async function fillCache(ctx: StepContext, t: CacheTarget): Promise<boolean> {
  const { config, zone } = ctx;
  if (compareVersions(await t.installedVersion(), config.toVersion) === 0) return false;
  ctx.log(`  ${t.label}: downloading ${t.packages.join(" ")} (${config.toVersion}) into the package cache`);
  await t.machine.pointRepositoryAt(zone.packages, config.toVersion);
  await t.machine.downloadPackages(t.packages);
  const missing = await t.machine.pendingDownloads(t.packages);
  if (missing.length > 0) {
    throw new StepRefusal("download", {
      zone,
      frontend: t.address,
      expected: `every package of the upgrade to ${config.toVersion} in the package cache of ${t.label} after the download`,
      found: `still to fetch: ${missing.join(", ")}`,
      next: "Check the repository, the free space under /var/cache/apt/archives and the package manager's output above, then run the deploy again (nothing is frozen or stopped yet).",
    });
  }
  return true;
}
