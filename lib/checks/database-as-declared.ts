/**
 * Each front-end's oned.conf names the DB backend the federation file declares for its zone: the
 * backend decides how onedb gets its password, and whether a type B upgrade can restore the
 * master's federated dump into a slave (onedb restores a backup only into the backend it came
 * from; the loader refuses a file that declares different ones, so the file must tell the truth).
 */
import { Check } from "./check";
import { finding, ok, reachable, zoneOf } from "./check-helpers";

export const databaseAsDeclared: Check = {
  id: "database-as-declared",
  description: "oned.conf's DB BACKEND on every front-end is the one the federation file declares for its zone",
  run: (facts, config) =>
    reachable(facts)
      .filter((f) => f.dbBackend !== undefined)
      .map((f) => {
        const zone = zoneOf(config, f.zoneId);
        if (f.dbBackend === zone.database.backend) return ok("database-as-declared", f.dbBackend, zone, f.frontend);
        return finding("database-as-declared", {
          zone,
          frontend: f.frontend,
          expected: `DB BACKEND ${zone.database.backend} in /etc/one/oned.conf, as the federation file declares for the zone (database.backend, or zones[].database.backend)`,
          found: `BACKEND ${f.dbBackend}`,
          next:
            "Correct the federation file's database section to what the zone runs (`onefed discover` writes it from oned.conf); " +
            "the backend decides how onedb gets its password and whether a type B upgrade can restore the master's federated backup into the zone.",
        });
      }),
};
