/**
 * Everything `up` writes before any sshd starts: registry, keys, scripts, front-end trees and
 * the federation file. Needs no root, so the emulator tests use it on their own.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { compareVersions } from "./catalog";
import { SandboxError } from "./errors";
import { renderFederationFile } from "./federation-file";
import { writeScripts } from "./frontend-shell";
import { generateHostKeys, generateKey, writeAuthorizedKeys } from "./keys";
import { ALL_MOUNTS, REGISTRY_FORMAT } from "./contract";
import { SandboxLayout } from "./layout";
import { SandboxRegistry, allFrontends, allMachines, allNodes } from "./registry";
import { seedFrontend, seedNode } from "./seed";
import { RAFT_SEED, writeRaft } from "./raft";
import {
  DEFAULT_HA_SERVERS,
  DEFAULT_NODES,
  MAX_HA_SERVERS,
  MAX_NODES,
  MIN_HA_SERVERS,
  SandboxZoneSpec,
  addressAt,
  buildZones,
  zoneIds,
  zoneSpecProblems,
  zonesOf,
} from "./topology";
import { prepareJumpHost } from "./jump-host";
import { TimingProfile, sandboxTimingOf, timingProblem } from "./timing-profile";

/** Options of a new sandbox (CLI and API defaults applied by the caller or here). */
export interface PrepareOptions {
  /** Sandbox directory. */
  readonly dir: string;
  /** Number of slave zones. @default 2 */
  readonly slaves?: number;
  /** Installed release. @default "6.10.0" */
  readonly from?: string;
  /** Release the federation is to be upgraded to. @default "7.0.0" */
  readonly to?: string;
  /** Master's loopback address; slaves take the next ones. @default "127.0.50.1" */
  readonly addressBase?: string;
  /** sshd port of every front-end. @default 22 */
  readonly port?: number;
  /** Federation name. @default "sandbox" */
  readonly federationName?: string;
  /** FED_INDEX every zone starts at. @default 715438 */
  readonly fedIndex?: number;
  /**
   * is_slave of the slaves' databases. Every 6.x oned bootstraps standalone (it refuses to in SLAVE
   * mode), so a real 6.10 slave has is_slave=0; true models a database first bootstrapped as a slave
   * by an old release (onedb then skips the shared migrators). @default false
   */
  readonly slavesBootstrappedAsSlave?: boolean;
  /** Zone ids that become HA (Raft) zones, e.g. [0, 101]. @default [] (every zone solo) */
  readonly ha?: readonly number[];
  /** Servers per HA zone, 2 to 7. @default 3 */
  readonly servers?: number;
  /** Hypervisor (KVM) nodes per zone, 0 to 8; each its own sshd after every front-end and floating IP. @default 0 */
  readonly nodes?: number;
  /** Zone ids whose machines are RHEL-like with dnf (and yum as its alias), e.g. [100, 101]. @default [] */
  readonly dnfZones?: readonly number[];
  /** Zone ids whose machines are RHEL 7-like with yum only (no dnf). @default [] */
  readonly yumZones?: readonly number[];
  /**
   * Zone ids whose front-ends are MySQL-configured: oned.conf DB BACKEND "mysql" with the
   * sandbox's password (D/mysql-password); each front-end's tables live in its own real MariaDB
   * server, which `up` starts (mariadb.ts). @default []
   */
  readonly mysqlZones?: readonly number[];
  /**
   * A jump host: one more sshd, on the address after every machine's and floating IP, that only
   * forwards TCP to the machines; federation.yaml reaches every machine through it (ssh.jump). @default false
   */
  readonly jumpHost?: boolean;
  /**
   * An explicit zone layout, master first: any zone ids and names, servers, nodes, package manager
   * and DB backend per zone (a twin of a real federation, `onefed rehearse`). Excludes `slaves`,
   * `ha`, `servers`, `nodes`, `dnfZones`, `yumZones` and `mysqlZones`, which describe the numbered
   * layout. @default the numbered layout those options describe
   */
  readonly zones?: readonly SandboxZoneSpec[];
  /**
   * How long the emulated commands take (sandbox/timing-profile.ts): `fast` as fast as the machine
   * allows; `realistic` the documented real-world durations times `timingScale`, with progress lines. @default "fast"
   */
  readonly timing?: TimingProfile;
  /** With `timing: "realistic"`: the fraction of real time (0.001 to 1). @default 0.1 */
  readonly timingScale?: number;
}

