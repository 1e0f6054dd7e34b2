/** Type B: onehost disable is a federated write, so the hosts are disabled before their zone is. */
import { coordinated, GraphRule } from "./graph-rule";

export const freezeAfterHostsDisable: GraphRule = {
  id: "freeze-after-hosts-disable",
  description: "a zone's freeze waits for its hosts-disable",
  appliesTo: coordinated,
  check: (graph) =>
    graph.of("freeze").flatMap((f) => {
      const own = graph.inZone("hosts-disable", f.zone.id);
      return own ? graph.mustFollow(f, own, "a disabled zone refuses onehost disable") : [];
    }),
};
