/**
 * Rollback of a zone's hypervisor hosts: `opennebula-node-<kvm|lxc>` back to the old release, libvirt
 * restarted on KVM hosts. The mirror of the upgrade's nodes step (lib/run/steps/nodes-upgrade.ts):
 * it runs while the zone is still stopped, so no monitoring reaches a host whose package is moving,
 * and before the zone starts and `onehost sync` pushes the old front-end's drivers, so those never
 * land on new node packages. Each host is probed first: one already at the old release is left
 * alone, so a re-run does only what is left.
 */
import { NodeConfig } from "../../model/federation";
import { compareVersions } from "../../model/version";
import { HypervisorNode } from "../../remote/opennebula/hypervisor-node";
import { nodePackage } from "../../remote/opennebula/packages";
import { restartLibvirtOn } from "../steps/nodes-upgrade";
import { StepContext } from "../step";
import { StepRefusal } from "../step-refusal";

const NEXT =
  "The zone stays stopped and is not restored again. Fix the host (its repository, the package manager's output above), or take it out of zones[].nodes, then run `onefed rollback` again.";

/** The zone's listed hosts at the old release; the summary, or undefined when the zone lists none. */
export async function downgradeNodes(ctx: StepContext): Promise<string | undefined> {
  if (ctx.zone.nodes.length === 0) return undefined;
  // Every handshake first: an unknown host key on any host stops the rollback before any command.
  const nodes = await Promise.all(ctx.zone.nodes.map(async (n) => ({ config: n, node: await ctx.node(n) })));
  const outcomes = await Promise.all(nodes.map((n) => downgradeNode(ctx, n.config, n.node)));
  const moved = nodes.filter((_, i) => outcomes[i] === "downgraded").map((n) => n.config.name);
  const foreign = outcomes.filter((o): o is string => o !== "downgraded" && o !== "at-old");
  const parts = [
    moved.length > 0 ? `node packages of ${moved.join(", ")} back at ${ctx.config.fromVersion}` : `node packages at ${ctx.config.fromVersion}`,
    ...foreign,
  ];
  return parts.join("; ");
}

/** "downgraded", "at-old", or a note for a host at a third version (the upgrade never moved it, so the rollback leaves it too). */
async function downgradeNode(ctx: StepContext, n: NodeConfig, node: HypervisorNode): Promise<string> {
  const { config, zone } = ctx;
  const pkg = nodePackage(n.hypervisor);
  const before = await node.nodeVersion(n.hypervisor);
  if (compareVersions(before, config.fromVersion) === 0) return "at-old";
  if (compareVersions(before, config.toVersion) !== 0) {
    ctx.log(`  ${n.name}: ${pkg} ${before}, neither ${config.fromVersion} nor ${config.toVersion}: left as it is`);
    return `${n.name} left at ${pkg} ${before} (not the upgrade's doing)`;
  }
  ctx.log(`  ${n.name}: ${pkg} ${before} → ${config.fromVersion}`);
  await node.pointRepositoryAt(zone.packages, config.fromVersion);
  await node.downgradePackages([pkg], config.fromVersion);
  const after = await node.nodeVersion(n.hypervisor);
  if (compareVersions(after, config.fromVersion) !== 0) {
    throw new StepRefusal("rollback", {
      zone,
      frontend: n,
      expected: `${pkg} ${config.fromVersion} on host ${n.name} after the downgrade`,
      found: after,
      next: NEXT,
    });
  }
  await restartLibvirtOn(node, n, zone, "rollback", `fix it. ${NEXT}`);
  return "downgraded";
}
