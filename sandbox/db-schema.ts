/**
 * The SQLite schema and seed rows of a sandbox front-end database, shaped like an OpenNebula 6.x
 * one: both versioning tables, the federated tables onedb knows (FEDERATED_TABLES), logdb, and a
 * few local tables so that a full backup differs from a federated one.
 */
import { dbVersionsOf, previousRelease } from "./catalog";
import { sqlQuote } from "./sqlite";

/** onedb's FEDERATED_TABLES, in its order (db_versioning last). */
export const FEDERATED_TABLES = [
  "group_pool",
  "user_pool",
  "acl",
  "zone_pool",
  "vdc_pool",
  "marketplace_pool",
  "marketplaceapp_pool",
  "db_versioning",
] as const;

/** oned stores non-federated logdb rows with fed_index = UINT64_MAX (SQLite keeps it as a REAL). */
export const LOCAL_FED_INDEX = "18446744073709551615";

/** Seed timestamps of the samples: bootstrap 2023-11-14 22:13:20 UTC, migration 2024-09-22 10:13:20 UTC. */
const BOOTSTRAP_TS = 1700000000;
const MIGRATION_TS = 1727000000;
/** Slaves were migrated half an hour after the master (sample 04). */
const SLAVE_DELAY = 1800;

const POOL_COLUMNS = "oid INTEGER PRIMARY KEY, name VARCHAR(128), body MEDIUMTEXT, uid INTEGER, gid INTEGER, owner_u INTEGER, group_u INTEGER, other_u INTEGER";

/** CREATE TABLE statements, local and federated. */
export const SCHEMA_SQL = `
CREATE TABLE db_versioning (oid INTEGER PRIMARY KEY, version VARCHAR(256), timestamp INTEGER, comment VARCHAR(256));
CREATE TABLE local_db_versioning (oid INTEGER PRIMARY KEY, version VARCHAR(256), timestamp INTEGER, comment VARCHAR(256), is_slave BOOLEAN);
CREATE TABLE group_pool (${POOL_COLUMNS}, UNIQUE(name));
CREATE TABLE user_pool (${POOL_COLUMNS}, UNIQUE(name));
CREATE TABLE acl (oid INT PRIMARY KEY, userset BIGINT, resource BIGINT, rights BIGINT, zone BIGINT, UNIQUE(userset, resource, rights, zone));
CREATE TABLE zone_pool (${POOL_COLUMNS}, UNIQUE(name));
CREATE TABLE vdc_pool (${POOL_COLUMNS}, UNIQUE(name));
CREATE TABLE marketplace_pool (${POOL_COLUMNS});
CREATE TABLE marketplaceapp_pool (${POOL_COLUMNS}, UNIQUE(name,uid));
CREATE TABLE logdb (log_index BIGINT UNSIGNED PRIMARY KEY, term INTEGER, sqlcmd MEDIUMTEXT, timestamp INTEGER, fed_index BIGINT UNSIGNED, applied BOOLEAN);
CREATE TABLE pool_control (tablename VARCHAR(32) PRIMARY KEY, last_oid BIGINT UNSIGNED);
CREATE TABLE system_attributes (name VARCHAR(128) PRIMARY KEY, body MEDIUMTEXT);
CREATE TABLE host_pool (oid INTEGER PRIMARY KEY, name VARCHAR(128), body MEDIUMTEXT, state INTEGER, uid INTEGER, gid INTEGER, owner_u INTEGER, group_u INTEGER, other_u INTEGER, cid INTEGER);
CREATE TABLE vm_pool (oid INTEGER PRIMARY KEY, name VARCHAR(128), body MEDIUMTEXT, uid INTEGER, gid INTEGER, state INTEGER, lcm_state INTEGER, owner_u INTEGER, group_u INTEGER, other_u INTEGER, short_body MEDIUMTEXT, search_token MEDIUMTEXT);
`;

/** A zone as zone_pool stores it. */
export interface ZoneRecord {
  /** Zone id (oid). */
  readonly id: number;
  /** Zone name. */
  readonly name: string;
  /** 0 enabled, 1 disabled (6.2+). */
  readonly state: number;
  /** TEMPLATE/ENDPOINT. */
  readonly endpoint: string;
  /** SERVER_POOL of an HA zone, by id; empty or absent for a solo zone. */
  readonly servers?: readonly ZoneServer[];
}

