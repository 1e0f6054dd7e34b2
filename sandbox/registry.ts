/**
 * sandbox.json: the sandbox's topology, written once by `up` and read by every emulated command
 * to resolve zone endpoints to front-ends. Dependency-free for the emulator's start-up.
 */
import * as fs from "fs";
import { REGISTRY_FORMAT } from "./contract";
import { SandboxLayout } from "./layout";
import { SandboxTiming } from "./timing-profile";

/** Package manager of a zone's machines: apt (Debian, the default) or the RHEL family's dnf / yum. */
export type SandboxPackageManager = "apt" | "dnf" | "yum";

/** One machine (one sshd): a front-end or a hypervisor node. */
export interface MachineEntry {
  /** `zone<id>-server<n>` or `zone<id>-node<n>`. */
  readonly name: string;
  /** Loopback address sshd listens on. */
  readonly host: string;
  /** sshd port. */
  readonly port: number;
  /** Zone the machine belongs to. */
  readonly zoneId: number;
}

/** One front-end of a zone. */
export interface FrontendEntry extends MachineEntry {
  /** Raft server id in an HA zone (0..n-1, oned.conf FEDERATION/SERVER_ID); -1 (or absent) in a solo zone. */
  readonly serverId?: number;
}

/** One hypervisor (KVM) node of a zone: package opennebula-node-kvm and libvirtd, no oned. */
export interface NodeEntry extends MachineEntry {
  /** Its NAME in the zone's host pool (`onehost list`): `kvm-<zone id>-<n>`. */
  readonly hostName: string;
}

/** One zone of the federation. */
export interface ZoneEntry {
  /** Zone id (0 = master). */
  readonly id: number;
  /** Zone name as `onezone list` prints it. */
  readonly name: string;
  /** Federation role. */
  readonly role: "master" | "slave";
  /** XML-RPC endpoint, `http://<address>:2633/RPC2` (an HA zone: its floating IP). */
  readonly endpoint: string;
  /** The zone's front-ends: one, or an HA zone's servers in server-id order. */
  readonly frontends: readonly FrontendEntry[];
  /** Whether the zone is an HA (Raft) cluster; absent for a solo zone. */
  readonly ha?: boolean;
  /** An HA zone's floating IP (nothing listens there: it resolves to the Raft leader). */
  readonly vip?: string;
  /** Hypervisor nodes (absent or empty: the zone's seeded host pool has no machines behind it). */
  readonly nodes?: readonly NodeEntry[];
  /** RHEL-family zone: its machines use this package manager (absent: apt). */
  readonly packageManager?: "dnf" | "yum";
  /** MySQL-configured zone: oned.conf names a MySQL server (the stand-in; absent: SQLite). */
  readonly dbBackend?: "mysql";
}

/** Contents of sandbox.json. */
export interface SandboxRegistry {
  /** File format version. */
  readonly format: typeof REGISTRY_FORMAT;
  /** Absolute sandbox directory. */
  readonly dir: string;
  /** Federation name and the versions the upgrade goes between. */
  readonly federation: { readonly name: string; readonly fromVersion: string; readonly toVersion: string };
  /** Address of the master; slaves take the next ones. */
  readonly addressBase: string;
  /** sshd port of every front-end. */
  readonly port: number;
  /** FED_INDEX every zone was seeded with. */
  readonly fedIndex: number;
  /** Node binary the shims exec. */
  readonly node: string;
  /** Compiled emulator entry point the shims exec. */
  readonly emulator: string;
  /** Zones, master first. */
  readonly zones: readonly ZoneEntry[];
  /** An sshd that only forwards TCP to the machines, which federation.yaml goes through (ssh.jump); absent: direct. */
  readonly jumpHost?: { readonly host: string; readonly port: number };
  /** The realistic timing profile and its scale (sandbox/timing-profile.ts); absent: fast. */
  readonly timing?: SandboxTiming;
}

/** Reads sandbox.json, or undefined when the directory holds no sandbox. */
export function readRegistry(layout: SandboxLayout): SandboxRegistry | undefined {
  let text: string;
  try {
    text = fs.readFileSync(layout.registry, "utf8");
  } catch (err) {
    // Only a missing file means "no sandbox"; permission problems must surface as such.
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw err;
  }
  return JSON.parse(text) as SandboxRegistry;
}

/** Every front-end of the registry, master's first. */
export function allFrontends(reg: SandboxRegistry): FrontendEntry[] {
  return reg.zones.flatMap((z) => z.frontends);
}

/** Every hypervisor node of the registry, in zone order. */
export function allNodes(reg: SandboxRegistry): NodeEntry[] {
  return reg.zones.flatMap((z) => z.nodes ?? []);
}

/** Every machine with an sshd: the front-ends (master's first), then the nodes. */
export function allMachines(reg: SandboxRegistry): MachineEntry[] {
  return [...allFrontends(reg), ...allNodes(reg)];
}

/** The node of that machine name, if it is one. */
export function nodeOf(reg: SandboxRegistry, name: string): NodeEntry | undefined {
  return allNodes(reg).find((n) => n.name === name);
}

/** A zone's package manager. */
export function packageManagerOf(zone: ZoneEntry): SandboxPackageManager {
  return zone.packageManager ?? "apt";
}

/** A zone's database backend as its oned.conf names it. */
export function dbBackendOf(zone: ZoneEntry): "sqlite" | "mysql" {
  return zone.dbBackend ?? "sqlite";
}

/** A front-end's Raft server id, -1 in a solo zone. */
export function serverIdOf(fe: FrontendEntry): number {
  return fe.serverId ?? -1;
}

/** Raft server name of an HA server (`server-<n>`, as in the documentation's samples). */
export function serverNameOf(fe: FrontendEntry): string {
  return `server-${serverIdOf(fe)}`;
}

/** XML-RPC endpoint of one server (its own address, not the zone's floating IP). */
export function serverEndpointOf(fe: FrontendEntry): string {
  return `http://${fe.host}:2633/RPC2`;
}

/** The zone a front-end (or node) belongs to. */
export function zoneOf(reg: SandboxRegistry, fe: string): ZoneEntry | undefined {
  return reg.zones.find((z) => z.frontends.some((f) => f.name === fe) || (z.nodes ?? []).some((n) => n.name === fe));
}
