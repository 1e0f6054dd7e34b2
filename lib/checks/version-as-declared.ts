/** Each front-end runs federation.fromVersion; one already at toVersion means a half-done upgrade. */
import { compareVersions } from "../model/version";
import { Check } from "./check";
import { finding, ok, reachable, zoneOf } from "./check-helpers";

export const versionAsDeclared: Check = {
  id: "version-as-declared",
  description: "the installed OpenNebula is federation.fromVersion on every front-end",
  run: (facts, config) =>
    reachable(facts).map((f) => {
      const zone = zoneOf(config, f.zoneId);
      const installed = f.installedVersion ?? "unknown";
      if (f.installedVersion && compareVersions(f.installedVersion, config.fromVersion) === 0) return ok("version-as-declared", installed, zone, f.frontend);
      const halfDone = f.installedVersion && compareVersions(f.installedVersion, config.toVersion) === 0;
      return finding("version-as-declared", {
        zone,
        frontend: f.frontend,
        expected: `OpenNebula ${config.fromVersion} (federation.fromVersion)`,
        found: halfDone ? `${installed}, the target: a half-done upgrade` : installed,
        next: halfDone
          ? "Finish the earlier run (deploy again with its state) instead of starting a new one."
          : "Correct federation.fromVersion, or bring this front-end to the declared version first.",
      });
    }),
};
