/**
 * The zone's listed hypervisor hosts (docs/opennebula.md §2.1 step 12): opennebula-node-<kvm|lxc> moved to the
 * target release, libvirt restarted on KVM hosts. Runs once the zone's front-end runs the new
 * version and before `onehost sync` (the hosts-enable step), so the hosts never get the new drivers
 * pushed over old node packages. Hosts are upgraded in parallel; one that already has the target is
 * left alone.
 */
import { compareVersions } from "../../model/version";
import { NodeConfig, ZoneConfig } from "../../model/federation";
import { HypervisorNode } from "../../remote/opennebula/hypervisor-node";
import { nodePackage } from "../../remote/opennebula/packages";
import { LIBVIRT_UNIT } from "../../remote/opennebula/services";
import { StepRefusal } from "../step-refusal";
import { StepContext, StepRun } from "../step";

export const nodesUpgrade: StepRun = {
  name: "nodes",
  async run(ctx) {
    // Every handshake first: an unknown host key on any host stops the step before any command.
    const nodes = await Promise.all(ctx.zone.nodes.map(async (n) => ({ config: n, node: await ctx.node(n) })));
    const results = await Promise.all(nodes.map((n) => upgradeNode(ctx, n.config, n.node)));
    const upgraded = nodes.filter((_, i) => results[i]).map((n) => n.config.name);
    if (upgraded.length === 0)
      return { status: "already-done", summary: `${nodes.length} host${nodes.length === 1 ? "" : "s"} already at ${ctx.config.toVersion}` };
    return {
      status: "done",
      summary: `${upgraded.join(", ")} at ${ctx.config.toVersion}${upgraded.length < nodes.length ? `; ${nodes.length - upgraded.length} already were` : ""}`,
    };
  },
};

/** Returns whether anything was changed on the host. */
async function upgradeNode(ctx: StepContext, n: NodeConfig, node: HypervisorNode): Promise<boolean> {
  const { config, zone } = ctx;
  const before = await node.nodeVersion(n.hypervisor);
  if (compareVersions(before, config.toVersion) === 0) return false;
  if (compareVersions(before, config.fromVersion) !== 0) {
    throw new StepRefusal("nodes", {
      zone,
      frontend: n,
      expected: `${nodePackage(n.hypervisor)} ${config.fromVersion} (or already ${config.toVersion}) on host ${n.name}`,
      found: before,
      next: "Bring the host to the federation's version by hand, or take it out of zones[].nodes, then run the deploy again.",
    });
  }
  ctx.log(`  ${n.name}: ${nodePackage(n.hypervisor)} ${before} → ${config.toVersion}`);
  await node.pointRepositoryAt(zone.packages, config.toVersion);
  await node.upgradePackages([nodePackage(n.hypervisor)]);
  const after = await node.nodeVersion(n.hypervisor);
  if (compareVersions(after, config.toVersion) !== 0) {
    throw new StepRefusal("nodes", {
      zone,
      frontend: n,
      expected: `${nodePackage(n.hypervisor)} ${config.toVersion} on host ${n.name} after the upgrade`,
      found: after,
      next: "Check the host's repository and the package manager's output above, then run the deploy again.",
    });
  }
  await restartLibvirtOn(node, n, zone, "nodes", "fix it, then run the deploy again (the package is already upgraded).");
  return true;
}

/**
 * A KVM host's libvirtd restarted after its node package moved, and proven active (an LXC host has
 * none to restart). `then` finishes the refusal's advice after "Read journalctl -u libvirtd on the host, ".
 */
export async function restartLibvirtOn(node: HypervisorNode, n: NodeConfig, zone: ZoneConfig, step: string, then: string): Promise<void> {
  if (n.hypervisor !== "kvm") return;
  await node.restartLibvirt();
  const state = await node.libvirtState();
  if (state !== "active") {
    throw new StepRefusal(step, {
      zone,
      frontend: n,
      expected: `${LIBVIRT_UNIT} active on host ${n.name} after its restart`,
      found: state,
      next: `Read journalctl -u ${LIBVIRT_UNIT} on the host, ${then}`,
    });
  }
}
