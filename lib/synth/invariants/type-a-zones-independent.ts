/** Type A: every zone on its own chain, so one zone's failure does not block the others (docs/opennebula.md §2.2). */
import { GraphRule, zoneByZone } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const typeAZonesIndependent: GraphRule = {
  id: "type-a-zones-independent",
  description: "in a zone-by-zone upgrade no step waits for another zone's",
  appliesTo: zoneByZone,
  check: (graph) =>
    graph.steps.flatMap((s) =>
      [...graph.ancestors(s)]
        .filter((a) => a.zone.id !== s.zone.id)
        .map((a) => `${stepLabel(s)} waits for ${stepLabel(a)}: type A zones must not wait for each other`),
    ),
};
