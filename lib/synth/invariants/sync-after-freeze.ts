/** Type B: FED_INDEX is compared only once no zone accepts federated writes any more. */
import { coordinated, GraphRule } from "./graph-rule";

export const syncAfterFreeze: GraphRule = {
  id: "sync-after-freeze",
  description: "the federation sync waits for every freeze",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("sync").flatMap((sync) => graph.of("freeze").flatMap((f) => graph.mustFollow(sync, f, "FED_INDEX means something only once writes are frozen"))),
};
