/**
 * What the automation host remembers about an HA zone (`<backup.localDirectory>/ha/zone-<id>.json`):
 * once the zone is down nobody can ask Raft any more, so the stop step records the leader here
 * and every later step reads it (raft.ts).
 */
import * as path from "path";
import { Evidence } from "../../model/ledger";
import { FederationConfig, ZoneConfig } from "../../model/federation";
import { array, integer, nullable, object, optional, string } from "./record-shape";
import { RecordKind, RecordStore } from "./record-store";

/** One front-end's FEDERATION/SERVER_ID, read from its own oned.conf before anything changed. */
export interface HaServerRecord {
  /** host:port as federation.yaml lists it. */
  readonly frontend: string;
  readonly server_id: number;
}

/** The leader when the zone was stopped: the server whose database is upgraded and replicated. */
export interface HaLeaderRecord extends HaServerRecord {
  /** Its Raft term, when Raft still answered. */
  readonly term: number | null;
  /** ISO 8601. */
  readonly recorded_at: string;
}

/** The replicate step's progress: the leader's backups handed over, and the followers that hold them. */
export interface HaReplicationRecord {
  readonly db_sha256: string;
  readonly config_sha256: string;
  /** host:port of every follower that holds the leader's DB and configuration. */
  readonly followers: readonly string[];
}

export interface HaRecord {
  readonly zone_id: number;
  readonly servers: readonly HaServerRecord[];
  readonly leader?: HaLeaderRecord;
  readonly replicated?: HaReplicationRecord;
}

const HA_RECORD: RecordKind<HaRecord> = {
  title: "HA record",
  holds: "each front-end's SERVER_ID and the Raft leader recorded when the zone stopped",
  path: (config, zone) => path.join(config.backup.localDirectory, "ha", `zone-${zone.id}.json`),
  shape: object<HaRecord>({
    zone_id: integer,
    servers: array(object<HaServerRecord>({ frontend: string, server_id: integer })),
    leader: optional(object<HaLeaderRecord>({ frontend: string, server_id: integer, term: nullable(integer), recorded_at: string })),
    replicated: optional(object<HaReplicationRecord>({ db_sha256: string, config_sha256: string, followers: array(string) })),
  }),
  remedy:
    "Put back a good copy if you have one. Otherwise move the file aside and run the deploy again: each SERVER_ID is read from oned.conf anew, the followers are replicated again, and while the zone is down onefed refuses rather than guess its leader (start the zone's servers so that Raft elects one).",
};

/** The zone's HA record. */
export function haRecord(config: FederationConfig, zone: ZoneConfig): RecordStore<HaRecord> {
  return new RecordStore(HA_RECORD, config, zone);
}

/** The HA record a stop step's ledger evidence carries, when it carries a well-formed one. */
export function haRecordOf(evidence: Evidence): HaRecord | undefined {
  const value = evidence.ha_record;
  return value !== null && typeof value === "object" && HA_RECORD.shape.problems(value, "").length === 0 ? (value as unknown as HaRecord) : undefined;
}
