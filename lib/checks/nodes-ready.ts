/**
 * Every listed hypervisor host answers over SSH and runs the federation's node release (or already
 * the target): the nodes step comes at the very end, so a host it could not reach would otherwise
 * fail the run after every zone was upgraded, with its hosts still disabled.
 */
import { compareVersions } from "../model/version";
import { Check } from "./check";
import { finding, ok, zoneOf } from "./check-helpers";

export const nodesReady: Check = {
  id: "nodes-ready",
  description: "every host under zones[].nodes answers over SSH and has its node package at fromVersion (or already toVersion)",
  run: (facts, config) =>
    (facts.nodes ?? []).map((n) => {
      const zone = zoneOf(config, n.zoneId);
      const where = `${n.host} (host ${n.name})`;
      if (n.error) {
        return finding("nodes-ready", {
          zone,
          frontend: where,
          expected: "an SSH session with the pinned host key and a readable node package",
          found: n.error,
          next: "Fix the host's reachability, key or package, or take it out of zones[].nodes, then check again.",
        });
      }
      const v = n.nodeVersion!;
      if ([config.fromVersion, config.toVersion].some((x) => compareVersions(v, x) === 0)) return ok("nodes-ready", `node package ${v}`, zone, where);
      return finding("nodes-ready", {
        zone,
        frontend: where,
        expected: `its node package at ${config.fromVersion} (or already ${config.toVersion})`,
        found: v,
        next: "Bring the host to the federation's release by hand, or take it out of zones[].nodes, then check again.",
      });
    }),
};
