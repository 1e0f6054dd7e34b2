/** Type B: the federated backup comes from the master; restoring it there would undo nothing and risk everything. */
import { coordinated, GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const masterNeverRestored: GraphRule = {
  id: "master-never-restored",
  description: "no federated restore runs on the master",
  appliesTo: coordinated,
  check: (graph) =>
    graph
      .of("restore")
      .filter((r) => r.zone.role === "master")
      .map((r) => `${stepLabel(r)} exists: the master is never restored`),
};
