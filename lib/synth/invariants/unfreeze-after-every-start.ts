/** Type B: the freeze is lifted only once every zone runs the new version, so no write meets a stopped or old zone. */
import { coordinated, GraphRule } from "./graph-rule";

export const unfreezeAfterEveryStart: GraphRule = {
  id: "unfreeze-after-every-start",
  description: "every unfreeze waits for every zone's start",
  appliesTo: coordinated,
  check: (graph) =>
    graph
      .of("unfreeze")
      .flatMap((u) => graph.of("start").flatMap((s) => graph.mustFollow(u, s, "the freeze is lifted only once every zone runs the new version"))),
};
