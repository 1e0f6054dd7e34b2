/** Nothing is changed without a full backup first: every upgrade and restore waits for its zone's safety backup. */
import { GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const safetyBackupFirst: GraphRule = {
  id: "safety-backup-first",
  description: "every upgrade and federated restore waits for its zone's full safety backup",
  check: (graph) =>
    [...graph.of("upgrade"), ...graph.of("restore")].flatMap((change) => {
      const own = graph.inZone("safety-backup", change.zone.id);
      if (!own) return [`${stepLabel(change)} has no safety-backup step: nothing is changed without a full backup first`];
      return graph.mustFollow(change, own, "nothing is changed before the zone's full safety backup");
    }),
};
