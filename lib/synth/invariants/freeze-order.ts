/**
 * Type B: slaves are disabled before the master and enabled after it; a slave's disable and enable
 * go through the master, which must still (or already) accept them (docs/opennebula.md §4.5).
 */
import { coordinated, GraphRule } from "./graph-rule";

export const freezeOrder: GraphRule = {
  id: "freeze-order",
  description: "the master freezes after every slave and unfreezes before them",
  appliesTo: coordinated,
  check: (graph) => {
    const masterFreeze = graph.of("freeze").find((f) => f.zone.role === "master");
    const masterUnfreeze = graph.of("unfreeze").find((u) => u.zone.role === "master");
    const slaves = (name: "freeze" | "unfreeze") => graph.of(name).filter((s) => s.zone.role === "slave");
    return [
      ...(masterFreeze ? slaves("freeze").flatMap((f) => graph.mustFollow(masterFreeze, f, "slaves are disabled before the master")) : []),
      ...(masterUnfreeze ? slaves("unfreeze").flatMap((u) => graph.mustFollow(u, masterUnfreeze, "the master is enabled before the slaves")) : []),
    ];
  },
};
