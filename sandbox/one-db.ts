/**
 * Reads and writes of a front-end database that oned itself would do: schema versions, the zone
 * pool, the federated log (logdb) and master → slave replication. `db` is a store (db-store.ts): a
 * SQLite file, or a MySQL zone's MariaDB database; the SQL is written to mean the same in both.
 */
import * as fs from "fs";
import { FEDERATED_TABLES, HostRecord, ZoneRecord, hostBody, parseHostBody, parseZoneBody, zoneBody } from "./db-schema";
import { sqlQuote } from "./sqlite";
import { beginWrite, dbExec, dbQuery, dialectOf, isMissingTable } from "./db-store";
import { ToolFailure } from "./errors";

/** One row of db_versioning / local_db_versioning. */
export interface VersionRow {
  /** Schema version. */
  readonly version: string;
  /** Epoch seconds. */
  readonly timestamp: number;
  /** Free text ("Database migrated from …"). */
  readonly comment: string;
}

/** The newest row of both versioning tables. */
export interface DbVersionInfo {
  /** db_versioning (shared). */
  readonly shared: VersionRow;
  /** local_db_versioning. */
  readonly local: VersionRow;
  /** local_db_versioning.is_slave. */
  readonly isSlave: boolean;
  /**
   * local_db_versioning is missing (a database holding only the federated tables): onedb's
   * read_db_version then copies the shared row into the local one and never sets the required
   * versions it prints (docs/sandbox.md, onedb). @default false
   */
  readonly localMissing?: boolean;
}

/** The database has no versioning rows (onedb: exit 1, "Database is not correctly bootstraped."). */
export class NotBootstrappedError extends ToolFailure {
  constructor() {
    super("Database is not correctly bootstraped.", 1);
  }
}

/** Non-federated logdb rows carry UINT64_MAX; anything at or above 1e19 is not a federated index. */
const FED_FILTER = "fed_index >= 0 AND fed_index < 1e19";

/** Reads both schema versions like onedb's read_db_version. */
export function readDbVersions(db: string): DbVersionInfo {
  if (dialectOf(db) === "sqlite" && !fs.existsSync(db)) throw new NotBootstrappedError();
  type Row = { kind: string; version: string; timestamp: number; comment: string; is_slave: number | null };
  let rows: Row[];
  try {
    rows = dbQuery<Row>(
      db,
      "SELECT 'shared' AS kind, version, timestamp, comment, NULL AS is_slave FROM db_versioning WHERE oid=(SELECT MAX(oid) FROM db_versioning) " +
        "UNION ALL SELECT 'local', version, timestamp, comment, is_slave FROM local_db_versioning WHERE oid=(SELECT MAX(oid) FROM local_db_versioning)",
    );
  } catch (err) {
    if (isMissingTable(err, "local_db_versioning")) return onlySharedVersion(db);
    if (isMissingTable(err)) throw new NotBootstrappedError();
    throw err;
  }
  const shared = rows.find((r) => r.kind === "shared");
  if (!shared) throw new NotBootstrappedError();
  const local = rows.find((r) => r.kind === "local") ?? shared;
  const row = (r: Row): VersionRow => ({ version: r.version, timestamp: Number(r.timestamp), comment: r.comment });
  return { shared: row(shared), local: row(local), isSlave: Number(local.is_slave ?? 0) !== 0 };
}

/**
 * read_db_version on a database without local_db_versioning: the shared row stands for both and
 * the database counts as bootstrapped while user_pool holds oneadmin (oid 0), as onedb's rescue does.
 */
