/** Type B: a slave's upgrade needs the shared tables at the new version, which only its federated restore brings. */
import { coordinated, GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const slaveRestoresBeforeUpgrade: GraphRule = {
  id: "slave-restores-before-upgrade",
  description: "every slave's upgrade waits for its own federated restore",
  appliesTo: coordinated,
  check: (graph) =>
    graph
      .of("upgrade")
      .filter((up) => up.zone.role === "slave")
      .flatMap((up) => {
        const own = graph.inZone("restore", up.zone.id);
        if (!own) return [`${stepLabel(up)} has no restore step: a slave is never upgraded without its federated restore`];
        return graph.mustFollow(up, own, "a slave is never upgraded before its own restore");
      }),
};
