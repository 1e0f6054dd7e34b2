/** Node packages first, then onehost sync (in hosts-enable): never new drivers over old node packages. */
import { GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

export const nodesBeforeHostSync: GraphRule = {
  id: "nodes-before-host-sync",
  description: "a zone's hosts-enable (onehost sync) waits for its nodes step",
  check: (graph) =>
    graph.of("nodes").flatMap((nodes) => {
      const enable = graph.inZone("hosts-enable", nodes.zone.id);
      if (!enable) return [`${stepLabel(nodes)} has no hosts-enable step after it: the hosts would never get onehost sync`];
      return graph.mustFollow(enable, nodes, "onehost sync pushes the new drivers only once the node packages are upgraded");
    }),
};
