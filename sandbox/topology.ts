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

/** Zones of the numbered layout (master 0, slaves 100, 101, …), addressed as `zonesOf` says. */
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
  const specs = ids.map((id): SandboxZoneSpec => ({
    id,
    name: zoneNameOf(id),
    servers: ha.includes(id) ? servers : 1,
    nodes: Array.from({ length: nodes }, (_, n) => nodeHostName(id, n)),
    ...(managers[id] ? { packageManager: managers[id] } : {}),
    ...(mysql.includes(id) ? { dbBackend: "mysql" as const } : {}),
  }));
  return zonesOf(specs, addressBase, port);
}

/**
 * One zone of an explicit layout (`zones` of the up options): what a twin of a real federation
 * needs that the numbered layout cannot say (any ids and names, servers and nodes per zone).
 */
export interface SandboxZoneSpec {
  /** Zone id as `onezone list` prints it. */
  readonly id: number;
  /** Zone name. */
  readonly name: string;
  /** Front-ends: 1 for a solo zone, 2 to 7 for an HA (Raft) zone. @default 1 */
  readonly servers?: number;
  /** Hypervisor (KVM) nodes by their host-pool NAME, each its own sshd. @default [] */
  readonly nodes?: readonly string[];
  /** Package manager of the zone's machines. @default "apt" */
  readonly packageManager?: "apt" | "dnf" | "yum";
  /** Database backend oned.conf names. @default "sqlite" */
  readonly dbBackend?: "sqlite" | "mysql";
}

/** Zone names the emulated tools print in CSV, XML and SQL without quoting trouble. */
const ZONE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Every problem of an explicit layout at once (empty: it can be built). */
export function zoneSpecProblems(specs: readonly SandboxZoneSpec[]): string[] {
  const ids = specs.map((z) => z.id);
  const names = specs.map((z) => z.name);
  const nodeNames = specs.flatMap((z) => z.nodes ?? []);
  return [
    specs.length === 0 ? "zones must list at least the master zone" : "",
    specs.length > 251 ? `zones: at most 251 zones (got ${specs.length})` : "",
    ...specs.map((z) => (!Number.isInteger(z.id) || z.id < 0 || z.id > 65535 ? `zone id ${z.id} must be an integer from 0 to 65535` : "")),
    ids.some((id, i) => ids.indexOf(id) !== i) ? `zone ids must be unique (got ${ids.join(", ")})` : "",
    ...specs.map((z) => (ZONE_NAME.test(z.name) ? "" : `zone ${z.id}: name ${JSON.stringify(z.name)} must be letters, digits and . _ - (at most 128)`)),
    names.some((n, i) => names.indexOf(n) !== i) ? `zone names must be unique (got ${names.join(", ")})` : "",
    ...specs.map((z) => {
      const s = z.servers ?? 1;
      return s === 1 || (Number.isInteger(s) && s >= MIN_HA_SERVERS && s <= MAX_HA_SERVERS)
        ? ""
        : `zone ${z.id}: servers must be 1 (solo) or an integer from ${MIN_HA_SERVERS} to ${MAX_HA_SERVERS} (got ${s})`;
    }),
    ...specs.map((z) => ((z.nodes ?? []).length > MAX_NODES ? `zone ${z.id}: at most ${MAX_NODES} nodes (got ${(z.nodes ?? []).length})` : "")),
    ...nodeNames.map((n) => (ZONE_NAME.test(n) ? "" : `node name ${JSON.stringify(n)} must be letters, digits and . _ -`)),
    nodeNames.some((n, i) => nodeNames.indexOf(n) !== i) ? `node names must be unique (got ${nodeNames.join(", ")})` : "",
  ].filter(Boolean);
}

/**
 * Zones of a layout (the first is the master). Every front-end gets the next loopback address in
 * zone order (zone 0's servers, then zone 100's, …), so a federation without HA zones keeps one
 * address per zone; each HA zone then gets a floating IP after all front-ends, in zone order; then
 * every zone's hypervisor nodes, in zone order (so a federation without nodes keeps its addresses).
 */
export function zonesOf(specs: readonly SandboxZoneSpec[], addressBase: string, port: number): ZoneEntry[] {
  let next = 0;
  const zones = specs.map((spec, i) => {
    const isHa = (spec.servers ?? 1) > 1;
    const frontends = Array.from({ length: spec.servers ?? 1 }, (_, n) => ({
      name: frontendName(spec.id, n),
      host: addressAt(addressBase, next++),
      port,
      zoneId: spec.id,
      serverId: isHa ? n : -1,
    }));
    return { id: spec.id, name: spec.name, role: i === 0 ? "master" : "slave", isHa, frontends };
  });
  const withVips = zones.map(({ isHa, frontends, ...z }) => {
    const vip = isHa ? addressAt(addressBase, next++) : undefined;
    const endpoint = `http://${vip ?? frontends[0].host}:2633/RPC2`;
    return { ...z, endpoint, frontends, ...(vip ? { ha: true, vip } : {}) } as ZoneEntry;
  });
  return withVips.map((z, i) => {
    const spec = specs[i];
    const zoneNodes = (spec.nodes ?? []).map((hostName, n) => ({
      name: nodeName(z.id, n),
      hostName,
      host: addressAt(addressBase, next++),
      port,
      zoneId: z.id,
    }));
    const manager = spec.packageManager === "apt" ? undefined : spec.packageManager;
    return {
      ...z,
      ...(zoneNodes.length > 0 ? { nodes: zoneNodes } : {}),
      ...(manager ? { packageManager: manager } : {}),
      ...(spec.dbBackend === "mysql" ? { dbBackend: "mysql" as const } : {}),
    };
  });
}

/** The layout a registry's zones were built from (for comparing a sandbox with the options given again). */
export function zoneSpecOf(z: ZoneEntry): SandboxZoneSpec {
  return {
    id: z.id,
    name: z.name,
    servers: z.frontends.length,
    nodes: (z.nodes ?? []).map((n) => n.hostName),
    packageManager: z.packageManager ?? "apt",
    dbBackend: z.dbBackend ?? "sqlite",
  };
}
