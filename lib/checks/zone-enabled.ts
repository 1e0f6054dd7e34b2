/** No zone is disabled before the run: a disabled zone is usually a freeze an earlier run left behind. */
import { Check } from "./check";
import { finding, notApplicable, ok, reachable, zoneOf } from "./check-helpers";

export const zoneEnabled: Check = {
  id: "zone-enabled",
  description: "every zone is ENABLED (onezone show) before the upgrade freezes it",
  run: (facts, config) =>
    reachable(facts).map((f) => {
      const zone = zoneOf(config, f.zoneId);
      if (f.zoneEnabled === undefined) return notApplicable("zone-enabled", "oned not running: state unknown", zone, f.frontend);
      return f.zoneEnabled
        ? ok("zone-enabled", "ENABLED", zone, f.frontend)
        : finding("zone-enabled", {
            zone,
            frontend: f.frontend,
            expected: "STATE ENABLED",
            found: "DISABLED",
            next: "An earlier run or an operator froze it: finish that run, or run `onezone enable` on the zone (master first).",
          });
    }),
};
