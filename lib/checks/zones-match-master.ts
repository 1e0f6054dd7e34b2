/** The master's zone pool and the federation file describe the same zones (ids, names, endpoints). */
import { zoneLabel } from "../model/federation";
import { Check, CheckResult } from "./check";
import { finding, notApplicable, ok } from "./check-helpers";

export const zonesMatchMaster: Check = {
  id: "zones-match-master",
  description: "the master's onezone list has exactly the zones of the file, with the same names and endpoints",
  run: (facts, config) => {
    const rows = facts.masterZoneList;
    if (!rows) return [notApplicable("zones-match-master", `master's zone list unavailable: ${facts.masterZoneListError ?? "unknown"}`, config.master)];
    const results: CheckResult[] = [];
    for (const z of config.zones) {
      const row = rows.find((r) => r.id === z.id);
      if (!row) {
        results.push(
          finding("zones-match-master", {
            zone: z,
            expected: `zone ${z.id} in the master's zone pool`,
            found: "no such zone on the master",
            next: "Remove it from federation.yaml or check that you point at the right master.",
          }),
        );
      } else if (row.name !== z.name || row.endpoint !== z.endpoint) {
        results.push(
          finding("zones-match-master", {
            zone: z,
            expected: `${z.name} at ${z.endpoint}`,
            found: `${row.name} at ${row.endpoint} on the master`,
            next: "Update federation.yaml (or the zone's ENDPOINT on the master) so both agree.",
          }),
        );
      } else results.push(ok("zones-match-master", `${z.name} at ${z.endpoint}`, z));
    }
    for (const r of rows.filter((r) => !config.zones.some((z) => z.id === r.id))) {
      results.push(
        finding("zones-match-master", {
          zone: config.master,
          expected: "no zone beyond those in federation.yaml",
          found: `the master knows zone ${r.id} (${r.name}) at ${r.endpoint}`,
          next: `Add zone ${r.id} to federation.yaml: every zone of a federation takes part in a coordinated upgrade (${zoneLabel(config.master)} is the master).`,
        }),
      );
    }
    return results;
  },
};
