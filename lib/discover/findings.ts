/** What `onefed discover` read from a federation: the facts the federation file is drafted from. */
import { PackageManager } from "../model/federation";
import { HostListRow, OnedDatabase, OnedFederation } from "../remote/opennebula/parsers";

/** One front-end as it describes itself (its packages, oned.conf and units); nothing secret. */
export interface FrontendFindings {
  /** The SSH address discover reached it at. */
  readonly host: string;
  readonly port: number;
  readonly packageManager: PackageManager;
  /** Installed version of the `opennebula` package. */
  readonly version: string;
  /** oned.conf's DB section without PASSWD. */
  readonly database: OnedDatabase;
  /** oned.conf's FEDERATION section: MODE, ZONE_ID, SERVER_ID. */
  readonly federation: OnedFederation;
  /** Installed OpenNebula units (`systemctl list-unit-files`), without `.service`, sorted. */
  readonly units: readonly string[];
}

/** One zone as the master lists it, with every front-end discover reached. */
export interface ZoneFindings {
  readonly id: number;
  readonly name: string;
  /** The zone's ENDPOINT (an HA zone's floating IP). */
  readonly endpoint: string;
  /** SERVER_POOL ids in order (HA zones); empty for a solo zone. */
  readonly serverIds: readonly number[];
  /** One per server, in SERVER_POOL id order; one for a solo zone. */
  readonly frontends: readonly FrontendFindings[];
  /** `onehost list` of the zone; undefined when it could not be read (see hostsError). */
  readonly hosts?: readonly HostListRow[];
  readonly hostsError?: string;
}

export interface Discovery {
  /** `--master` as given: where the zone list was read. */
  readonly master: { readonly host: string; readonly port: number };
  /** FEDERATION/ZONE_ID of the front-end `--master` named. */
  readonly masterZoneId: number;
  /** In the master's `onezone list` order. */
  readonly zones: readonly ZoneFindings[];
}
