/**
 * The `sqlite3` command-line tool as the sandbox's database driver: the front-end databases are
 * real SQLite files, and backups are real `.dump` output, exactly as onedb produces them.
 */
import { spawnSync } from "child_process";
import { ToolFailure } from "./errors";

/** sqlite3 failed (bad SQL, locked database, missing tool); an emulated onedb then exits 255. */
export class SqliteError extends ToolFailure {
  constructor(db: string, detail: string) {
    super(`sqlite3 ${db}: ${detail.trim()}`, 255);
  }
}

/** Waits for other writers instead of failing with "database is locked" (commands run in parallel). */
const BUSY_TIMEOUT = ".timeout 15000";

/** Runs an SQL script (stops at the first error) and returns its stdout. */
export function sqliteExec(db: string, sql: string, opts: { readonly?: boolean } = {}): string {
  const args = ["-bail", "-cmd", BUSY_TIMEOUT, ...(opts.readonly ? ["-readonly"] : []), db];
  const r = spawnSync("sqlite3", args, { input: sql, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new SqliteError(db, r.error.message);
  if (r.status !== 0) throw new SqliteError(db, r.stderr || `exit ${r.status}`);
  return r.stdout;
}

/** Runs one query and returns its rows as objects. */
export function sqliteQuery<T = Record<string, unknown>>(db: string, sql: string, opts: { readonly?: boolean } = {}): T[] {
  const args = ["-json", "-cmd", BUSY_TIMEOUT, ...(opts.readonly ? ["-readonly"] : []), db, sql];
  const r = spawnSync("sqlite3", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new SqliteError(db, r.error.message);
  if (r.status !== 0) throw new SqliteError(db, r.stderr || `exit ${r.status}`);
  const out = r.stdout.trim();
  return out === "" ? [] : (JSON.parse(out) as T[]);
}

/** SQL string literal. */
export function sqlQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