function onlySharedVersion(db: string): DbVersionInfo {
  type Row = { version: string; timestamp: number; comment: string; oneadmin: number };
  let rows: Row[];
  try {
    rows = dbQuery<Row>(
      db,
      "SELECT version, timestamp, comment, (SELECT COUNT(*) FROM user_pool WHERE oid=0) AS oneadmin FROM db_versioning WHERE oid=(SELECT MAX(oid) FROM db_versioning)",
    );
  } catch (err) {
    if (isMissingTable(err)) throw new NotBootstrappedError();
    throw err;
  }
  const r = rows[0];
  if (!r || Number(r.oneadmin) === 0) throw new NotBootstrappedError();
  const row: VersionRow = { version: r.version, timestamp: Number(r.timestamp), comment: r.comment };
  return { shared: row, local: row, isSlave: false, localMissing: true };
}

/** Every db_versioning row, oldest first (onedb history). */
export function readHistory(db: string): VersionRow[] {
  return dbQuery<VersionRow>(db, "SELECT version, timestamp, comment FROM db_versioning ORDER BY oid").map((r) => ({ ...r, timestamp: Number(r.timestamp) }));
}

/** Appends a versioning row the way onedb's update_(local_)db_version does. */
export function insertVersionRow(db: string, kind: "shared" | "local", version: string, comment: string): void {
  const now = Math.floor(Date.now() / 1000);
  const sql =
    kind === "shared"
      ? `INSERT INTO db_versioning SELECT MAX(oid)+1, ${sqlQuote(version)}, ${now}, ${sqlQuote(comment)} FROM db_versioning;`
      : `INSERT INTO local_db_versioning SELECT MAX(oid)+1, ${sqlQuote(version)}, ${now}, ${sqlQuote(comment)}, ` +
        `(SELECT is_slave FROM local_db_versioning WHERE oid=(SELECT MAX(oid) FROM local_db_versioning)) FROM local_db_versioning;`;
  dbExec(db, sql);
}

/** Highest federated index in the log (oned's last_federated), null when there is none. */
export function lastFedIndex(db: string, opts: { readonly?: boolean } = {}): number | null {
  const rows = dbQuery<{ f: number | null }>(db, `SELECT MAX(fed_index) AS f FROM logdb WHERE ${FED_FILTER}`, opts);
  const f = rows[0]?.f;
  return f === null || f === undefined ? null : Number(f);
}

/** The zone pool, by id. */
export function readZones(db: string, opts: { readonly?: boolean } = {}): ZoneRecord[] {
  return dbQuery<{ body: string }>(db, "SELECT body FROM zone_pool ORDER BY oid", opts).map((r) => parseZoneBody(r.body));
}

/** The host pool (local table), by id. */
export function readHosts(db: string, opts: { readonly?: boolean } = {}): HostRecord[] {
  return dbQuery<{ body: string }>(db, "SELECT body FROM host_pool ORDER BY oid", opts).map((r) => parseHostBody(r.body));
}

/** Sets a host's STATE (local write, no federated record), keeping the old one as PREV_STATE. */
export function setHostState(db: string, host: HostRecord, state: number): void {
  const h = { ...host, state, prevState: host.state };
  dbExec(db, `UPDATE host_pool SET body=${sqlQuote(hostBody(h))}, state=${state} WHERE oid=${host.id};`);
}

/**
 * Writes federated changes on the master: each statement runs and is recorded in logdb with the
 * next fed_index, in one transaction (so FED_INDEX moves exactly when federated data does).
 */
export function writeFederated(db: string, statements: readonly string[]): void {
  const now = Math.floor(Date.now() / 1000);
  // MariaDB: InnoDB does not serialise two writers' MAX(log_index)+1 the way SQLite's write lock does.
  const mariadb = dialectOf(db) === "mariadb";
  const parts = [...(mariadb ? ["DO GET_LOCK('onefed_logdb', 60);"] : []), beginWrite(db)];
  for (const stmt of statements) {
    parts.push(stmt.endsWith(";") ? stmt : `${stmt};`);
    parts.push(
      "INSERT INTO logdb (log_index, term, sqlcmd, timestamp, fed_index, applied) SELECT " +
        `(SELECT COALESCE(MAX(log_index), -1) + 1 FROM logdb), 1, ${sqlQuote(stmt)}, ${now}, ` +
        `(SELECT COALESCE(MAX(fed_index), -1) + 1 FROM logdb WHERE ${FED_FILTER}), 1;`,
    );
  }
  parts.push("COMMIT;", ...(mariadb ? ["DO RELEASE_LOCK('onefed_logdb');"] : []));
  dbExec(db, parts.join("\n"));
}

