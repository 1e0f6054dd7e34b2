/**
 * Freeze (and unfreeze) federated writes. onezone-disable (6.2+): `onezone disable|enable` through
 * each zone's own endpoint, slaves first to freeze and master first to lift. firewall: rules on the
 * master that drop inbound API traffic except from localhost and the automation host (§4.6).
 */
import { FirewallRule, freezeComment, freezeRules, iptables } from "../../remote/opennebula/firewall";
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";
import { readRaftView } from "../raft";
import { StepRefusal } from "../step-refusal";
import { StepContext, StepRun, StepOutcome } from "../step";
import { isHaZone } from "../../model/federation";
import { zoneEnabledOn } from "../zone-states";

async function setEnabled(ctx: StepContext, enabled: boolean, step: string): Promise<StepOutcome> {
  const fe = await ctx.frontend();
  const { zone } = ctx;
  const word = enabled ? "enabled" : "disabled";
  // The zone's STATE from its front-end's zone pool (`onezone list -j`): the field `onezone show`
  // reads, without show's Raft status call to each server; both reads below hold the window open.
  if ((await zoneEnabledOn(fe, zone.id)) === enabled) return { status: "already-done", summary: `zone already ${word}` };
  await fe.setZoneEnabled(zone.id, zone.endpoint, enabled);
  const after = await settledZoneState(ctx, fe, enabled);
  if (after !== enabled) {
    throw new StepRefusal(step, {
      zone,
      frontend: fe.target,
      expected: `zone ${zone.id} to be ${word} after onezone ${enabled ? "enable" : "disable"}`,
      found: `STATE ${after ? "ENABLED" : "DISABLED"}`,
      next: `Check oned.log on the zone and the master, then ${ctx.rerun}.`,
    });
  }
  return { status: "done", summary: `zone ${word}` };
}

/**
 * How long a zone's new STATE may take to show on its own front-end, and the pause between two
 * reads meanwhile: short, since each read is itself a CLI call of a few hundred milliseconds and
 * every pause on a freeze or unfreeze keeps the whole federation frozen that much longer.
 */
export const ZONE_STATE_SETTLE_MS = 15_000;
const ZONE_STATE_POLL_MS = 200;

/**
 * A slave's `onezone enable|disable` is forwarded to the master, and the slave sees the new STATE
 * only once the federation log has brought the zone table back to it: the state is read again for a
 * few seconds before the step judges it. Returns the last STATE read: enabled (true) or disabled.
 */
async function settledZoneState(ctx: StepContext, fe: OpenNebulaFrontend, enabled: boolean): Promise<boolean> {
  const until = Date.now() + ZONE_STATE_SETTLE_MS;
  for (let waited = false; ; waited = true) {
    const state = await zoneEnabledOn(fe, ctx.zone.id);
    if (state === enabled || Date.now() + ZONE_STATE_POLL_MS > until) return state;
    if (!waited)
      ctx.log(
        `zone ${ctx.zone.id} still ${enabled ? "DISABLED" : "ENABLED"} on ${fe.target.host}:${fe.target.port}; waiting for the federation to replicate it`,
      );
    await new Promise((r) => setTimeout(r, ZONE_STATE_POLL_MS));
  }
}

/**
 * The master's API closed (or opened again) on every server of the master zone: an HA master's
 * leader can change while the zone restarts, and a rule left on a former leader would outlive the
 * upgrade. The HA peers' Raft endpoints stay allowed, so elections and replication keep working.
 */
async function setFirewall(ctx: StepContext, frozen: boolean): Promise<StepOutcome> {
  const { config, zone } = ctx;
  const servers = isHaZone(zone) ? (await ctx.servers()).map((s) => s.frontend) : [await ctx.frontend()];
  const peers = isHaZone(zone) && frozen ? await raftPeers(ctx) : [];
  const allowed = [...config.freeze.allowFrom, ...peers.filter((p) => !config.freeze.allowFrom.includes(p))];
  const results: Array<number | null> = [];
  for (const fe of servers) results.push(await firewallOn(ctx, fe, frozen, freezeRules(config.fromVersion, allowed)));
  const changed = results.filter((r) => r !== null).length;
  if (changed === 0)
    return {
      status: "already-done",
      summary: frozen ? `freeze rules already in place${servers.length > 1 ? ` on ${servers.length} servers` : ""}` : "no freeze rule left",
    };
  const where = servers.length > 1 ? ` on ${servers.length} servers (Raft peers ${peers.join(", ")} allowed)` : "";
  return {
    status: "done",
    summary: frozen
      ? `API of the master closed except for 127.0.0.1${config.freeze.allowFrom.map((a) => `, ${a}`).join("")}${where}`
      : `removed ${results.reduce<number>((n, r) => n + (r ?? 0), 0)} freeze rules${servers.length > 1 ? ` from ${servers.length} servers` : ""}`,
  };
}

/** Hosts of the master zone's Raft server endpoints (docs/opennebula.md §3.1), read while oned runs. */
async function raftPeers(ctx: StepContext): Promise<string[]> {
  const view = await readRaftView(ctx.zone, await ctx.servers());
  if (!view) {
    throw new StepRefusal("freeze", {
      zone: ctx.zone,
      expected: "a running oned on the master zone to list its Raft servers (their addresses stay allowed through the freeze)",
      found: "no server answered onezone show",
      next: `Start the master zone's servers, then ${ctx.rerun}.`,
    });
  }
  return [...new Set(view.servers.map((s) => new URL(s.endpoint).hostname))];
}

/** Puts `wanted` in place (or removes ours) on one server; null when it was already so, else the rules changed. */
async function firewallOn(ctx: StepContext, fe: OpenNebulaFrontend, frozen: boolean, wanted: readonly FirewallRule[]): Promise<number | null> {
  const { config, zone } = ctx;
  const comment = freezeComment(config.name);
  const ours = await fe.firewallRules(comment);
  if (frozen) {
    if (ours.length === wanted.length) return null;
    // A partial set from an interrupted run is removed first, so the order is always ACCEPTs then DROP.
    for (const r of ours) await fe.run(iptables.deleteSpec(r));
    for (const [i, rule] of wanted.entries()) await fe.run(iptables.insert(i + 1, rule, comment));
  } else {
    if (ours.length === 0) return null;
    for (const r of ours) await fe.run(iptables.deleteSpec(r));
  }
  const after = await fe.firewallRules(comment);
  if (after.length !== (frozen ? wanted.length : 0)) {
    throw new StepRefusal(frozen ? "freeze" : "unfreeze", {
      zone,
      frontend: fe.target,
      expected: frozen ? `${wanted.length} rules commented ${comment}` : `no rule commented ${comment}`,
      found: `${after.length} such rules (iptables -S INPUT)`,
      next: `Look at the master's INPUT chain, fix it by hand, then ${ctx.rerun}.`,
    });
  }
  return frozen ? wanted.length : ours.length;
}

export const freeze: StepRun = {
  name: "freeze",
  run: (ctx) => (ctx.config.freeze.method === "firewall" ? setFirewall(ctx, true) : setEnabled(ctx, false, "freeze")),
};

export const unfreeze: StepRun = {
  name: "unfreeze",
  run: (ctx) => (ctx.config.freeze.method === "firewall" ? setFirewall(ctx, false) : setEnabled(ctx, true, "unfreeze")),
};
