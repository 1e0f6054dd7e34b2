/** Node packages are upgraded once the zone's front-end runs the new version. */
import { GraphRule } from "./graph-rule";

export const nodesAfterStart: GraphRule = {
  id: "nodes-after-start",
  description: "a zone's nodes step waits for its start",
  check: (graph) =>
    graph.of("nodes").flatMap((nodes) => {
      const start = graph.inZone("start", nodes.zone.id);
      return start ? graph.mustFollow(nodes, start, "node packages follow the front-end's upgrade") : [];
    }),
};
