/** Type B: the federated backup is the master's shared tables after the master's upgrade migrated them. */
import { coordinated, GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const backupExportsUpgradedMaster: GraphRule = {
  id: "backup-exports-upgraded-master",
  description: "the federated backup runs on the master, after the master's upgrade",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("backup").flatMap((b) => [
      ...(b.zone.role !== "master" ? [`${stepLabel(b)} is not on the master`] : []),
      ...graph
        .of("upgrade")
        .filter((up) => up.zone.role === "master")
        .flatMap((up) => graph.mustFollow(b, up, "the backup exports the upgraded master")),
    ]),
};
