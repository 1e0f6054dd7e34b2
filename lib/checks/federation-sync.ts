/**
 * The judgement of the master's FED_INDEX column (docs/opennebula.md §5.1), shared by the
 * federation-in-sync check and the sync and verify steps. The federation is in sync only when every
 * zone reports a real index and they are all equal: `-`, -1 and "no federated record yet"
 * (UINT64_MAX) prove nothing and never count as equal to anything.
 */
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { FedIndex, fedIndexText, NO_FEDERATED_RECORD, realIndex } from "../remote/opennebula/fed-index";
import { ZoneListRow } from "../remote/opennebula/parsers";

/**
 * One zone against the master: `equal` / `differs` (real indexes compared), `uncompared` (a real
 * index while the master has none), or why it has no index to compare.
 */
export type ZoneSyncStatus = "equal" | "differs" | "uncompared" | "unreachable" | "no-record" | "standalone" | "missing";

export interface ZoneSync {
  readonly zone: ZoneConfig;
  readonly status: ZoneSyncStatus;
  /** What the master's list showed; undefined when the zone is not in it. */
  readonly fedIndex?: FedIndex;
  /** The zone's index minus the master's, when both are real (negative: behind). */
  readonly offset?: bigint;
}

export interface SyncVerdict {
  /** Every zone has a real index, all equal. */
  readonly inSync: boolean;
  /** That index, when in sync. */
  readonly index?: bigint;
  /** Every zone of the file, in file order. */
  readonly zones: readonly ZoneSync[];
  /** "0=715438, 100=-, 101=715438": what the master's list showed, in the CLI's spelling. */
  readonly indexes: string;
}

export function judgeFederationSync(rows: readonly ZoneListRow[], config: FederationConfig): SyncVerdict {
  const master = realIndex(rows.find((r) => r.id === config.master.id)?.fedIndex);
  const zones = config.zones.map((zone): ZoneSync => {
    const fedIndex = rows.find((r) => r.id === zone.id)?.fedIndex;
    if (!fedIndex) return { zone, status: "missing" };
    if (fedIndex.kind !== "index") return { zone, status: fedIndex.kind, fedIndex };
    if (master === undefined) return { zone, status: "uncompared", fedIndex };
    const offset = fedIndex.value - master;
    return { zone, status: offset === 0n ? "equal" : "differs", fedIndex, offset };
  });
  const inSync = zones.every((z) => z.status === "equal");
  const indexes = zones.map((z) => `${z.zone.id}=${z.fedIndex ? fedIndexText(z.fedIndex) : "-"}`).join(", ");
  return { inSync, index: inSync ? master : undefined, zones, indexes };
}

/** Zones of a verdict in one of `statuses`, as "zone 100 (S-EU-GE), zone 101 (S-US-CA)". */
export function zonesIn(verdict: SyncVerdict, ...statuses: ZoneSyncStatus[]): string {
  return verdict.zones
    .filter((z) => statuses.includes(z.status))
    .map((z) => zoneLabel(z.zone))
    .join(", ");
}

/** "37 behind" / "2 ahead" for a zone whose real index differs from the master's. */
export function describeOffset(offset: bigint): string {
  return offset < 0n ? `${-offset} behind` : `${offset} ahead`;
}

/** What a zone that never received a federated record means, for findings and refusals. */
export const NO_RECORD_MEANING = `FED_INDEX ${NO_FEDERATED_RECORD} (no federated record yet)`;

/** What to do about such a zone: it cannot be proven in sync until it holds the master's records. */
export const NO_RECORD_NEXT =
  "A zone that never received a federated record (a freshly added slave, say) cannot be proven in sync: " +
  "check that it is a member of the federation (it is in the master's `onezone list`; its /etc/one/oned.conf has FEDERATION MODE SLAVE, its ZONE_ID and MASTER_ONED) " +
  "and that the master replicates to it (the master's /var/log/one/oned.log)";

/** What to do about a zone whose oned runs without federation (-1). */
export const STANDALONE_NEXT =
  "A zone at FED_INDEX -1 runs without federation: set FEDERATION MODE in its /etc/one/oned.conf (MASTER on the master zone; SLAVE with its ZONE_ID and MASTER_ONED on a slave) and restart oned";
