/** Every zone's FED_INDEX, as the master reads it, is known and equal. */
import { zoneLabel } from "../model/federation";
import { Check } from "./check";
import { finding, notApplicable, ok } from "./check-helpers";

export const federationInSync: Check = {
  id: "federation-in-sync",
  description: "onezone list --csv on the master shows one FED_INDEX for every zone (no `-`)",
  run: (facts, config) => {
    const rows = facts.masterZoneList;
    if (!rows) return [notApplicable("federation-in-sync", `master's zone list unavailable: ${facts.masterZoneListError ?? "unknown"}`, config.master)];
    const master = rows.find((r) => r.id === config.master.id)?.fedIndex ?? null;
    return config.zones
      .filter((z) => rows.some((r) => r.id === z.id))
      .map((z) => {
        const idx = rows.find((r) => r.id === z.id)!.fedIndex;
        if (idx === null) {
          return finding("federation-in-sync", {
            zone: z,
            expected: "a FED_INDEX (the master could ask the zone)",
            found: "`-`: the master could not reach the zone's endpoint",
            next: `Make ${z.endpoint} reachable from the master with oned running.`,
          });
        }
        if (master !== null && idx !== master) {
          return finding("federation-in-sync", {
            zone: z,
            expected: `FED_INDEX ${master} like ${zoneLabel(config.master)}`,
            found: `FED_INDEX ${idx} (${master - idx} behind)`,
            next: "Wait for replication to catch up; a slave that stays behind may need re-seeding (docs/opennebula.md §6 row 6).",
          });
        }
        return ok("federation-in-sync", `FED_INDEX ${idx}`, z);
      });
  },
};
