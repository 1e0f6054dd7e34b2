/** Every front-end answers over SSH with its pinned host key and the configured key. */
import { Check } from "./check";
import { finding, ok, zoneOf } from "./check-helpers";

export const frontendReachable: Check = {
  id: "frontend-reachable",
  description: "every front-end answers over SSH (pinned host key, configured user and key)",
  run: (facts, config) =>
    facts.frontends.map((f) =>
      f.error
        ? finding("frontend-reachable", {
            zone: zoneOf(config, f.zoneId),
            frontend: f.frontend,
            expected: "an SSH session with the pinned host key",
            found: f.error,
            next: "Fix reachability, the key or known_hosts as the message says, then check again.",
          })
        : ok("frontend-reachable", "reachable", zoneOf(config, f.zoneId), f.frontend),
    ),
};
