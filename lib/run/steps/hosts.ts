/**
 * Hypervisor hosts (docs/opennebula.md §2.1 steps 2, 12, 13): `onehost disable` for the zone's enabled hosts
 * before the freeze (a disabled zone refuses the call), and, once the zone is enabled again,
 * `onehost enable` for exactly those hosts and `onehost sync --force`. Hosts an operator had
 * disabled stay disabled: the list of hosts we disabled is kept on the automation host.
 */
import { disabledHostsRecord } from "../records/disabled-hosts-record";
import { StepRefusal } from "../step-refusal";
import { StepRun } from "../step";

export const hostsDisable: StepRun = {
  name: "hosts-disable",
  async run(ctx) {
    const { config, zone } = ctx;
    const store = disabledHostsRecord(config, zone);
    const fe = await ctx.frontend();
    const record = store.read();
    if (record) {
      const ids = record.host_ids;
      const hosts = await fe.hosts();
      if (hosts.filter((h) => ids.includes(h.id)).every((h) => !h.enabled)) return { status: "already-done", summary: `hosts ${ids.join(", ") || "(none)"} already disabled` };
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
        next: "Check oned.log, then run the deploy again.",
      });
    }
    return { status: "done", summary: `disabled ${enabled.map((h) => h.name).join(", ") || "no host (none was enabled)"}` };
  },
};

export const hostsEnable: StepRun = {
  name: "hosts-enable",
  async run(ctx) {
    const { config, zone } = ctx;
    const record = disabledHostsRecord(config, zone).read();
    if (!record) return { status: "already-done", summary: "no host was disabled by this upgrade" };
    const ids = record.host_ids;
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
        next: "Check oned.log and that the zone is ENABLED, then run the deploy again.",
      });
    }
    return { status: "done", summary: `enabled ${off.map((h) => h.name).join(", ")} and synced the hosts` };
  },
};