/** One SERVER of a zone's SERVER_POOL (onezone server-add). */
export interface ZoneServer {
  /** Raft server id. */
  readonly id: number;
  /** Server name (`server-0`). */
  readonly name: string;
  /** The server's own XML-RPC endpoint. */
  readonly endpoint: string;
}

const cdata = (v: string | number): string => `<![CDATA[${v}]]>`;

/** The zone_pool body oned writes (server attributes sorted by name, in CDATA, as VectorAttribute::to_xml does). */
export function zoneBody(z: ZoneRecord): string {
  const servers = (z.servers ?? []).map(
    (s) => `<SERVER><ENDPOINT>${cdata(s.endpoint)}</ENDPOINT><ID>${cdata(s.id)}</ID><NAME>${cdata(s.name)}</NAME></SERVER>`,
  );
  const pool = servers.length === 0 ? "<SERVER_POOL/>" : `<SERVER_POOL>${servers.join("")}</SERVER_POOL>`;
  return `<ZONE><ID>${z.id}</ID><NAME>${z.name}</NAME><STATE>${z.state}</STATE><TEMPLATE><ENDPOINT>${cdata(z.endpoint)}</ENDPOINT></TEMPLATE>${pool}</ZONE>`;
}

/** Reads a zone_pool body back. */
export function parseZoneBody(body: string): ZoneRecord {
  const cut = body.indexOf("<SERVER_POOL");
  const head = cut < 0 ? body : body.slice(0, cut);
  const pick = (text: string, re: RegExp): string => re.exec(text)?.[1] ?? "";
  const value = (text: string, tag: string): string => pick(text, new RegExp(`<${tag}>(?:<!\\[CDATA\\[)?([^<\\]]*)(?:\\]\\]>)?</${tag}>`));
  const servers =
    cut < 0
      ? []
      : [...body.slice(cut).matchAll(/<SERVER>(.*?)<\/SERVER>/g)].map((m) => ({
          id: parseInt(value(m[1], "ID"), 10),
          name: value(m[1], "NAME"),
          endpoint: value(m[1], "ENDPOINT"),
        }));
  return {
    id: parseInt(pick(head, /<ID>(\d+)<\/ID>/), 10),
    name: pick(head, /<NAME>([^<]*)<\/NAME>/),
    state: parseInt(pick(head, /<STATE>(\d+)<\/STATE>/) || "0", 10),
    endpoint: value(head, "ENDPOINT"),
    ...(servers.length > 0 ? { servers } : {}),
  };
}

/** Host STATE values the sandbox uses (HostState in Host.h). */
export const HOST_MONITORED = 2;
export const HOST_DISABLED = 4;

/** A host as host_pool stores it (only what `onehost` shows). */
export interface HostRecord {
  /** Host id (oid). */
  readonly id: number;
  /** Host name. */
  readonly name: string;
  /** 2 MONITORED (enabled), 4 DISABLED. */
  readonly state: number;
  /** State before the last change. */
  readonly prevState: number;
}

/** Seeded capacity: 8 CPUs, 15.5 GiB (KiB, as HOST_SHARE stores memory). */
export const HOST_TOTAL_CPU = 800;
export const HOST_TOTAL_MEM_KB = 16252928;

/**
 * The KVM hosts a zone starts with, MONITORED, ids from 0: its nodes' host names when it has
 * nodes, else two hosts with no machine behind them, `<zone-name-lowercase>-kvm-0|1`.
 */
export function seedHosts(zoneName: string, names?: readonly string[]): HostRecord[] {
  const hostNames = names && names.length > 0 ? names : [0, 1].map((id) => `${zoneName.toLowerCase()}-kvm-${id}`);
  return hostNames.map((name, id) => ({ id, name, state: HOST_MONITORED, prevState: HOST_MONITORED }));
}

