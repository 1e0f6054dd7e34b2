/** Type B: a slave restores the federated backup only once the upgraded master exported it. */
import { coordinated, GraphRule } from "./graph-rule";

export const restoreAfterFederatedBackup: GraphRule = {
  id: "restore-after-federated-backup",
  description: "every federated restore waits for the federated backup",
  appliesTo: coordinated,
  check: (graph) =>
    graph
      .of("restore")
      .flatMap((restore) => graph.of("backup").flatMap((b) => graph.mustFollow(restore, b, "a slave restores only the upgraded master's backup"))),
};
