/** Type A: a zone stops only once its own preflight passed (there is no federation-wide one). */
import { GraphRule, zoneByZone } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const typeAStopAfterOwnPreflight: GraphRule = {
  id: "type-a-stop-after-own-preflight",
  description: "in a zone-by-zone upgrade each zone's stop waits for its own preflight",
  appliesTo: zoneByZone,
  check: (graph) =>
    graph.of("stop").flatMap((stop) => {
      const own = graph.inZone("preflight", stop.zone.id);
      return own ? graph.mustFollow(stop, own, "nothing stops before the zone's preflight passed") : [`${stepLabel(stop)} has no preflight`];
    }),
};
