/**
 * Where a front-end's OpenNebula tables live: its SQLite file (SQLite zones), or the `opennebula`
 * database of its own MariaDB server (MySQL zones). Both are named by one string, so every reader
 * and writer of one-db.ts takes either: a file path, or a `mariadb://` locator. Dependency-free:
 * the emulator loads it per run.
 */
import { MariaDbError, MariaDbTarget, mariadbExec, mariadbQuery } from "./mariadb-client";
import { SqliteError, sqliteExec, sqliteQuery } from "./sqlite";

/** The SQL dialect of a store. */
export type DbDialect = "sqlite" | "mariadb";

const LOCATOR = /^mariadb:\/\/([^@]+)@([^:/]+):(\d+)\/([^?]+)\?passwordFile=(.+)$/;

/** The string that names a MariaDB database (the password file's path, never the password). */
export function mariadbLocator(t: MariaDbTarget): string {
  return `mariadb://${t.user}@${t.host}:${t.port}/${t.database}?passwordFile=${t.passwordFile}`;
}

/** The MariaDB target a locator names; undefined for a SQLite file. */
export function mariadbTargetOf(db: string): MariaDbTarget | undefined {
  const m = LOCATOR.exec(db);
  return m ? { user: m[1], host: m[2], port: Number(m[3]), database: m[4], passwordFile: m[5] } : undefined;
}

/** Which dialect the store speaks. */
export function dialectOf(db: string): DbDialect {
  return LOCATOR.test(db) ? "mariadb" : "sqlite";
}

/** Runs an SQL script; `readonly` only matters to SQLite (MariaDB sessions of the sandbox may always write). */
export function dbExec(db: string, sql: string, opts: { readonly?: boolean } = {}): string {
  const t = mariadbTargetOf(db);
  return t ? mariadbExec(t, sql) : sqliteExec(db, sql, opts);
}

/** Runs one query and returns its rows (MariaDB: every value a string or null; callers convert numbers). */
export function dbQuery<T = Record<string, unknown>>(db: string, sql: string, opts: { readonly?: boolean } = {}): T[] {
  const t = mariadbTargetOf(db);
  return t ? mariadbQuery<T>(t, sql) : sqliteQuery<T>(db, sql, opts);
}

/** The store failed because a table is missing (`table`: that one; else any). */
export function isMissingTable(err: unknown, table?: string): boolean {
  if (err instanceof SqliteError) return new RegExp(`no such table: ${table ?? ""}`).test(err.message);
  if (err instanceof MariaDbError) return err.code === 1146 && (table === undefined || new RegExp(`\\.${table}' doesn't exist`).test(err.message));
  return false;
}

/** A store error (either driver): an emulated command reports it and exits 255. */
export function isStoreError(err: unknown): err is SqliteError | MariaDbError {
  return err instanceof SqliteError || err instanceof MariaDbError;
}

/** The statement that opens a write transaction holding the database against other writers. */
export function beginWrite(db: string): string {
  return dialectOf(db) === "sqlite" ? "BEGIN IMMEDIATE;" : "START TRANSACTION;";
}
