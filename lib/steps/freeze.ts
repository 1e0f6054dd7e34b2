/** Freeze (and unfreeze) federated writes with `onezone disable|enable` through the zone's own endpoint (6.2+). */
import { renderCommand } from "../opennebula/remote-command";
import { onezone } from "../opennebula/commands";
import { StepRefusal } from "./refusal";
import { StepContext, StepDefinition, StepOutcome } from "./step";

async function setEnabled(ctx: StepContext, enabled: boolean, step: string): Promise<StepOutcome> {
  const fe = await ctx.frontend();
  const { zone } = ctx;
  const word = enabled ? "enabled" : "disabled";
  if ((await fe.zoneShow(zone.id)).enabled === enabled) return { status: "already-done", summary: `zone already ${word}` };
  await fe.setZoneEnabled(zone.id, zone.endpoint, enabled);
  const after = await fe.zoneShow(zone.id);
  if (after.enabled !== enabled) {
    throw new StepRefusal(step, {
      zone,
      frontend: zone.frontends[0],
      expected: `zone ${zone.id} to be ${word} after onezone ${enabled ? "enable" : "disable"}`,
      found: `STATE ${after.enabled ? "ENABLED" : "DISABLED"}`,
      next: "Check oned.log on the zone and the master, then run the deploy again.",
    });
  }
  return { status: "done", summary: `zone ${word}` };
}

export const freeze: StepDefinition = {
  name: "freeze",
  description: "onezone disable through the zone's own endpoint (slaves first, the master last)",
  scope: "zone",
  appliesTo: () => true,
  plan: (zone) => [renderCommand(onezone.showJson(zone.id)), renderCommand(onezone.disable(zone.id, zone.endpoint))],
  run: (ctx) => setEnabled(ctx, false, "freeze"),
};

export const unfreeze: StepDefinition = {
  name: "unfreeze",
  description: "onezone enable through the zone's own endpoint (the master first, then the slaves)",
  scope: "zone",
  appliesTo: () => true,
  plan: (zone) => [renderCommand(onezone.showJson(zone.id)), renderCommand(onezone.enable(zone.id, zone.endpoint))],
  run: (ctx) => setEnabled(ctx, true, "unfreeze"),
};
