/** Type B: zones stop only once the sync step saw every slave at the master's FED_INDEX. */
import { coordinated, GraphRule } from "./graph-rule";

export const stopAfterSync: GraphRule = {
  id: "stop-after-sync",
  description: "every stop waits for the federation sync",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("stop").flatMap((stop) => graph.of("sync").flatMap((sync) => graph.mustFollow(stop, sync, "zones stop only once the federation is in sync"))),
};
