/**
 * `onedb backup` and `onedb restore`. SQLite, as BackEndSQLite does them: `DROP TABLE IF EXISTS`
 * lines plus real `sqlite3 .dump` output, and a restore that just feeds the file to sqlite3 and
 * ignores its exit status (a truncated file restores "successfully"). MySQL zones, as BackEndMySQL
 * does them: `system()` of the real `mysqldump` / `mysql` command lines against the front-end's
 * MariaDB, password in their argv (`-p'…'`) exactly like the real onedb, through `/bin/sh -c`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { DbRef, MysqlRef, OnedbFailure, defaultBackupName, oneNotRunning } from "./onedb-common";
import { puts } from "./io";
import { pace } from "./pacing";
import { ENV_PARTIAL } from "../contract";
import { FEDERATED_TABLES } from "../db-schema";
import { SqliteError, sqliteExec, sqliteQuery } from "../sqlite";
import { dbQuery } from "../db-store";
import { PasswordAudit } from "./password-audit";

/** Ruby's Errno texts for File.open + write (a full disk: ENOSPC at the write). */
function openForWrite(real: string, display: string, text: string): void {
  try {
    fs.writeFileSync(real, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOSPC") throw noSpace(display);
    const what = code === "EACCES" ? "Permission denied" : code === "EISDIR" ? "Is a directory" : "No such file or directory";
    throw new OnedbFailure(`${what} @ rb_sysopen - ${display}`);
  }
}

/** Appends to the backup file; a full disk fails the backup (see docs/sandbox.md, known gaps). */
function append(real: string, display: string, text: string): void {
  try {
    fs.appendFileSync(real, text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw noSpace(display);
    throw e;
  }
}

function noSpace(display: string): OnedbFailure {
  return new OnedbFailure(`No space left on device @ io_write - ${display}`);
}

/** `sqlite3 <db> '.dump …'` output (no busy wait: onedb does not set one either). */
function dump(db: string, commands: string): string {
  const r = spawnSync("sqlite3", [db], { input: commands, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.stderr)
    process.stderr.write(
      r.stderr
        .split("\n")
        .filter((l) => l && !/^-- Loading/.test(l))
        .map((l) => `${l}\n`)
        .join(""),
    );
  return r.stdout;
}

/** Writes a backup; returns the file name it used. */
export function backupDb(ctx: EmulatorContext, db: DbRef, file: string | undefined, o: { force: boolean; federated: boolean }): string {
  const display = file ?? defaultBackupName(db, o.federated);
  const real = ctx.userPath(display);
  if (!o.force && fs.existsSync(real)) throw new OnedbFailure(`File ${display} exists, backup aborted. Use -f to overwrite.`);
  pace(ctx, "onedb backup", db.real);
  if (db.mysql) {
    mysqldump(ctx, db, real, display, o.federated);
    puts(
      `MySQL dump stored in ${display}`,
      "Use 'onedb restore' or restore the DB using the mysql command:",
      "mysql -u user -h server -P port db_name < backup_file",
      "",
    );
    return display;
  }
  if (o.federated) puts(`Sqlite database backup of federated tables stored in ${display}`);
  writeDump(db, real, display, o.federated, () => puts(`Sqlite database backup stored in ${display}`));
  puts("Use 'onedb restore' to restore the DB.");
  return display;
}

/** The backup file's content (SQLite statements, in both backends); `beforeFullDump` runs between the DROP lines and the dump. */
function writeDump(db: DbRef, real: string, display: string, federated: boolean, beforeFullDump: () => void = () => undefined): void {
  if (federated) {
    openForWrite(
      real,
      display,
      ["-- FEDERATED", ...FEDERATED_TABLES.map((t) => `DROP TABLE IF EXISTS "${t}";`), 'DROP TABLE IF EXISTS "logdb";', ""].join("\n"),
    );
    append(real, display, dump(db.real, FEDERATED_TABLES.map((t) => `.dump ${t}\n`).join("")));
    try {
      sqliteExec(db.real, "CREATE TABLE logdb_tmp AS SELECT * FROM logdb WHERE fed_index!=-1;");
    } catch {
      throw new OnedbFailure("Error creating logdb_tmp.");
    }
    append(real, display, dump(db.real, ".dump logdb_tmp\n"));
    try {
      sqliteExec(db.real, "DROP TABLE logdb_tmp;");
    } catch {
      throw new OnedbFailure("Error trying to drop the logdb tmp table.");
    }
    openForWrite(real, display, fs.readFileSync(real, "utf8").replace(/logdb_tmp/g, "logdb"));
    return;
  }
  if (!fs.existsSync(db.real)) throw new OnedbFailure(`File ${db.display} doesn't exist`);
  let tables: string[];
  try {
    tables = sqliteQuery<{ name: string }>(db.real, "SELECT name FROM sqlite_master WHERE type='table' AND name != 'sqlite_sequence'").map((r) => r.name);
  } catch (e) {
    throw new OnedbFailure(`Error connecting to DB: ${e instanceof SqliteError ? e.message : String(e)}`);
  }
  openForWrite(real, display, tables.map((t) => `DROP TABLE IF EXISTS "${t}";\n`).join(""));
  beforeFullDump();
  append(real, display, dump(db.real, ".dump\n"));
}

/**
 * Ruby's `system(cmd)`: a command line with a redirection runs under `/bin/sh -c` (which shows it,
 * password included, in the process list while it runs), inheriting onedb's stdio. True on exit 0.
 */
function system(ctx: EmulatorContext, cmd: string): boolean {
  const run = (): boolean => spawnSync("/bin/sh", ["-c", cmd], { argv0: "sh", stdio: "inherit", cwd: process.cwd(), env: ctx.env }).status === 0;
  // The process-list audit watches while it runs: that shell shows the password, as the real one's does.
  return PasswordAudit.current ? PasswordAudit.current.during(run) : run();
}

/** BackEndMySQL's `mysqldump -u … -p'…' -h … -P …` prefix. */
function mysqldumpPrefix(m: MysqlRef): string {
  return `mysqldump -u ${m.user} -p'${m.password}' -h ${m.server} -P ${m.port} `;
}

/**
 * BackEndMySQL#backup: `system("mysqldump … > file")`, and for --federated a second one appending
 * logdb's federated rows. A failure raises with the whole command line, password included, as the
 * real one does. The shell writes `real` (the same path as `display` on a front-end).
 */
function mysqldump(ctx: EmulatorContext, db: DbRef, real: string, display: string, federated: boolean): void {
  const m = db.mysql!;
  const what = federated ? ` --add-drop-table ${m.dbName} ${FEDERATED_TABLES.join(" ")}` : `--add-drop-database --databases --add-drop-table ${m.dbName} `;
  const cmd = `${mysqldumpPrefix(m)}${what} > `;
  if (!system(ctx, cmd + real)) throw new OnedbFailure(`Unknown error running '${cmd + display}'`);
  if (!federated) return;
  const logdb = `${mysqldumpPrefix(m)}${m.dbName} logdb --where="fed_index!=-1"  >> `;
  if (!system(ctx, logdb + real)) throw new OnedbFailure(`Unknown error running '${logdb + display}'`);
}

/** Restores a backup into the database. */
export function restoreDb(ctx: EmulatorContext, db: DbRef, file: string | undefined, o: { force: boolean; federated: boolean }): void {
  if (!file || !fs.existsSync(ctx.userPath(file))) throw new OnedbFailure(`File ${file ?? ""} doesn't exist, backup restoration aborted.`);
  oneNotRunning(ctx);
  const m = db.mysql;
  if (m && !o.federated && !o.force && hasOneadmin(db.real)) throw new OnedbFailure(`MySQL database ${m.dbName} at ${m.server} exists, use -f to overwrite.`);
  if (!m && !o.federated && fs.existsSync(db.real) && !o.force) throw new OnedbFailure(`File ${db.display} exists, use -f to overwrite.`);
  pace(ctx, "onedb restore", ctx.userPath(file));
  const partial = partialFraction(ctx);
  if (m) {
    // BackEndMySQL#restore: system("mysql … db_name < file").
    const cmd = `mysql -u ${m.user} -p'${m.password}' -h ${m.server} -P ${m.port} ${m.dbName}`;
    if (partial !== undefined) dieAfter(["/bin/sh", "-c", cmd], fs.readFileSync(ctx.userPath(file), "utf8"), partial);
    if (!system(ctx, `${cmd} < ${ctx.userPath(file)}`)) throw new OnedbFailure(`Error while restoring MySQL DB ${m.dbName} at ${m.server}.`);
    puts(`MySQL DB ${m.dbName} at ${m.server} restored.`);
    return;
  }
  if (partial !== undefined) dieAfter(["sqlite3", db.real], fs.readFileSync(ctx.userPath(file), "utf8"), partial);
  const fd = fs.openSync(ctx.userPath(file), "r");
  let status: number | null;
  try {
    // Like `system("sqlite3 db < file")` / `system("mysql … db < file")`: output straight to ours.
    status = spawnSync("sqlite3", [db.real], { stdio: [fd, "inherit", "inherit"] }).status;
  } finally {
    fs.closeSync(fd);
  }
  void status; // ignored, as BackEndSQLite does
  puts(`Sqlite database backup restored in ${db.display}`);
}

/** db_exists?: user 0 (oneadmin) is in user_pool. */
function hasOneadmin(db: string): boolean {
  try {
    return Number(dbQuery<{ n: number }>(db, "SELECT count(*) AS n FROM user_pool WHERE oid=0")[0]?.n ?? 0) > 0;
  } catch {
    return false;
  }
}

/** The fraction a partial injection left for this command (test control), if any. */
function partialFraction(ctx: EmulatorContext): number | undefined {
  const raw = ctx.env[ENV_PARTIAL];
  const f = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : undefined;
}

/**
 * A restore killed part-way (test control): sqlite3 (or mysql) gets the first `fraction` of the file's
 * statements, then the process dies by SIGKILL. What a killed `sqlite3 < file` leaves: every
 * statement before the cut that is not in an open transaction stays (the DROP lines at the top, each
 * table's committed `.dump` block), the block the cut falls into is rolled back. In a federated
 * backup db_versioning comes before logdb, so a late cut leaves the new shared version and no logdb.
 */
function dieAfter(client: readonly string[], text: string, fraction: number): never {
  const statements = splitStatements(text);
  const keep = statements.slice(0, Math.floor(statements.length * fraction));
  spawnSync(client[0], client.slice(1), { input: keep.join(""), stdio: ["pipe", "ignore", "ignore"] });
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable: killed");
}

/**
 * SQL statements of a dump, each with its own lines: a statement ends on a line ending in `;` outside
 * a string literal (as sqlite3 reads it). Comment lines join the next statement.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quotes = 0;
  for (const line of text.split(/(?<=\n)/)) {
    current += line;
    // A comment line outside a string literal: its apostrophes open nothing.
    if (quotes % 2 === 0 && /^\s*--/.test(line)) continue;
    quotes += (line.match(/'/g) ?? []).length;
    if (quotes % 2 === 0 && /;\s*$/.test(line)) {
      out.push(current);
      current = "";
      quotes = 0;
    }
  }
  if (current.trim() !== "") out.push(current);
  return out;
}
