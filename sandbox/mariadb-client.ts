/**
 * The `mariadb` command-line client as the driver of a MySQL zone's real database, the way
 * sqlite.ts drives `sqlite3` for SQLite zones. The password reaches the client in MYSQL_PWD (its
 * environment, readable only by its own user and root), never in its argv. Dependency-free: the
 * emulator loads it per run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ToolFailure } from "./errors";

/** Where one front-end's MariaDB listens, and the file holding the account's password. */
export interface MariaDbTarget {
  /** The server's address (the front-end's own loopback address). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** The account oned.conf names. */
  readonly user: string;
  /** The database oned.conf names. */
  readonly database: string;
  /** File whose first line is the account's password (D/mysql-password). */
  readonly passwordFile: string;
}

/** The client failed: its own `ERROR nnnn (sqlstate): …` line; an emulated onedb exits 255 on it. */
export class MariaDbError extends ToolFailure {
  /** MariaDB's error number (1146: no such table, 2002/2003: no server), or undefined when the client did not run. */
  public readonly code?: number;

  constructor(target: string, detail: string) {
    super(`mariadb ${target}: ${detail.trim()}`, 255);
    this.code = Number(/ERROR (\d+) /.exec(detail)?.[1]) || undefined;
  }
}

/**
 * Every session of the sandbox's own reads and writes: ANSI_QUOTES and NO_BACKSLASH_ESCAPES, so the
 * SQL the SQLite path writes (double-quoted names, only '' escaped in literals) means the same here.
 */
const SESSION_MODE = "SET SESSION sql_mode='ANSI_QUOTES,NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES';";

/** argv of the client for `target` (no password in it; --no-defaults keeps the host's option files out). */
export function clientArgv(target: Pick<MariaDbTarget, "host" | "port" | "user" | "database">, extra: readonly string[] = []): string[] {
  return [
    "--no-defaults",
    "--protocol=tcp",
    "-h",
    target.host,
    "-P",
    String(target.port),
    "-u",
    target.user,
    "--connect-timeout=10",
    ...extra,
    target.database,
  ];
}

function run(target: MariaDbTarget, sql: string, extra: readonly string[]): string {
  const password = fs.readFileSync(target.passwordFile, "utf8").split("\n")[0];
  const r = spawnSync("mariadb", clientArgv(target, extra), {
    input: `${SESSION_MODE}\n${sql}`,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MYSQL_PWD: password },
  });
  const where = `${target.host}:${target.port}/${target.database}`;
  if (r.error) throw new MariaDbError(where, r.error.message);
  if (r.status !== 0) throw new MariaDbError(where, r.stderr || `exit ${r.status}`);
  return r.stdout;
}

/** Runs an SQL script (the client stops at the first error) and returns its stdout. */
export function mariadbExec(target: MariaDbTarget, sql: string): string {
  return run(target, sql, ["--batch"]);
}

/** Runs one query and returns its rows as objects (NULL → null; every other value a string, as `-B` prints it). */
export function mariadbQuery<T = Record<string, unknown>>(target: MariaDbTarget, sql: string): T[] {
  return parseBatch(run(target, sql, ["--batch"])) as T[];
}

/** `mariadb --batch` output: a tab-separated header line, then rows with \t \n \\ \0 escaped and NULL for NULL. */
export function parseBatch(text: string): Array<Record<string, string | null>> {
  const lines = text.split("\n").filter((l) => l !== "");
  if (lines.length === 0) return [];
  const header = lines[0].split("\t");
  return lines.slice(1).map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(header.map((h, i) => [h, cells[i] === "NULL" ? null : unescapeBatch(cells[i] ?? "")]));
  });
}

function unescapeBatch(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "0" ? "\0" : c));
}
