/** Type A keeps the shared DB version: there is no federated backup to take and none to restore. */
import { GraphRule, zoneByZone } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const typeANoFederatedSteps: GraphRule = {
  id: "type-a-no-federated-steps",
  description: "a zone-by-zone upgrade has no federated backup or restore",
  appliesTo: zoneByZone,
  check: (graph) => [...graph.of("backup"), ...graph.of("restore")].map((s) => `${stepLabel(s)} exists in a zone-by-zone (type A) upgrade`),
};
