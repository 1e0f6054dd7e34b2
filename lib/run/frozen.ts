/**
 * Proves on the live master that no federated write can happen now: what `sync` and `stop` rely on.
 * Slaves forward every federated write to the master, so it is enough that on each master server
 * either oned is down, or the freeze is in place there (every frozen zone DISABLED as that server's
 * oned reports it, or our firewall rules present). Terraform's state saying the freeze ran is not
 * enough: an operator may have lifted it since (`onefed unfreeze`, `onezone enable`).
 */
import { freezesZone, hostPort, zoneLabel } from "../model/federation";
import { StepName } from "../model/steps";
import { freezeComment, freezeRules } from "../remote/opennebula/firewall";
import { RemoteCommandError } from "../remote/opennebula/remote-command-error";
import { StepContext } from "./step";
import { StepRefusal } from "./step-refusal";

const ONED_UNIT = "opennebula";

export async function proveFrozen(ctx: StepContext, step: StepName): Promise<void> {
  const { config } = ctx;
  if (config.upgradeType === "A" || config.freeze.method === "none") return;
  const frozenZones = config.zones.filter((z) => freezesZone(z, config));
  for (const server of await ctx.serversOf(config.master)) {
    const fe = server.frontend;
    if ((await fe.unitStates([ONED_UNIT]))[ONED_UNIT] !== "active") continue;
    if (config.freeze.method === "firewall") {
      const comment = freezeComment(config.name);
      const wanted = freezeRules(config.fromVersion, config.freeze.allowFrom).length;
      const present = (await fe.firewallRules(comment)).length;
      if (present >= wanted) continue;
      throw notFrozen(
        ctx,
        step,
        hostPort(server.config),
        `the master's API closed by our ${wanted} firewall rules (comment ${comment})`,
        `${present} such rules while oned runs there`,
      );
    }
    const enabled: string[] = [];
    try {
      // Every frozen zone's STATE from the zone pool in one call: `onezone show` per zone would also
      // ask each zone's servers for their Raft status (docs/round-trips.md), N calls the proof does not need.
      const pool = await fe.zonePool();
      for (const z of frozenZones) {
        const entry = pool.find((p) => p.id === z.id);
        if (!entry) enabled.push(`${zoneLabel(z)} not in the zone pool`);
        else if (entry.enabled) enabled.push(`${zoneLabel(z)} ENABLED`);
      }
    } catch (err) {
      // The zones stop in parallel: oned may go down between the two questions, which is just as frozen.
      if (err instanceof RemoteCommandError && (await fe.unitStates([ONED_UNIT]))[ONED_UNIT] !== "active") continue;
      throw err;
    }
    if (enabled.length > 0) {
      throw notFrozen(
        ctx,
        step,
        hostPort(server.config),
        `every zone DISABLED (${frozenZones.map((z) => z.id).join(", ")}) in the master's zone pool (onezone list -j)`,
        enabled.join(", "),
      );
    }
  }
}

function notFrozen(ctx: StepContext, step: StepName, server: string, expected: string, found: string): StepRefusal {
  const frontend = ctx.config.master.frontends.find((f) => hostPort(f) === server);
  return new StepRefusal(step, {
    zone: ctx.config.master,
    frontend,
    expected: `federated writes frozen before ${step} of ${zoneLabel(ctx.zone)}: ${expected}`,
    found,
    next:
      "Nothing was changed by this step. The freeze was lifted after it was set (`onefed unfreeze` or `onezone enable` by hand). " +
      "Run `onefed deploy` again: it freezes the federation again and proves FED_INDEX in sync before any zone stops.",
  });
}
