/** Type B: no zone stops before the federation-wide preflight passed. */
import { coordinated, GraphRule } from "./graph-rule";

export const stopAfterPreflight: GraphRule = {
  id: "stop-after-preflight",
  description: "every stop waits for every preflight",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("stop").flatMap((stop) => graph.of("preflight").flatMap((p) => graph.mustFollow(stop, p, "nothing stops before every preflight passed"))),
};
