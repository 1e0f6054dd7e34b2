/**
 * Hypervisor hosts (docs/opennebula.md §2.1 steps 2, 12, 13): `onehost disable` for the zone's enabled hosts
 * before the freeze (a disabled zone refuses the call), and, once the zone is enabled again,
 * `onehost enable` for exactly those hosts and `onehost sync --force`. Hosts an operator had
 * disabled stay disabled: the list of hosts we disabled is kept on the automation host.
 */
import { disabledHostsRecord } from "../records/disabled-hosts-record";
import { StepRefusal } from "../step-refusal";
import { StepRun } from "../step";
import { Evidence, findEntry } from "../../model/ledger";

export const hostsDisable: StepRun = {
  name: "hosts-disable",
  restoreLocal(ctx, evidence) {
    const ids = hostIds(evidence);
    const store = disabledHostsRecord(ctx.config, ctx.zone);
    if (ids && store.readIntact() === undefined) store.write({ zone_id: ctx.zone.id, host_ids: ids, disabled_at: new Date().toISOString() });
  },
  async run(ctx) {
    const { config, zone } = ctx;
    const store = disabledHostsRecord(config, zone);
    const fe = await ctx.frontend();
    const record = store.read();
    if (record) {
      const ids = record.host_ids;
      const hosts = await fe.hosts();
      if (hosts.filter((h) => ids.includes(h.id)).every((h) => !h.enabled)) {
        return { status: "already-done", summary: `hosts ${ids.join(", ") || "(none)"} already disabled`, evidence: { host_ids: ids } };
      }
    }
    const enabled = (await fe.hosts()).filter((h) => h.enabled);
    // Recorded before acting, so a failure half way still re-enables what was disabled.
    store.write({ zone_id: zone.id, host_ids: enabled.map((h) => h.id), disabled_at: new Date().toISOString() });
    for (const h of enabled) await fe.setHostEnabled(h.id, false);
    const still = (await fe.hosts()).filter((h) => h.enabled);
    if (still.length > 0) {
      throw new StepRefusal("hosts-disable", {
        zone,
        frontend: fe.target,
        expected: "every host disabled",
        found: `still enabled: ${still.map((h) => `${h.id} ${h.name}`).join(", ")}`,
        next: `Check oned.log, then ${ctx.rerun}.`,
      });
    }
    return {
      status: "done",
      summary: `disabled ${enabled.map((h) => h.name).join(", ") || "no host (none was enabled)"}`,
      evidence: { host_ids: enabled.map((h) => h.id) },
    };
  },
};

export const hostsEnable: StepRun = {
  name: "hosts-enable",
  async run(ctx) {
    const { config, zone } = ctx;
    // The ledger's list first: the automation host's copy is gone on a new runner.
    const ids = hostIds(findEntry(ctx.ledger, "hosts-disable", zone.id)?.evidence ?? {}) ?? disabledHostsRecord(config, zone).read()?.host_ids;
    if (!ids) return { status: "already-done", summary: "no host was disabled by this upgrade" };
    const fe = await ctx.frontend();
    const off = (await fe.hosts()).filter((h) => ids.includes(h.id) && !h.enabled);
    if (off.length === 0) return { status: "already-done", summary: `hosts ${ids.join(", ") || "(none)"} already enabled` };
    for (const h of off) await fe.setHostEnabled(h.id, true);
    await fe.syncHosts();
    const still = (await fe.hosts()).filter((h) => ids.includes(h.id) && !h.enabled);
    if (still.length > 0) {
      throw new StepRefusal("hosts-enable", {
        zone,
        frontend: fe.target,
        expected: `hosts ${ids.join(", ")} enabled`,
        found: `still disabled: ${still.map((h) => `${h.id} ${h.name}`).join(", ")}`,
        next: `Check oned.log and that the zone is ENABLED, then ${ctx.rerun}.`,
      });
    }
    return { status: "done", summary: `enabled ${off.map((h) => h.name).join(", ")} and synced the hosts` };
  },
};

/** The host ids a hosts-disable entry's evidence lists, if it lists them. */
function hostIds(evidence: Evidence): number[] | undefined {
  const ids = evidence.host_ids;
  return Array.isArray(ids) && ids.every((i) => Number.isInteger(i)) ? (ids as number[]) : undefined;
}