/** The options an explicit `zones` layout replaces. */
const NUMBERED_LAYOUT_OPTIONS = ["slaves", "ha", "servers", "nodes", "dnfZones", "yumZones", "mysqlZones"] as const;

/** FED_INDEX every zone starts at (the samples' value). */
export const DEFAULT_FED_INDEX = 715438;

const VERSION = /^\d+\.\d+\.\d+(\.\d+)?$/;
/** The directory ends up inside sshd_config and sh scripts: keep it free of quoting trouble. */
const SAFE_DIR = /^\/[A-Za-z0-9._/@+-]*$/;

/** Validates options and returns the registry the sandbox would have (nothing written). */
export function planSandbox(o: PrepareOptions, node: string, emulator: string): SandboxRegistry {
  const layout = new SandboxLayout(o.dir);
  const from = o.from ?? "6.10.0";
  const to = o.to ?? "7.0.0";
  const problems = [
    { bad: !SAFE_DIR.test(layout.dir), msg: `sandbox directory ${layout.dir} must be an absolute path of letters, digits and . _ / @ + - only` },
    {
      bad: ["/etc", "/usr/bin", ...ALL_MOUNTS].some((m) => layout.dir === m || layout.dir.startsWith(`${m}/`)),
      msg: `sandbox directory ${layout.dir} must not be under /etc, /usr/bin or ${ALL_MOUNTS.join(", ")}`,
    },
    { bad: !VERSION.test(from), msg: `--from ${from} is not a version like 6.10.0` },
    { bad: !VERSION.test(to), msg: `--to ${to} is not a version like 7.0.0` },
    { bad: VERSION.test(from) && VERSION.test(to) && compareVersions(to, from) < 0, msg: `--to ${to} is older than --from ${from}` },
    {
      bad: !/^[a-z0-9][a-z0-9-]{0,39}$/.test(o.federationName ?? "sandbox"),
      msg: `federation name ${o.federationName} must be lower-case letters, digits and -`,
    },
    {
      bad: o.fedIndex !== undefined && (!Number.isInteger(o.fedIndex) || o.fedIndex < 2),
      msg: `fedIndex must be an integer of at least 2 (got ${o.fedIndex})`,
    },
    ...(o.zones ? layoutProblems(o, o.zones) : [...haProblems(o), ...machineProblems(o)]),
    { bad: timingProblem(o.timing, o.timingScale) !== undefined, msg: timingProblem(o.timing, o.timingScale) ?? "" },
  ].filter((p) => p.bad);
  if (problems.length > 0) throw new SandboxError(problems.map((p) => p.msg).join("; "));
  const addressBase = o.addressBase ?? "127.0.50.1";
  const zones = o.zones
    ? zonesOf(o.zones, addressBase, o.port ?? 22)
    : buildZones(o.slaves ?? 2, addressBase, o.port ?? 22, haZones(o), o.servers ?? DEFAULT_HA_SERVERS, {
        nodes: o.nodes ?? DEFAULT_NODES,
        managers: rhelZones(o),
        mysql: mysqlZonesOf(o),
      });
  // Every machine and floating IP took the next address from the base: the jump host takes the one after.
  const addressesUsed = zones.reduce((n, z) => n + z.frontends.length + (z.vip ? 1 : 0) + (z.nodes?.length ?? 0), 0);
  return {
    format: REGISTRY_FORMAT,
    dir: layout.dir,
    federation: { name: o.federationName ?? "sandbox", fromVersion: from, toVersion: to },
    addressBase,
    port: o.port ?? 22,
    fedIndex: o.fedIndex ?? DEFAULT_FED_INDEX,
    node,
    emulator,
    zones,
    ...(o.jumpHost ? { jumpHost: { host: addressAt(addressBase, addressesUsed), port: o.port ?? 22 } } : {}),
    ...timingEntry(o),
  };
}

