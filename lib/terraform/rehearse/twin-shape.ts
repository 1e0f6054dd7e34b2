/**
 * The sandbox twin of a federation: what of the federation file the twin reproduces (zone ids,
 * names and roles, servers per zone, hypervisor nodes by name, package manager and DB backend per
 * zone, the plan's versions), as plain data the CLI hands to the sandbox. Pure: no sandbox import
 * here (only lib/cli may import sandbox/).
 */
import type { FederationConfig, ZoneConfig } from "../../model/federation";

/** One zone of the twin. */
export interface TwinZone {
  /** Zone id, as in the federation file. */
  readonly id: number;
  /** Zone name. */
  readonly name: string;
  /** Front-ends: 1 solo, 2..7 an HA (Raft) zone. */
  readonly servers: number;
  /** Hypervisor nodes by their NAME in `onehost list` (zones[].nodes). */
  readonly nodes: readonly string[];
  readonly packageManager: "apt" | "dnf" | "yum";
  readonly dbBackend: "sqlite" | "mysql";
}

/** The twin to build: its zones master first, and the versions the reviewed plan goes between. */
export interface TwinShape {
  readonly federationName: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly zones: readonly TwinZone[];
}

/** What the sandbox can build (sandbox/topology.ts): HA zones of 2 to 7 servers, at most 8 KVM nodes per zone. */
export const TWIN_LIMITS = { maxServers: 7, maxNodes: 8 } as const;

/** The twin's zones: the master first (the sandbox's first zone is the master), then the slaves in file order. */
function twinZone(z: ZoneConfig): TwinZone {
  return {
    id: z.id,
    name: z.name,
    servers: z.frontends.length,
    nodes: z.nodes.map((n) => n.name),
    packageManager: z.packages.manager,
    dbBackend: z.database.backend,
  };
}

/** Every reason the sandbox cannot twin this federation (empty: it can). */
export function twinProblems(config: FederationConfig): string[] {
  return config.zones.flatMap((z) => [
    ...(z.frontends.length > TWIN_LIMITS.maxServers ? [`zone ${z.id} has ${z.frontends.length} front-ends, the twin at most ${TWIN_LIMITS.maxServers}`] : []),
    ...(z.nodes.length > TWIN_LIMITS.maxNodes ? [`zone ${z.id} lists ${z.nodes.length} nodes, the twin at most ${TWIN_LIMITS.maxNodes} per zone`] : []),
    ...z.nodes.filter((n) => n.hypervisor !== "kvm").map((n) => `node ${n.name} of zone ${z.id} is ${n.hypervisor}, the twin's nodes are KVM only`),
  ]);
}

/** The twin of a loaded federation file (check `twinProblems` first). */
export function twinShapeOf(config: FederationConfig): TwinShape {
  return {
    federationName: config.name,
    fromVersion: config.fromVersion,
    toVersion: config.toVersion,
    zones: [config.master, ...config.slaves].map(twinZone),
  };
}
