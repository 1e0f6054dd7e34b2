/** What a read-only visit to every front-end observed. Gathered by gather-facts.ts, judged by the checks. */
import type { LedgerLock } from "../model/ledger";
import { DbVersion, ZoneListRow, ZoneServer } from "../remote/opennebula/parsers";

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
  /** BACKEND of this front-end's oned.conf DB section (lower-cased), what onedb works on. */
  readonly dbBackend?: string;
  /** HA zones on MySQL: DB/DB_NAME in this front-end's oned.conf (`opennebula` when absent). */
  readonly dbName?: string;
  /** HA zones: FEDERATION/SERVER_ID in this front-end's oned.conf. */
  readonly serverId?: number;
  /** HA zones: SERVER_POOL as this front-end's oned reported it (absent while oned is down). */
  readonly raftServers?: readonly ZoneServer[];
}

/** One HA zone's Raft cluster as observed. */
export interface ZoneRaftFacts {
  readonly zoneId: number;
  /** "host:port" → SERVER_ID of every front-end that could be read. */
  readonly serverIds: Readonly<Record<string, number>>;
  /** The front-end whose oned reported `servers`; absent when none answered. */
  readonly askedAt?: string;
  readonly servers?: readonly ZoneServer[];
  /**
   * How long the gatherer re-read the zone because followers were behind the leader's COMMIT
   * (raft-health.ts MAX_FOLLOWER_COMMIT_LAG), in seconds. @default none: read once
   */
  readonly rereadSeconds?: number;
}

/** One listed hypervisor host (zones[].nodes). */
export interface NodeFacts {
  readonly zoneId: number;
  /** Its name in `onehost list`. */
  readonly name: string;
  /** "host:port". */
  readonly host: string;
  /** Why it could not be checked (unreachable, host key, package query). */
  readonly error?: string;
  /** Installed opennebula-node-<hypervisor> release. */
  readonly nodeVersion?: string;
}

export interface FederationFacts {
  /** ISO time the facts were gathered. */
  readonly gatheredAt: string;
  readonly frontends: readonly FrontendFacts[];
  /** Listed hypervisor hosts. @default [] (none listed, or facts recorded before nodes were checked) */
  readonly nodes?: readonly NodeFacts[];
  /** HA zones only. @default [] (facts recorded before HA support have none) */
  readonly raft?: readonly ZoneRaftFacts[];
  /** `onezone list --csv` on the master, when it answered. */
  readonly masterZoneList?: readonly ZoneListRow[];
  /** Why the master's zone list could not be read. */
  readonly masterZoneListError?: string;
  /**
   * The federation lock in the upgrade ledger on the master (docs/ledger.md), when one is held.
   * @default none (no upgrade under way, or facts gathered without reading the ledger)
   */
  readonly upgradeLock?: LedgerLock;
}
