/** Stop every OpenNebula service of the zone and prove it: units inactive, oned's lock gone. */
import { renderCommand } from "../opennebula/remote-command";
import { systemctl } from "../opennebula/commands";
import { unitsToStop } from "../opennebula/services";
import { assertStopped, installedStopUnits } from "./services";
import { StepDefinition } from "./step";

export const stop: StepDefinition = {
  name: "stop",
  description: "systemctl stop every OpenNebula unit that exists; check that all are inactive and the lock is gone",
  scope: "zone",
  appliesTo: () => true,
  plan: (_zone, config) => [renderCommand(systemctl.stop([...new Set([...unitsToStop(config.fromVersion), ...unitsToStop(config.toVersion)])]))],
  async run(ctx) {
    const fe = await ctx.frontend();
    const units = await installedStopUnits(fe, ctx.config);
    const states = await fe.unitStates(units);
    const active = units.filter((u) => states[u] === "active" || states[u] === "activating" || states[u] === "reloading");
    if (active.length === 0 && !(await fe.onedLockPresent())) return { status: "already-done", summary: "every service already stopped" };
    await fe.stopUnits(active);
    await assertStopped(fe, ctx.config, ctx.zone, "stop", "Stop the remaining services by hand (or remove a stale lock once no oned process exists), then run the deploy again.");
    return { status: "done", summary: `stopped ${active.join(", ")}` };
  },
};
