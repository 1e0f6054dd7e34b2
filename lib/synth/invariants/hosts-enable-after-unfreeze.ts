/** Type B: onehost enable is a federated write, which a disabled zone refuses. */
import { coordinated, GraphRule } from "./graph-rule";

export const hostsEnableAfterUnfreeze: GraphRule = {
  id: "hosts-enable-after-unfreeze",
  description: "a zone's hosts-enable waits for its unfreeze",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("hosts-enable").flatMap((e) => {
      const own = graph.inZone("unfreeze", e.zone.id);
      return own ? graph.mustFollow(e, own, "hosts are enabled only after their zone is enabled again") : [];
    }),
};
