/** oned runs on every zone: the freeze and the FED_INDEX check go through each zone's oned. */
import { Check } from "./check";
import { finding, ok, reachable, zoneOf } from "./check-helpers";

export const onedRunning: Check = {
  id: "oned-running",
  description: "opennebula (oned) is active on every front-end",
  run: (facts, config) =>
    reachable(facts).map((f) => {
      const zone = zoneOf(config, f.zoneId);
      const state = f.services?.["opennebula"] ?? "unknown";
      return state === "active"
        ? ok("oned-running", "oned active", zone, f.frontend)
        : finding("oned-running", {
            zone,
            frontend: f.frontend,
            expected: "opennebula active",
            found: state,
            next: "Start it (systemctl start opennebula) or find out why it is down; the upgrade freezes zones through their oned.",
          });
    }),
};
