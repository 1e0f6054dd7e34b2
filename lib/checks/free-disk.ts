/** Room for the pre-upgrade and federated backups where they are written. */
import { Check } from "./check";
import { finding, ok, reachable, zoneOf } from "./check-helpers";

/** A conservative floor: onedb backups of a large DB plus the pre-upgrade copies. */
const MIN_FREE_BYTES = 1024 ** 3;

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;

export const freeDisk: Check = {
  id: "free-disk",
  description: `at least ${gib(MIN_FREE_BYTES)} free where backups are written (backup.remoteDirectory)`,
  run: (facts, config) =>
    reachable(facts).map((f) => {
      const zone = zoneOf(config, f.zoneId);
      const free = f.freeBytes ?? 0;
      return free >= MIN_FREE_BYTES
        ? ok("free-disk", `${gib(free)} free`, zone, f.frontend)
        : finding("free-disk", {
            zone,
            frontend: f.frontend,
            expected: `at least ${gib(MIN_FREE_BYTES)} free for ${config.backup.remoteDirectory}`,
            found: `${gib(free)} free`,
            next: "Free space or point backup.remoteDirectory at a larger file system.",
          });
    }),
};
