/**
 * A machine's initial files. A front-end: its own /etc/one, /var/lib/one (with the SQLite
 * database), /var/lock/one, /var/log/one, /var/run/one and repository file, plus state.json — a
 * running front-end of the `from` release, in sync with the rest of the federation. A node: its
 * repository file and state.json (opennebula-node-kvm of the `from` release, libvirtd active).
 */
import * as fs from "fs";
import * as path from "path";
import { NODE_PACKAGE, NODE_UNITS, packageVersionFor, packagesOf, seriesOf, unitsOf } from "./catalog";
import { seedSql } from "./db-schema";
import { FrontendState, writeState } from "./frontend-state";
import { ONEADMIN_CREDENTIAL, ONE_FILES, mountsOf } from "./contract";
import { SandboxLayout } from "./layout";
import {
  FrontendEntry,
  NodeEntry,
  SandboxPackageManager,
  SandboxRegistry,
  packageManagerOf,
  serverEndpointOf,
  serverIdOf,
  serverNameOf,
  zoneOf,
} from "./registry";
import { mysqlDbSection } from "./mysql";
import { sqliteExec } from "./sqlite";

/** Repository line of the Debian 12 OpenNebula repository for a series. */
export function repositoryLine(series: string): string {
  return `deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/${series}/Debian/12 stable opennebula\n`;
}

/** The .repo file of the OpenNebula documentation (RHEL family) for a series. */
export function yumRepository(series: string): string {
  return [
    "[opennebula]",
    "name=OpenNebula Community Edition",
    `baseurl=https://downloads.opennebula.io/repo/${series}/RedHat/$releasever/$basearch`,
    "enabled=1",
    "gpgkey=https://downloads.opennebula.io/repo/repo2.key",
    "gpgcheck=1",
    "repo_gpgcheck=1",
    "",
  ].join("\n");
}

/** Where each package manager's OpenNebula repository definition lives. */
export function repositoryFileOf(manager: SandboxPackageManager): string {
  return manager === "apt" ? ONE_FILES.aptRepository : ONE_FILES.yumRepository;
}

/** Creates a machine's private directories and its repository file for the `from` series. */
function seedMachineTree(layout: SandboxLayout, name: string, manager: SandboxPackageManager, version: string): void {
  for (const m of mountsOf(manager)) fs.mkdirSync(layout.hostPath(name, m), { recursive: true });
  const series = seriesOf(version);
  fs.writeFileSync(layout.hostPath(name, repositoryFileOf(manager)), manager === "apt" ? repositoryLine(series) : yumRepository(series));
}

/** oned.conf of a front-end; `mysqlPassword` makes its DB section MySQL's (the zone is MySQL-configured). */
function onedConf(zoneId: number, serverId: number, role: "master" | "slave", masterEndpoint: string, mysql?: { password: string; server: string }): string {
  return `# oned.conf (sandbox front-end; only the sections the emulated tools read)
LOG = [ SYSTEM = "file", DEBUG_LEVEL = 3 ]
PORT = 2633
LISTEN_ADDRESS = "0.0.0.0"
${mysql === undefined ? 'DB = [ BACKEND = "sqlite", TIMEOUT = 2500 ]' : mysqlDbSection(mysql.password, mysql.server)}
FEDERATION = [
    MODE          = "${role.toUpperCase()}",
    ZONE_ID       = ${zoneId},
    SERVER_ID     = ${serverId},
    MASTER_ONED   = "${role === "slave" ? masterEndpoint : ""}"
]
RAFT_LEADER_HOOK = [ COMMAND = "raft/vip.sh", ARGUMENTS = "leader eth0 10.3.3.2/24" ]
RAFT_FOLLOWER_HOOK = [ COMMAND = "raft/vip.sh", ARGUMENTS = "follower eth0 10.3.3.2/24" ]
`;
}

/** Seed options beyond the registry. */
export interface FrontendSeed {
  /** is_slave of slave databases: false as every 6.x oned bootstraps (it refuses SLAVE mode); true models a database first bootstrapped as a slave by an old release. */
  readonly slavesBootstrappedAsSlave: boolean;
  /** The sandbox's MySQL password, written into the oned.conf of MySQL-configured zones. @default none (no such zone) */
  readonly mysqlPassword?: string;
}

