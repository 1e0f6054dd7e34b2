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
import { ONED_UNIT } from "../remote/opennebula/services";
import { StepContext } from "./step";
import { StepRefusal } from "./step-refusal";
import { withLacking } from "./zone-states";

export async function proveFrozen(ctx: StepContext, step: StepName): Promise<void> {
  const { config } = ctx;
  if (config.upgradeType === "A" || config.freeze.method === "none") return;
  const frozenZones = config.zones.filter((z) => freezesZone(z, config));
  for (const server of await ctx.serversOf(config.master)) {
    const fe = server.frontend;
    if (config.freeze.method === "firewall") {
      if ((await fe.unitStates([ONED_UNIT]))[ONED_UNIT] !== "active") continue;
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
    // Whether oned runs and every zone's STATE from one `onezone list -j` (the same zone_pool field
    // `onezone show` reads, docs/round-trips.md), asked together: one round trip. The pool's answer
    // counts only when oned runs: with oned stopped nothing listens, the list fails at once and is
    // ignored, as it was never asked before.
    const [units, pool] = await Promise.all([
      fe.unitStates([ONED_UNIT]),
      fe.zoneStates().then(
        (zones) => ({ zones }),
        (error: unknown) => ({ error }),
      ),
    ]);
    if (units[ONED_UNIT] !== "active") continue;
    const enabled: string[] = [];
    try {
      if ("error" in pool) throw pool.error;
      // A zone the pool lacks is asked alone, so it fails as it always did.
      const states = await withLacking(
        fe,
        frozenZones.map((z) => z.id),
        new Map(pool.zones.map((z) => [z.id, z.enabled])),
      );
      frozenZones.forEach((z) => states.get(z.id) && enabled.push(`${zoneLabel(z)} ENABLED`));
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
        `every zone DISABLED (${frozenZones.map((z) => z.id).join(", ")}) as the master's oned reports them`,
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
      `${ctx.rerun[0].toUpperCase()}${ctx.rerun.slice(1)}: it freezes the federation again before any zone stops.`,
  });
}