/** The host_pool body oned writes (the subset the sandbox models). */
export function hostBody(h: HostRecord): string {
  return (
    `<HOST><ID>${h.id}</ID><NAME>${h.name}</NAME><STATE>${h.state}</STATE><PREV_STATE>${h.prevState}</PREV_STATE>` +
    "<IM_MAD><![CDATA[kvm]]></IM_MAD><VM_MAD><![CDATA[kvm]]></VM_MAD><CLUSTER_ID>0</CLUSTER_ID><CLUSTER>default</CLUSTER>" +
    `<HOST_SHARE><MEM_USAGE>0</MEM_USAGE><CPU_USAGE>0</CPU_USAGE><TOTAL_MEM>${HOST_TOTAL_MEM_KB}</TOTAL_MEM><TOTAL_CPU>${HOST_TOTAL_CPU}</TOTAL_CPU>` +
    `<MAX_MEM>${HOST_TOTAL_MEM_KB}</MAX_MEM><MAX_CPU>${HOST_TOTAL_CPU}</MAX_CPU><RUNNING_VMS>0</RUNNING_VMS></HOST_SHARE>` +
    "<VMS/><TEMPLATE><HYPERVISOR><![CDATA[kvm]]></HYPERVISOR></TEMPLATE></HOST>"
  );
}

/** Reads a host_pool body back. */
export function parseHostBody(body: string): HostRecord {
  const pick = (re: RegExp): string => re.exec(body)?.[1] ?? "";
  const state = parseInt(pick(/<STATE>(\d+)<\/STATE>/) || "0", 10);
  return {
    id: parseInt(pick(/<ID>(\d+)<\/ID>/), 10),
    name: pick(/<NAME>([^<]*)<\/NAME>/),
    state,
    prevState: parseInt(pick(/<PREV_STATE>(\d+)<\/PREV_STATE>/) || String(state), 10),
  };
}

/** A host_pool row (columns: oid, name, body, state, uid, gid, owner_u, group_u, other_u, cid). */
export function hostRow(h: HostRecord): string {
  return `INSERT INTO host_pool VALUES(${h.id},${sqlQuote(h.name)},${sqlQuote(hostBody(h))},${h.state},0,0,1,0,0,0);`;
}

/** What a front-end database is seeded with. */
export interface SeedOptions {
  /** Installed release (its schema versions are the DB's). */
  readonly version: string;
  /** Every zone of the federation (each DB holds the whole zone_pool). */
  readonly zones: readonly ZoneRecord[];
  /** This front-end's zone id. */
  readonly zoneId: number;
  /** This front-end's role. */
  readonly role: "master" | "slave";
  /** local_db_versioning.is_slave (true for DBs bootstrapped as slaves). */
  readonly isSlave: boolean;
  /** Last federated log index. */
  readonly fedIndex: number;
  /** Host names of the zone's host pool (its nodes). @default two hosts named after the zone */
  readonly hostNames?: readonly string[];
}

function poolRow(table: string, oid: number, name: string, body: string, uid = 0, gid = 0): string {
  return `INSERT INTO ${table} VALUES(${oid},${sqlQuote(name)},${sqlQuote(body)},${uid},${gid},1,0,0);`;
}

