/** Type B: the master's upgrade migrates the shared tables every zone uses, so every zone is stopped first. */
import { coordinated, GraphRule } from "./graph-rule";

export const masterUpgradesAfterEveryStop: GraphRule = {
  id: "master-upgrades-after-every-stop",
  description: "the master's upgrade waits for every zone's stop",
  appliesTo: coordinated,
  check: (graph) =>
    graph
      .of("upgrade")
      .filter((up) => up.zone.role === "master")
      .flatMap((up) => graph.of("stop").flatMap((stop) => graph.mustFollow(up, stop, "every zone is stopped before the master upgrades"))),
};
