/** Every zone's FED_INDEX, as the master reads it, is a real index equal to the master's. */
import { zoneLabel } from "../model/federation";
import { fedIndexText } from "../remote/opennebula/fed-index";
import { Check, CheckResult } from "./check";
import { finding, notApplicable, ok } from "./check-helpers";
import { describeOffset, judgeFederationSync, NO_RECORD_MEANING, NO_RECORD_NEXT, STANDALONE_NEXT, ZoneSync } from "./federation-sync";

export const federationInSync: Check = {
  id: "federation-in-sync",
  description: "onezone list --csv on the master shows one FED_INDEX for every zone (no `-`)",
  run: (facts, config) => {
    const rows = facts.masterZoneList;
    if (!rows) return [notApplicable("federation-in-sync", `master's zone list unavailable: ${facts.masterZoneListError ?? "unknown"}`, config.master)];
    const verdict = judgeFederationSync(rows, config);
    const master = verdict.zones.find((z) => z.zone.id === config.master.id)!;
    return verdict.zones.flatMap((z) => judgeZone(z, master) ?? []);
  },
};

/** undefined for a zone missing from the master's list: that is zones-match-master's finding. */
function judgeZone(z: ZoneSync, master: ZoneSync): CheckResult | undefined {
  const { zone } = z;
  switch (z.status) {
    case "equal":
      return ok("federation-in-sync", `FED_INDEX ${fedIndexText(z.fedIndex!)}`, zone);
    case "differs":
      return finding("federation-in-sync", {
        zone,
        expected: `FED_INDEX ${fedIndexText(master.fedIndex!)} like ${zoneLabel(master.zone)}`,
        found: `FED_INDEX ${fedIndexText(z.fedIndex!)} (${describeOffset(z.offset!)})`,
        next: "Wait for replication to catch up; a slave that stays behind may need re-seeding (docs/opennebula.md §6 row 6).",
      });
    case "uncompared":
      return notApplicable(
        "federation-in-sync",
        `FED_INDEX ${fedIndexText(z.fedIndex!)}, not comparable: ${zoneLabel(master.zone)} has no federated index (${master.fedIndex ? `FED_INDEX ${fedIndexText(master.fedIndex)}` : "not in its own list"})`,
        zone,
      );
    case "unreachable":
      return finding("federation-in-sync", {
        zone,
        expected: "a FED_INDEX (the master could ask the zone)",
        found: "`-`: the master could not reach the zone's endpoint",
        next: `Make ${zone.endpoint} reachable from the master with oned running.`,
      });
    case "no-record":
      return finding("federation-in-sync", {
        zone,
        expected: "a federated index (the zone holds the master's federated records)",
        found: NO_RECORD_MEANING,
        next: `${NO_RECORD_NEXT}.`,
      });
    case "standalone":
      return finding("federation-in-sync", {
        zone,
        expected: "a federated index (the zone's oned runs in the federation)",
        found: "FED_INDEX -1 (oned runs standalone)",
        next: `${STANDALONE_NEXT}.`,
      });
    case "missing":
      return undefined;
  }
}
