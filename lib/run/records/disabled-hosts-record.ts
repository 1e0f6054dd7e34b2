/**
 * The hypervisor hosts this upgrade disabled in a zone (`<backup.localDirectory>/hosts/zone-<id>.json`),
 * recorded before any is disabled, so that hosts-enable turns on exactly those and a host an
 * operator had disabled stays disabled.
 */
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../../model/federation";
import { array, integer, object, string } from "./record-shape";
import { RecordKind, RecordStore } from "./record-store";

export interface DisabledHostsRecord {
  readonly zone_id: number;
  /** `onehost` ids that were enabled when the hosts-disable step first ran. */
  readonly host_ids: readonly number[];
  /** ISO 8601. */
  readonly disabled_at: string;
}

const DISABLED_HOSTS_RECORD: RecordKind<DisabledHostsRecord> = {
  title: "disabled-hosts record",
  holds: "the ids of the hypervisor hosts this upgrade disabled",
  path: (config, zone) => path.join(config.backup.localDirectory, "hosts", `zone-${zone.id}.json`),
  shape: object<DisabledHostsRecord>({ zone_id: integer, host_ids: array(integer), disabled_at: string }),
  remedy:
    "Put back a good copy if you have one. Otherwise note which hosts of the zone this upgrade disabled (onehost list), move the file aside and run the deploy again; then enable those hosts by hand (onehost enable), since without the record onefed cannot tell them from hosts an operator disabled.",
};

/** The zone's disabled-hosts record. */
export function disabledHostsRecord(config: FederationConfig, zone: ZoneConfig): RecordStore<DisabledHostsRecord> {
  return new RecordStore(DISABLED_HOSTS_RECORD, config, zone);
}
