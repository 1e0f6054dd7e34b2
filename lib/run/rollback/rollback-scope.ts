/**
 * Which zones a rollback covers, and whether it may cover only some. In a coordinated (type B)
 * upgrade every slave restored the master's federated tables: the master's shared tables are what
 * the slaves were restored from, so rolling back one zone alone leaves the federation with two
 * shared schemas. That is refused unless the operator says, with a flag, that they know it.
 */
import { FederationConfig, ZoneConfig, zoneLabel } from "../../model/federation";
import { UsageError } from "../../model/errors";

/** The command-line flag that accepts a single zone's rollback in a type-B federation. */
export const ACCEPT_SHARED_TABLES_FLAG = "--accept-shared-tables-mismatch";

export interface RollbackScope {
  /** Every zone, or one zone by id. */
  readonly zones: "all" | number;
  /** The operator accepts a single zone's rollback of a coordinated upgrade. @default false */
  readonly acceptSharedTablesMismatch?: boolean;
}

/** The zones to roll back, the master first (slaves forward federated writes to it), or a UsageError (exit 2). */
export function zonesToRollBack(config: FederationConfig, scope: RollbackScope): ZoneConfig[] {
  const byRole = (zones: readonly ZoneConfig[]) => [...zones.filter((z) => z.role === "master"), ...zones.filter((z) => z.role !== "master")];
  if (scope.zones === "all") return byRole(config.zones);
  const zone = config.zones.find((z) => z.id === scope.zones);
  if (!zone) {
    throw new UsageError(
      `onefed rollback: zone ${scope.zones} is not in the federation file (zones: ${config.zones.map((z) => z.id).join(", ")}). Nothing was changed.`,
    );
  }
  if (config.upgradeType === "B" && config.zones.length > 1 && !scope.acceptSharedTablesMismatch) {
    throw new UsageError(
      `onefed rollback refused for ${zoneLabel(zone)} alone: the upgrade of ${config.name} from ${config.fromVersion} to ${config.toVersion} is coordinated (type B), ` +
        `so every slave restored the master's federated tables: the master's shared tables are what the slaves were restored from, and one zone rolled back alone ` +
        `leaves the federation with two shared schemas that do not sync. Nothing was changed. Roll back every zone with \`onefed rollback --all\`, ` +
        `or, if you know what this zone's shared tables will be afterwards, say so with ${ACCEPT_SHARED_TABLES_FLAG}.`,
    );
  }
  return [zone];
}
