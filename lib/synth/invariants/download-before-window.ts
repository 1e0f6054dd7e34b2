/**
 * Packages are in every cache before the window of frozen or stopped zones opens: no freeze, host
 * disable, sync or stop starts while a download still runs (type B: any zone's; type A: its own
 * zone's), and every download waits for the preflight that proved the zone ready.
 */
import { GraphRule } from "./graph-rule";
import { stepLabel } from "./step-graph";

const WINDOW_OPENERS = ["hosts-disable", "freeze", "sync", "stop"] as const;

export const downloadBeforeWindow: GraphRule = {
  id: "download-before-window",
  description:
    "every download waits for the preflight, and every hosts-disable, freeze, sync and stop waits for the downloads (type B: every zone's; type A: its own)",
  check: (graph) => {
    const downloads = graph.of("download");
    const zoneByZone = graph.upgradeType === "A";
    const missing = graph
      .of("stop")
      .flatMap((stop) =>
        downloads.some((d) => d.zone.id === stop.zone.id)
          ? []
          : [`${stepLabel(stop)} has no download step in its zone: its packages would be fetched inside the window`],
      );
    const afterPreflight = downloads.flatMap((d) =>
      graph
        .of("preflight")
        .filter((p) => !zoneByZone || p.zone.id === d.zone.id)
        .flatMap((p) => graph.mustFollow(d, p, "nothing runs on a zone before the preflight passed")),
    );
    const beforeWindow = WINDOW_OPENERS.flatMap((name) =>
      graph
        .of(name)
        .flatMap((opener) =>
          downloads
            .filter((d) => !zoneByZone || d.zone.id === opener.zone.id)
            .flatMap((d) => graph.mustFollow(opener, d, "the packages are in every cache before the window of frozen or stopped zones opens")),
        ),
    );
    return [...missing, ...afterPreflight, ...beforeWindow];
  },
};
