/** `onedb version` exits 0 with the shared version fromVersion needs. */
import { dbVersionOf } from "../model/version";
import { Check } from "./check";
import { finding, ok, reachable, zoneOf } from "./check-helpers";

export const databaseCurrent: Check = {
  id: "database-current",
  description: "onedb version reports an up-to-date database at fromVersion's shared version",
  run: (facts, config) =>
    reachable(facts).map((f) => {
      const zone = zoneOf(config, f.zoneId);
      const want = dbVersionOf(config.fromVersion);
      if (f.db?.status === "up-to-date" && f.db.shared === want) return ok("database-current", `${f.db.shared}/${f.db.local}`, zone, f.frontend);
      return finding("database-current", {
        zone,
        frontend: f.frontend,
        expected: `an up-to-date database at shared ${want}`,
        found: f.db ? `${f.db.status} (shared ${f.db.shared ?? "?"}, local ${f.db.local ?? "?"})` : "no answer from onedb version",
        next: "Repair the database (onedb version -v, onedb upgrade) before the federation upgrade.",
      });
    }),
};