/** The statement that sets a zone's STATE (0 enabled, 1 disabled) in zone_pool. */
export function zoneStateStatement(zone: ZoneRecord, state: number): string {
  return `UPDATE zone_pool SET body=${sqlQuote(zoneBody({ ...zone, state }))} WHERE oid=${zone.id}`;
}

/** What replication compares: the shared schema version and the last federated index. */
export interface FederationProbe {
  /** Newest db_versioning version. */
  readonly shared: string | null;
  /** Last federated index, -1 when none. */
  readonly last: number;
}

/** Reads a database's shared version and last federated index in one sqlite3 call. */
export function probeFederation(db: string): FederationProbe {
  const rows = dbQuery<{ shared: string | null; last: number | null }>(
    db,
    "SELECT (SELECT version FROM db_versioning WHERE oid=(SELECT MAX(oid) FROM db_versioning)) AS shared, " +
      `(SELECT MAX(fed_index) FROM logdb WHERE ${FED_FILTER}) AS last`,
  );
  return { shared: rows[0]?.shared ?? null, last: rows[0]?.last === null || rows[0]?.last === undefined ? -1 : Number(rows[0].last) };
}

/** Outcome of one replication attempt. */
export type ReplicationResult = "in-sync" | "replicated" | "gap";

/** What one replication attempt did. */
export interface Replication {
  /** Whether it ran, found the slave in sync, or found a gap. */
  readonly outcome: ReplicationResult;
  /**
   * How many log records it appended to the slave, counted inside the slave's write lock: a
   * concurrent replication may already have appended some of those its caller's view lacked.
   */
  readonly appended: number;
}

/**
 * Pushes the master's federated state to a slave: copies the federated tables and appends the log
 * records the slave lacks. A slave accepts only contiguous records, so when the master no longer
 * holds the record after the slave's last one, nothing happens ("gap", a stuck slave).
 */
export function replicate(masterDb: string, slaveDb: string, masterLast: number, slaveLast: number): Replication {
  if (slaveLast >= masterLast) return { outcome: "in-sync", appended: 0 };
  const next = dbQuery<{ n: number }>(masterDb, `SELECT COUNT(*) AS n FROM logdb WHERE fed_index = ${slaveLast + 1}`);
  if (slaveLast >= 0 && Number(next[0]?.n ?? 0) === 0) return { outcome: "gap", appended: 0 };
  if (dialectOf(masterDb) !== "sqlite" || dialectOf(slaveDb) !== "sqlite") {
    return { outcome: "replicated", appended: replicateRows(masterDb, slaveDb, slaveLast) };
  }
  const tables = FEDERATED_TABLES.filter((t) => t !== "db_versioning");
  const sql = [
    `ATTACH ${sqlQuote(masterDb)} AS m;`,
    "BEGIN IMMEDIATE;",
    ...tables.map((t) => `DELETE FROM main.${t}; INSERT INTO main.${t} SELECT * FROM m.${t};`),
    "INSERT INTO main.logdb (log_index, term, sqlcmd, timestamp, fed_index, applied) " +
      "SELECT (SELECT COALESCE(MAX(log_index), -1) FROM main.logdb) + ROW_NUMBER() OVER (ORDER BY fed_index), " +
      // Re-read the slave's last index inside the write lock: a concurrent replication may have run.
      `term, sqlcmd, timestamp, fed_index, 1 FROM m.logdb WHERE fed_index > (SELECT COALESCE(MAX(fed_index), -1) FROM main.logdb WHERE ${FED_FILTER}) AND ${FED_FILTER};`,
    "SELECT changes();",
    "COMMIT;",
  ].join("\n");
  return { outcome: "replicated", appended: lastNumber(dbExec(slaveDb, sql)) };
}

