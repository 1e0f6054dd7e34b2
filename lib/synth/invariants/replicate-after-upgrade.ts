/** The followers copy the leader's DB only once the leader's upgrade migrated it. */
import { GraphRule } from "./graph-rule";

export const replicateAfterUpgrade: GraphRule = {
  id: "replicate-after-upgrade",
  description: "an HA zone's replicate step waits for its upgrade",
  check: (graph) =>
    graph.of("replicate").flatMap((replicate) => {
      const own = graph.inZone("upgrade", replicate.zone.id);
      return own ? graph.mustFollow(replicate, own, "the followers get the leader's DB once it is upgraded") : [];
    }),
};
