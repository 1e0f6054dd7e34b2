/**
 * Freeze (and unfreeze) federated writes. onezone-disable (6.2+): `onezone disable|enable` through
 * each zone's own endpoint, slaves first to freeze and master first to lift. firewall: rules on the
 * master that drop inbound API traffic except from localhost and the automation host (§4.6).
 */
import { FederationConfig, ZoneConfig } from "../config/federation-config";
import { freezeComment, freezeRules, iptables } from "../opennebula/firewall";
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
      frontend: fe.target,
      expected: `zone ${zone.id} to be ${word} after onezone ${enabled ? "enable" : "disable"}`,
      found: `STATE ${after.enabled ? "ENABLED" : "DISABLED"}`,
      next: "Check oned.log on the zone and the master, then run the deploy again.",
    });
  }
  return { status: "done", summary: `zone ${word}` };
}

async function setFirewall(ctx: StepContext, frozen: boolean): Promise<StepOutcome> {
  const { config, zone } = ctx;
  const fe = await ctx.frontend();
  const comment = freezeComment(config.name);
  const wanted = freezeRules(config.fromVersion, config.freeze.allowFrom);
  const ours = await fe.firewallRules(comment);
  if (frozen) {
    if (ours.length === wanted.length) return { status: "already-done", summary: `${ours.length} freeze rules already in place` };
    // A partial set from an interrupted run is removed first, so the order is always ACCEPTs then DROP.
    for (const r of ours) await fe.run(iptables.deleteSpec(r));
    for (const [i, rule] of wanted.entries()) await fe.run(iptables.insert(i + 1, rule, comment));
  } else {
    if (ours.length === 0) return { status: "already-done", summary: "no freeze rule left" };
    for (const r of ours) await fe.run(iptables.deleteSpec(r));
  }
  const after = await fe.firewallRules(comment);
  if (after.length !== (frozen ? wanted.length : 0)) {
    throw new StepRefusal(frozen ? "freeze" : "unfreeze", {
      zone,
      frontend: fe.target,
      expected: frozen ? `${wanted.length} rules commented ${comment}` : `no rule commented ${comment}`,
      found: `${after.length} such rules (iptables -S INPUT)`,
      next: "Look at the master's INPUT chain, fix it by hand, then run the deploy again.",
    });
  }
  return { status: "done", summary: frozen ? `API of the master closed except for 127.0.0.1${config.freeze.allowFrom.map((a) => `, ${a}`).join("")}` : `removed ${ours.length} freeze rules` };
}

/** Which zones get freeze/unfreeze resources: every zone with onezone-disable, the master with firewall, none otherwise. */
export function freezesZone(zone: ZoneConfig, config: FederationConfig): boolean {
  if (config.upgradeType === "A" || config.freeze.method === "none") return false;
  return config.freeze.method === "onezone-disable" || zone.role === "master";
}

function plan(zone: ZoneConfig, config: FederationConfig, frozen: boolean): string[] {
  if (config.freeze.method === "firewall") {
    const comment = freezeComment(config.name);
    return frozen ? freezeRules(config.fromVersion, config.freeze.allowFrom).map((r, i) => renderCommand(iptables.insert(i + 1, r, comment))) : [renderCommand(iptables.list()), `iptables -D INPUT <each rule commented ${comment}>`];
  }
  return [renderCommand(onezone.showJson(zone.id)), renderCommand(frozen ? onezone.disable(zone.id, zone.endpoint) : onezone.enable(zone.id, zone.endpoint))];
}

export const freeze: StepDefinition = {
  name: "freeze",
  description: "freeze federated writes: onezone disable through each zone's endpoint (slaves first), or firewall rules on the master",
  scope: "zone",
  appliesTo: freezesZone,
  plan: (zone, config) => plan(zone, config, true),
  run: (ctx) => (ctx.config.freeze.method === "firewall" ? setFirewall(ctx, true) : setEnabled(ctx, false, "freeze")),
};

export const unfreeze: StepDefinition = {
  name: "unfreeze",
  description: "lift the freeze: onezone enable (the master first, then the slaves), or remove exactly our firewall rules",
  scope: "zone",
  appliesTo: freezesZone,
  plan: (zone, config) => plan(zone, config, false),
  run: (ctx) => (ctx.config.freeze.method === "firewall" ? setFirewall(ctx, false) : setEnabled(ctx, true, "unfreeze")),
};