/** SQL that creates and fills a front-end database (`mariadb`: a MySQL zone's, in its own server). */
export function seedSql(o: SeedOptions, dialect: "sqlite" | "mariadb" = "sqlite"): string {
  const v = dbVersionsOf(o.version);
  const prev = previousRelease(o.version);
  const pv = dbVersionsOf(prev);
  const delay = o.role === "slave" ? SLAVE_DELAY : 0;
  const migrated = (from: string, to: string): string => `Database migrated from ${from} to ${to} (OpenNebula ${o.version}) by onedb command.`;
  const lines: string[] = [
    ...(dialect === "sqlite" ? ["PRAGMA journal_mode=DELETE;", "BEGIN;"] : ["START TRANSACTION;"]),
    SCHEMA_SQL,
    `INSERT INTO db_versioning VALUES(0,${sqlQuote(pv.shared)},${BOOTSTRAP_TS},${sqlQuote(`OpenNebula ${prev} daemon bootstrap`)});`,
    `INSERT INTO db_versioning VALUES(1,${sqlQuote(v.shared)},${MIGRATION_TS},${sqlQuote(migrated(pv.shared, v.shared))});`,
    `INSERT INTO local_db_versioning VALUES(0,${sqlQuote(pv.local)},${BOOTSTRAP_TS + delay},${sqlQuote(`OpenNebula ${prev} daemon bootstrap`)},${o.isSlave ? 1 : 0});`,
    `INSERT INTO local_db_versioning VALUES(1,${sqlQuote(v.local)},${MIGRATION_TS + delay},${sqlQuote(migrated(pv.local, v.local))},${o.isSlave ? 1 : 0});`,
    poolRow("group_pool", 0, "oneadmin", "<GROUP><ID>0</ID><NAME>oneadmin</NAME><TEMPLATE></TEMPLATE><USERS><ID>0</ID><ID>1</ID></USERS><ADMINS/></GROUP>"),
    poolRow("group_pool", 1, "users", "<GROUP><ID>1</ID><NAME>users</NAME><TEMPLATE></TEMPLATE><USERS/><ADMINS/></GROUP>"),
    poolRow(
      "user_pool",
      0,
      "oneadmin",
      "<USER><ID>0</ID><GID>0</GID><GROUPS><ID>0</ID></GROUPS><GNAME>oneadmin</GNAME><NAME>oneadmin</NAME><AUTH_DRIVER>core</AUTH_DRIVER><ENABLED>1</ENABLED><TEMPLATE></TEMPLATE></USER>",
    ),
    poolRow(
      "user_pool",
      1,
      "serveradmin",
      "<USER><ID>1</ID><GID>0</GID><GROUPS><ID>0</ID></GROUPS><GNAME>oneadmin</GNAME><NAME>serveradmin</NAME><AUTH_DRIVER>server_cipher</AUTH_DRIVER><ENABLED>1</ENABLED><TEMPLATE></TEMPLATE></USER>",
      1,
    ),
    "INSERT INTO acl VALUES(0,4294967297,1649267441664,1,17179869184);",
    "INSERT INTO acl VALUES(1,4294967297,1103806595072,1,17179869184);",
    ...o.zones.map((z) => poolRow("zone_pool", z.id, z.name, zoneBody(z))),
    poolRow(
      "vdc_pool",
      0,
      "default",
      "<VDC><ID>0</ID><NAME>default</NAME><GROUPS><ID>1</ID></GROUPS><CLUSTERS/><HOSTS/><DATASTORES/><VNETS/><TEMPLATE/></VDC>",
    ),
    poolRow(
      "marketplace_pool",
      0,
      "OpenNebula Public",
      "<MARKETPLACE><ID>0</ID><NAME>OpenNebula Public</NAME><MARKET_MAD>one</MARKET_MAD><ZONE_ID>0</ZONE_ID></MARKETPLACE>",
    ),
    poolRow(
      "marketplaceapp_pool",
      0,
      "Alpine Linux 3.20",
      "<MARKETPLACEAPP><ID>0</ID><NAME>Alpine Linux 3.20</NAME><MARKETPLACE_ID>0</MARKETPLACE_ID><ZONE_ID>0</ZONE_ID></MARKETPLACEAPP>",
    ),
    // Three federated records (identical in every zone: they were replicated) and two local Raft ones.
    ...[2, 1, 0].map(
      (back, i) =>
        `INSERT INTO logdb VALUES(${i},1,${sqlQuote(`UPDATE user_pool SET body=body WHERE oid=${i % 2}`)},${MIGRATION_TS + 60 * i},${o.fedIndex - back},1);`,
    ),
    `INSERT INTO logdb VALUES(3,1,'UPDATE host_pool SET body=body WHERE oid=0',${MIGRATION_TS + 300},${LOCAL_FED_INDEX},1);`,
    `INSERT INTO logdb VALUES(4,1,'UPDATE host_pool SET body=body WHERE oid=0',${MIGRATION_TS + 360},${LOCAL_FED_INDEX},1);`,
    ...["group_pool", "user_pool", "acl", "zone_pool", "vdc_pool", "marketplace_pool", "marketplaceapp_pool", "host_pool", "vm_pool"].map(
      (t) => `INSERT INTO pool_control VALUES('${t}',${t === "zone_pool" ? Math.max(...o.zones.map((z) => z.id)) : 1});`,
    ),
    // The zone's KVM hosts (local, not federated), all MONITORED.
    ...seedHosts(o.zones.find((z) => z.id === o.zoneId)?.name ?? `zone${o.zoneId}`, o.hostNames).map(hostRow),
    "COMMIT;",
  ];
  return lines.join("\n") + "\n";
}