/** sandbox.json's `timing` for the options: nothing for the fast profile. */
export function timingEntry(o: Pick<PrepareOptions, "timing" | "timingScale">): { timing?: SandboxRegistry["timing"] } {
  const timing = sandboxTimingOf(o.timing, o.timingScale);
  return timing ? { timing } : {};
}

/** The MySQL-configured zone ids of the options, sorted, without repeats. */
export function mysqlZonesOf(o: Pick<PrepareOptions, "mysqlZones">): number[] {
  return [...new Set(o.mysqlZones ?? [])].sort((a, b) => a - b);
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random alphanumeric password (onedb breaks on @ and #, docs/opennebula.md §5.4): 24 characters, ~142 bits. */
export function generateMysqlPassword(length = 24): string {
  let out = "";
  while (out.length < length) {
    // Rejection sampling keeps every character equally likely (248 = 4 × 62).
    for (const b of randomBytes(length * 2)) if (b < 248 && out.length < length) out += ALPHANUMERIC[b % 62];
  }
  return out;
}

/** RHEL-family zones of the options: zone id → dnf | yum. */
export function rhelZones(o: Pick<PrepareOptions, "dnfZones" | "yumZones">): Record<number, "dnf" | "yum"> {
  const managers: Record<number, "dnf" | "yum"> = {};
  for (const id of o.dnfZones ?? []) managers[id] = "dnf";
  for (const id of o.yumZones ?? []) managers[id] = "yum";
  return managers;
}

function machineProblems(o: PrepareOptions): Array<{ bad: boolean; msg: string }> {
  const slaves = o.slaves ?? 2;
  const ids = Number.isInteger(slaves) && slaves >= 0 && slaves <= 250 ? zoneIds(slaves) : [];
  const nodes = o.nodes ?? DEFAULT_NODES;
  const unknown = (flag: string, list: readonly number[] | undefined): { bad: boolean; msg: string } => {
    const bad = (list ?? []).filter((id) => !ids.includes(id));
    return { bad: ids.length > 0 && bad.length > 0, msg: `--${flag} ${bad.join(",")}: no such zone (the zones are ${ids.join(", ")})` };
  };
  const both = (o.dnfZones ?? []).filter((id) => (o.yumZones ?? []).includes(id));
  return [
    { bad: !Number.isInteger(nodes) || nodes < 0 || nodes > MAX_NODES, msg: `--nodes must be an integer from 0 to ${MAX_NODES} (got ${o.nodes})` },
    unknown("dnf", o.dnfZones),
    unknown("yum", o.yumZones),
    { bad: both.length > 0, msg: `zone ${both.join(", ")} cannot be both --dnf and --yum` },
    unknown("mysql", o.mysqlZones),
  ];
}

/** An explicit layout's problems, and any numbered-layout option given beside it. */
function layoutProblems(o: PrepareOptions, zones: readonly SandboxZoneSpec[]): Array<{ bad: boolean; msg: string }> {
  const mixed = NUMBERED_LAYOUT_OPTIONS.filter((k) => o[k] !== undefined);
  return [
    { bad: mixed.length > 0, msg: `zones (an explicit layout) excludes ${mixed.join(", ")}` },
    ...zoneSpecProblems(zones).map((msg) => ({ bad: true, msg })),
  ];
}

/** The HA zone ids of the options, sorted, without repeats. */
export function haZones(o: Pick<PrepareOptions, "ha">): number[] {
  return [...new Set(o.ha ?? [])].sort((a, b) => a - b);
}

function haProblems(o: PrepareOptions): Array<{ bad: boolean; msg: string }> {
  const slaves = o.slaves ?? 2;
  const ids = Number.isInteger(slaves) && slaves >= 0 && slaves <= 250 ? zoneIds(slaves) : [];
  const unknown = (o.ha ?? []).filter((id) => !ids.includes(id));
  const servers = o.servers ?? DEFAULT_HA_SERVERS;
  return [
    { bad: ids.length > 0 && unknown.length > 0, msg: `--ha ${unknown.join(",")}: no such zone (the zones are ${ids.join(", ")})` },
    {
      bad: !Number.isInteger(servers) || servers < MIN_HA_SERVERS || servers > MAX_HA_SERVERS,
      msg: `--servers must be an integer from ${MIN_HA_SERVERS} to ${MAX_HA_SERVERS} (got ${o.servers})`,
    },
  ];
}

/**
 * The compiled emulator entry point: next to this module when running from dist/, else the
 * build of this checkout (running from TypeScript sources under ts-jest or ts-node).
 */
export function emulatorEntry(): string {
  const beside = path.join(__dirname, "emulator", "main.js");
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, "..", "dist", "sandbox", "emulator", "main.js");
}

/** Writes a new sandbox directory (refuses a non-empty directory that holds no sandbox). */
export function prepareSandbox(o: PrepareOptions, node = process.execPath, emulator = emulatorEntry()): SandboxRegistry {
  const reg = planSandbox(o, node, emulator);
  const layout = new SandboxLayout(reg.dir);
  if (fs.existsSync(layout.dir) && fs.readdirSync(layout.dir).length > 0) {
    throw new SandboxError(`${layout.dir} exists and is not empty; give a new --dir, or remove it`);
  }
  if (!fs.existsSync(emulator)) throw new SandboxError(`emulator ${emulator} not found: build first (npx tsc -p tsconfig.json)`);
  fs.mkdirSync(layout.dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(layout.dir, 0o755);
  fs.mkdirSync(layout.keysDir, { mode: 0o755 });
  fs.mkdirSync(layout.artifacts, { mode: 0o700 });
  generateKey(layout.privateKey, "onefed-sandbox-client");
  writeAuthorizedKeys(layout);
  writeScripts(layout, reg, node, emulator);
  fs.writeFileSync(layout.registry, JSON.stringify(reg, null, 2) + "\n");
  fs.mkdirSync(layout.raftDir, { mode: 0o755 });
  for (const z of reg.zones) if (z.ha) writeRaft(layout, z.id, { ...RAFT_SEED });
  // One password for the sandbox, only when some zone is MySQL-configured; 0600, never printed.
  const mysqlPassword = reg.zones.some((z) => z.dbBackend === "mysql") ? generateMysqlPassword() : undefined;
  if (mysqlPassword) {
    fs.writeFileSync(layout.mysqlPassword, `${mysqlPassword}\n`, { mode: 0o600 });
    fs.chmodSync(layout.mysqlPassword, 0o600);
  }
  const seed = { slavesBootstrappedAsSlave: o.slavesBootstrappedAsSlave ?? false, mysqlPassword };
  for (const m of allMachines(reg)) {
    fs.mkdirSync(layout.frontendDir(m.name), { recursive: true });
    fs.mkdirSync(layout.etcUpper(m.name), { recursive: true, mode: 0o755 });
    fs.mkdirSync(layout.etcWork(m.name), { recursive: true, mode: 0o755 });
    generateHostKeys(layout, m.name);
  }
  for (const fe of allFrontends(reg)) seedFrontend(layout, reg, fe, seed);
  for (const node of allNodes(reg)) seedNode(layout, reg, node);
  if (reg.jumpHost) prepareJumpHost(layout);
  fs.writeFileSync(layout.federationFile, renderFederationFile(reg));
  return reg;
}
