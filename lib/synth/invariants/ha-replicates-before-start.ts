/** An HA zone's followers get the upgraded leader's DB before any server starts (docs/opennebula.md §3.2). */
import { isHaZone } from "../../model/federation";
import { GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const haReplicatesBeforeStart: GraphRule = {
  id: "ha-replicates-before-start",
  description: "an HA zone starts only after its replicate step",
  check: (graph) =>
    graph
      .of("start")
      .filter((start) => isHaZone(start.zone))
      .flatMap((start) => {
        const own = graph.inZone("replicate", start.zone.id);
        if (!own) return [`${stepLabel(start)} has no replicate step: an HA zone's followers never start on their own old DB`];
        return graph.mustFollow(start, own, "an HA zone starts only once every follower holds the leader's upgraded DB");
      }),
};
