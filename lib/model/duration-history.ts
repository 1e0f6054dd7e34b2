/**
 * The duration history (docs/estimates.md): every finished deploy or apply appends one JSON line
 * per step that really ran, so that `onefed plan` and the window check can say how long the next
 * run will take. The line format is a contract shared with the rehearsal (ONEFED_HISTORY_FILE,
 * ONEFED_HISTORY_SOURCE): fields may be added within a version, never changed.
 */
import type { DatabaseConfig, PackageManager, ZoneConfig } from "./federation";

/** The line format's version: every line carries it as `v`. */
export const HISTORY_FORMAT_VERSION = 1;

/** The history's file name in backup.localDirectory. */
export const HISTORY_FILE_NAME = "history.jsonl";

/** Who measured the durations: a deploy, an apply of a reviewed plan, or a rehearsal on a twin. */
export const HISTORY_SOURCES = ["deploy", "apply", "rehearsal"] as const;
export type HistorySource = (typeof HISTORY_SOURCES)[number];

/** What makes two zones take about as long for the same step (a zone of another federation, a twin). */
export interface ZoneShape {
  /** Front-ends (more than one: an HA zone). */
  readonly servers: number;
  /** Hypervisor hosts whose node packages are upgraded. */
  readonly nodes: number;
  readonly package_manager: PackageManager;
  readonly db_backend: DatabaseConfig["backend"];
}

/** One step that ran on one zone, as the history file holds it (one JSON object per line). */
export interface HistoryLine {
  readonly v: typeof HISTORY_FORMAT_VERSION;
  /** When the step ended (its step-end event), ISO 8601 UTC. */
  readonly ts: string;
  /** The run it belongs to (the run directory's name). */
  readonly run: string;
  readonly source: HistorySource;
  readonly step: string;
  readonly zone: number;
  readonly zone_shape: ZoneShape;
  /** The zone's database size (its safety backup's size). @default absent: not known */
  readonly db_size_bytes?: number;
  readonly duration_ms: number;
}

export function zoneShapeOf(zone: Pick<ZoneConfig, "frontends" | "nodes" | "packages" | "database">): ZoneShape {
  return { servers: zone.frontends.length, nodes: zone.nodes.length, package_manager: zone.packages.manager, db_backend: zone.database.backend };
}

export function sameShape(a: ZoneShape, b: ZoneShape): boolean {
  return a.servers === b.servers && a.nodes === b.nodes && a.package_manager === b.package_manager && a.db_backend === b.db_backend;
}

/** "HA 3 servers, 2 nodes, apt, mysql": a shape as the review names it. */
export function describeShape(s: ZoneShape): string {
  const servers = s.servers > 1 ? `HA ${s.servers} servers` : "1 server";
  return `${servers}, ${s.nodes} node${s.nodes === 1 ? "" : "s"}, ${s.package_manager}, ${s.db_backend}`;
}