/** The number a script's last result printed (sqlite3's list mode and mariadb's batch mode both end with it). */
function lastNumber(stdout: string): number {
  const lines = stdout.trim().split("\n");
  return Number(lines[lines.length - 1]) || 0;
}

/** A value as an SQL literal both dialects read the same (numbers as quoted text: the columns' types convert them). */
function literal(v: unknown): string {
  return v === null || v === undefined ? "NULL" : sqlQuote(String(v));
}

/**
 * replicate() between stores that cannot ATTACH each other (a MySQL zone on either side): the
 * master's federated rows are read and written into the slave as statements. Each log record is
 * appended only while the slave lacks its fed_index, so a concurrent replication adds nothing twice.
 *
 * The master is read outside the slave's lock, so a concurrent replication may already have given
 * the slave newer rows than this copy holds (two zones disabled at once: each `onezone disable`
 * replicates). The records are read before the rows, so the rows are at least as new as the newest
 * record copied; the slave takes the rows only while its own last record is older than that one,
 * inside its write lock. Without that guard a stale copy would overwrite a newer one and the slave
 * would show the old zone STATE until the next federated write, which oned's ordered log never does.
 */
function replicateRows(masterDb: string, slaveDb: string, slaveLast: number): number {
  const tables = FEDERATED_TABLES.filter((t) => t !== "db_versioning");
  type LogRow = { term: unknown; sqlcmd: unknown; timestamp: unknown; fed_index: unknown };
  const records = dbQuery<LogRow>(
    masterDb,
    `SELECT term, sqlcmd, timestamp, fed_index FROM logdb WHERE fed_index > ${slaveLast} AND ${FED_FILTER} ORDER BY fed_index`,
  );
  if (records.length === 0) return 0;
  const newest = Number(records[records.length - 1].fed_index);
  const slaveOlder = `(SELECT COALESCE(MAX(fed_index), -1) FROM logdb WHERE ${FED_FILTER}) < ${newest}`;
  const copied = records.map((r) => literal(r.fed_index)).join(",");
  const sql: string[] = [...(dialectOf(slaveDb) === "mariadb" ? ["DO GET_LOCK('onefed_logdb', 60);"] : []), beginWrite(slaveDb)];
  // Which of these records the slave holds already, read inside its lock: the rest is what this copy appends.
  sql.push(`SELECT COUNT(*) AS present FROM logdb WHERE fed_index IN (${copied});`);
  for (const t of tables) {
    sql.push(`DELETE FROM ${t} WHERE ${slaveOlder};`);
    for (const row of dbQuery<Record<string, unknown>>(masterDb, `SELECT * FROM ${t}`))
      sql.push(`INSERT INTO ${t} SELECT ${Object.values(row).map(literal).join(",")} FROM (SELECT 1 AS one) AS x WHERE ${slaveOlder};`);
  }
  for (const r of records) {
    sql.push(
      "INSERT INTO logdb (log_index, term, sqlcmd, timestamp, fed_index, applied) SELECT " +
        `(SELECT COALESCE(MAX(log_index), -1) + 1 FROM logdb), ${literal(r.term)}, ${literal(r.sqlcmd)}, ${literal(r.timestamp)}, ${literal(r.fed_index)}, 1 ` +
        `FROM (SELECT 1 AS one) AS x WHERE NOT EXISTS (SELECT 1 FROM logdb WHERE fed_index = ${literal(r.fed_index)});`,
    );
  }
  sql.push("COMMIT;", ...(dialectOf(slaveDb) === "mariadb" ? ["DO RELEASE_LOCK('onefed_logdb');"] : []));
  return records.length - lastNumber(dbExec(slaveDb, sql.join("\n")));
}
