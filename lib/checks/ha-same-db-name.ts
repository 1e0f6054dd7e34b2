/**
 * HA zones on MySQL: every server uses the same database name (docs/opennebula.md §3.2 pitfalls, §6 row 12).
 * A full MySQL dump carries `CREATE DATABASE <leader's name>`, so a follower with another DB_NAME
 * would keep running on its old database after the leader's backup is restored there.
 */
import { isHaZone } from "../model/federation";
import { Check } from "./check";
import { finding, ok } from "./check-helpers";

export const haSameDbName: Check = {
  id: "ha-same-db-name",
  description: "HA zones on MySQL: every server's oned.conf DB_NAME is the same (and matches database.name when set)",
  run: (facts, config) =>
    config.zones
      .filter((z) => isHaZone(z) && z.database.backend === "mysql")
      .flatMap((zone) => {
        const named = facts.frontends.filter((f) => f.zoneId === zone.id && f.dbName !== undefined);
        if (named.length === 0) return [];
        const expected = zone.database.connection?.name ?? named[0].dbName!;
        const odd = named.filter((f) => f.dbName !== expected);
        if (odd.length === 0) return [ok("ha-same-db-name", `DB_NAME ${expected} on ${named.length} servers`, zone)];
        return [
          finding("ha-same-db-name", {
            zone,
            expected: `DB_NAME "${expected}" on every server${zone.database.connection ? " (database.name)" : ` (as on ${named[0].frontend})`}`,
            found: odd.map((f) => `${f.frontend} uses "${f.dbName}"`).join(", "),
            next: "Give every server of the zone the same DB_NAME in /etc/one/oned.conf (the leader's full backup recreates that database), then check again.",
          }),
        ];
      }),
};