/** Creates one front-end's tree, database and state. */
export function seedFrontend(layout: SandboxLayout, reg: SandboxRegistry, fe: FrontendEntry, seed: FrontendSeed): void {
  const zone = zoneOf(reg, fe.name)!;
  const version = reg.federation.fromVersion;
  const manager = packageManagerOf(zone);
  seedMachineTree(layout, fe.name, manager, version);
  fs.mkdirSync(layout.hostPath(fe.name, "/var/lib/one/.one"), { recursive: true });
  fs.mkdirSync(layout.hostPath(fe.name, "/var/lib/one/backups"), { recursive: true });
  fs.mkdirSync(layout.hostPath(fe.name, "/var/lib/one/remotes/etc/vmm/kvm"), { recursive: true });
  fs.writeFileSync(layout.hostPath(fe.name, "/var/lib/one/remotes/etc/vmm/kvm/kvmrc"), "export LIBVIRT_URI=qemu:///system\n");
  const master = reg.zones.find((z) => z.role === "master")!;
  const mysql = zone.dbBackend === "mysql";
  // With a PASSWD in it, oned.conf is 0640 as the packages ship it.
  fs.writeFileSync(
    layout.hostPath(fe.name, ONE_FILES.onedConf),
    onedConf(zone.id, serverIdOf(fe), zone.role, master.endpoint, mysql && seed.mysqlPassword ? { password: seed.mysqlPassword, server: fe.host } : undefined),
    { mode: mysql ? 0o640 : 0o644 },
  );
  // The NETWORK section as the packages ship it: one attribute a line (an HA upgrade rewrites MONITOR_ADDRESS).
  fs.writeFileSync(
    layout.hostPath(fe.name, "/etc/one/monitord.conf"),
    'NETWORK = [\n    ADDRESS         = "0.0.0.0",\n    PORT            = 4124,\n    THREADS         = 8,\n    PUBKEY          = "",\n    PRIKEY          = "",\n    MONITOR_ADDRESS = "auto"\n]\n',
  );
  // Solo: the CLI's endpoint is the zone's own, so `onezone list` marks this zone with the `*`.
  // HA: no file, so the CLI talks to its own server's oned (http://localhost:2633/RPC2).
  if (!zone.ha) fs.writeFileSync(layout.hostPath(fe.name, ONE_FILES.endpoint), `${zone.endpoint}\n`);
  fs.writeFileSync(layout.hostPath(fe.name, ONE_FILES.oneAuth), `${ONEADMIN_CREDENTIAL}\n`, { mode: 0o600 });
  fs.writeFileSync(layout.hostPath(fe.name, "/var/log/one/oned.log"), "");
  // Running front-end: oned holds its lock and pid files.
  fs.writeFileSync(layout.hostPath(fe.name, ONE_FILES.lock), "1\n");
  fs.writeFileSync(layout.hostPath(fe.name, ONE_FILES.pid), "1\n");
  fs.rmSync(layout.db(fe.name), { force: true });
  const sql = seedSql(
    {
      version,
      zones: reg.zones.map((z) => ({
        id: z.id,
        name: z.name,
        state: 0,
        endpoint: z.endpoint,
        servers: z.ha ? z.frontends.map((s) => ({ id: serverIdOf(s), name: serverNameOf(s), endpoint: serverEndpointOf(s) })) : [],
      })),
      zoneId: zone.id,
      role: zone.role,
      isSlave: zone.role === "slave" && seed.slavesBootstrappedAsSlave,
      fedIndex: reg.fedIndex,
      hostNames: (zone.nodes ?? []).map((n) => n.hostName),
    },
    mysql ? "mariadb" : "sqlite",
  );
  // A MySQL front-end has no SQLite file: its server (started by `up`, mariadb.ts) loads this once.
  if (mysql) {
    fs.mkdirSync(path.dirname(layout.mariadb(fe.name, "seed")), { recursive: true });
    fs.writeFileSync(layout.mariadb(fe.name, "seed"), sql);
  } else sqliteExec(layout.db(fe.name), sql);
  const state: FrontendState = {
    frontend: fe.name,
    zoneId: zone.id,
    role: zone.role,
    packages: Object.fromEntries(packagesOf(version, manager).map((p) => [p, packageVersionFor(manager, version)])),
    configVersion: version,
    services: Object.fromEntries(unitsOf(version).map((u) => [u, "active" as const])),
    aptSeries: manager === "apt" ? seriesOf(version) : null,
    injections: [],
    replicationBlocked: false,
    reachable: true,
    firewall: [],
  };
  fs.writeFileSync(layout.commandLog(fe.name), "", { flag: "a" });
  writeState(layout, state);
}

/** Creates one hypervisor node's tree and state: the node package of the `from` release, libvirtd running. */
export function seedNode(layout: SandboxLayout, reg: SandboxRegistry, node: NodeEntry): void {
  const zone = zoneOf(reg, node.name)!;
  const version = reg.federation.fromVersion;
  const manager = packageManagerOf(zone);
  seedMachineTree(layout, node.name, manager, version);
  const state: FrontendState = {
    frontend: node.name,
    zoneId: zone.id,
    role: zone.role,
    packages: { [NODE_PACKAGE]: packageVersionFor(manager, version) },
    configVersion: "",
    services: Object.fromEntries(NODE_UNITS.map((u) => [u, "active" as const])),
    aptSeries: manager === "apt" ? seriesOf(version) : null,
    injections: [],
    replicationBlocked: false,
    reachable: true,
    firewall: [],
  };
  fs.writeFileSync(layout.commandLog(node.name), "", { flag: "a" });
  writeState(layout, state);
}
