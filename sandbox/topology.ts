/**
 * The sandbox federation's shape: zone ids and names, loopback addresses and endpoints, derived
 * from the `up` options alone so that the same options always give the same federation.
 */
import { SandboxError } from "./errors";
import { frontendName, nodeHostName, nodeName } from "./contract";
import { ZoneEntry } from "./registry";

/** Names of the first zones, as in the samples; later slaves are S-XX-<id>. */
const NAMED: Record<number, string> = { 0: "M-EU-FR", 100: "S-EU-GE", 101: "S-US-CA" };

/** Zone id of the n-th zone (0 master, then 100, 101, …). */
export function zoneIdAt(index: number): number {
  return index === 0 ? 0 : 99 + index;
}

/** Zone name for a zone id. */
export function zoneNameOf(id: number): string {
  return NAMED[id] ?? `S-XX-${id}`;
}

/** The address `offset` steps after `base` inside 127.0.0.0/8 (carrying into higher octets). */
export function addressAt(base: string, offset: number): string {
  const parts = base.split(".").map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new SandboxError(`address base ${base} is not a 127.x.y.z loopback address`);
  }
  const n = ((parts[1] << 16) | (parts[2] << 8) | parts[3]) + offset;
  if (n > 0xfffffe) throw new SandboxError(`address base ${base} leaves no room for ${offset + 1} front-ends inside 127.0.0.0/8`);
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Servers per HA zone: the default, and the range Raft makes sense for here. */
export const DEFAULT_HA_SERVERS = 3;
export const MIN_HA_SERVERS = 2;
export const MAX_HA_SERVERS = 7;

/** Hypervisor nodes per zone: the default and the most the sandbox starts. */
export const DEFAULT_NODES = 0;
export const MAX_NODES = 8;

/** What a zone looks like beyond its servers. */
export interface ZoneExtras {
  /** Hypervisor nodes per zone. @default 0 */
  readonly nodes?: number;
  /** RHEL-family zones and their package manager (zone id → dnf | yum). @default {} (every zone apt) */
  readonly managers?: Readonly<Record<number, "dnf" | "yum">>;
  /** MySQL-configured zones. @default [] (every zone SQLite) */
  readonly mysql?: readonly number[];
}

/** Zone ids of a federation with `slaves` slaves, master first. */
export function zoneIds(slaves: number): number[] {
  return Array.from({ length: slaves + 1 }, (_, i) => zoneIdAt(i));
}

/**
 * Zones (master first). Every front-end gets the next loopback address in zone order (zone 0's
 * servers, then zone 100's, …), so a federation without HA zones keeps one address per zone;
 * each HA zone then gets a floating IP after all front-ends, in zone order; then every zone's
 * hypervisor nodes, in zone order (so a federation without nodes keeps its addresses).
 */
export function buildZones(
  slaves: number,
  addressBase: string,
  port: number,
  ha: readonly number[] = [],
  servers = DEFAULT_HA_SERVERS,
  extras: ZoneExtras = {},
): ZoneEntry[] {
  if (!Number.isInteger(slaves) || slaves < 0 || slaves > 250) throw new SandboxError(`slaves must be an integer from 0 to 250 (got ${slaves})`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SandboxError(`port must be an integer from 1 to 65535 (got ${port})`);
  const ids = zoneIds(slaves);
  const unknown = ha.filter((id) => !ids.includes(id));
  if (unknown.length > 0) throw new SandboxError(`--ha ${unknown.join(",")}: no such zone (the zones are ${ids.join(", ")})`);
  if (ha.length > 0 && (!Number.isInteger(servers) || servers < MIN_HA_SERVERS || servers > MAX_HA_SERVERS)) {
    throw new SandboxError(`servers per HA zone must be an integer from ${MIN_HA_SERVERS} to ${MAX_HA_SERVERS} (got ${servers})`);
  }
  const nodes = extras.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES)
    throw new SandboxError(`nodes per zone must be an integer from 0 to ${MAX_NODES} (got ${nodes})`);
  const managers = extras.managers ?? {};
  const unknownRhel = Object.keys(managers)
    .map(Number)
    .filter((id) => !ids.includes(id));
  if (unknownRhel.length > 0) throw new SandboxError(`--dnf/--yum ${unknownRhel.join(",")}: no such zone (the zones are ${ids.join(", ")})`);
  const mysql = extras.mysql ?? [];
  const unknownMysql = mysql.filter((id) => !ids.includes(id));
  if (unknownMysql.length > 0) throw new SandboxError(`--mysql ${unknownMysql.join(",")}: no such zone (the zones are ${ids.join(", ")})`);
  let next = 0;
  const zones = ids.map((id, i) => {
    const isHa = ha.includes(id);
    const frontends = Array.from({ length: isHa ? servers : 1 }, (_, n) => ({
      name: frontendName(id, n),
      host: addressAt(addressBase, next++),
      port,
      zoneId: id,
      serverId: isHa ? n : -1,
    }));
    return { id, name: zoneNameOf(id), role: i === 0 ? "master" : "slave", isHa, frontends };
  });
  const withVips = zones.map(({ isHa, frontends, ...z }) => {
    const vip = isHa ? addressAt(addressBase, next++) : undefined;
    const endpoint = `http://${vip ?? frontends[0].host}:2633/RPC2`;
    return { ...z, endpoint, frontends, ...(vip ? { ha: true, vip } : {}) } as ZoneEntry;
  });
  return withVips.map((z) => {
    const zoneNodes = Array.from({ length: nodes }, (_, n) => ({
      name: nodeName(z.id, n),
      hostName: nodeHostName(z.id, n),
      host: addressAt(addressBase, next++),
      port,
      zoneId: z.id,
    }));
    const manager = managers[z.id];
    return {
      ...z,
      ...(zoneNodes.length > 0 ? { nodes: zoneNodes } : {}),
      ...(manager ? { packageManager: manager } : {}),
      ...(mysql.includes(z.id) ? { dbBackend: "mysql" as const } : {}),
    };
  });
}
