/** What a read-only visit to every front-end observed. Gathered by gather-facts.ts, judged by the checks. */
import { DbVersion, ZoneListRow } from "../opennebula/parsers";

export interface FrontendFacts {
  readonly zoneId: number;
  /** "host:port". */
  readonly frontend: string;
  /** Why the front-end could not be checked (unreachable, auth, host key); the other fields are then absent. */
  readonly error?: string;
  readonly installedVersion?: string;
  readonly db?: DbVersion;
  /** unit → systemd state, for the units the installed version ships. */
  readonly services?: Readonly<Record<string, string>>;
  /** Free bytes where backups are written (backup.remoteDirectory or its nearest existing parent). */
  readonly freeBytes?: number;
  /** This zone's STATE from `onezone show` (true = ENABLED). */
  readonly zoneEnabled?: boolean;
}

export interface FederationFacts {
  /** ISO time the facts were gathered. */
  readonly gatheredAt: string;
  readonly frontends: readonly FrontendFacts[];
  /** `onezone list --csv` on the master, when it answered. */
  readonly masterZoneList?: readonly ZoneListRow[];
  /** Why the master's zone list could not be read. */
  readonly masterZoneListError?: string;
}
