/**
 * `onedb backup` and `onedb restore` for SQLite, as BackEndSQLite does them: `DROP TABLE IF
 * EXISTS` lines plus real `sqlite3 .dump` output, and a restore that just feeds the file to
 * sqlite3 and ignores its exit status (a truncated file restores "successfully").
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { DbRef, OnedbFailure, defaultBackupName, oneNotRunning } from "./onedb-common";
import { puts } from "./io";
import { FEDERATED_TABLES } from "../db-schema";
import { SqliteError, sqliteExec, sqliteQuery } from "../sqlite";

/** Ruby's Errno::ENOENT text for File.open. */
function openForWrite(real: string, display: string, text: string): void {
  try {
    fs.writeFileSync(real, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === "EACCES" ? "Permission denied" : code === "EISDIR" ? "Is a directory" : "No such file or directory";
    throw new OnedbFailure(`${what} @ rb_sysopen - ${display}`);
  }
}

/** `sqlite3 <db> '.dump …'` output (no busy wait: onedb does not set one either). */
function dump(db: string, commands: string): string {
  const r = spawnSync("sqlite3", [db], { input: commands, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.stderr) process.stderr.write(r.stderr.split("\n").filter((l) => l && !/^-- Loading/.test(l)).map((l) => `${l}\n`).join(""));
  return r.stdout;
}

/** Writes a backup; returns the file name it used. */
export function backupDb(ctx: EmulatorContext, db: DbRef, file: string | undefined, o: { force: boolean; federated: boolean }): string {
  const display = file ?? defaultBackupName(o.federated);
  const real = ctx.userPath(display);
  if (!o.force && fs.existsSync(real)) throw new OnedbFailure(`File ${display} exists, backup aborted. Use -f to overwrite.`);
  if (o.federated) {
    puts(`Sqlite database backup of federated tables stored in ${display}`);
    openForWrite(real, display, ["-- FEDERATED", ...FEDERATED_TABLES.map((t) => `DROP TABLE IF EXISTS "${t}";`), 'DROP TABLE IF EXISTS "logdb";', ""].join("\n"));
    fs.appendFileSync(real, dump(db.real, FEDERATED_TABLES.map((t) => `.dump ${t}\n`).join("")));
    try {
      sqliteExec(db.real, "CREATE TABLE logdb_tmp AS SELECT * FROM logdb WHERE fed_index!=-1;");
    } catch {
      throw new OnedbFailure("Error creating logdb_tmp.");
    }
    fs.appendFileSync(real, dump(db.real, ".dump logdb_tmp\n"));
    try {
      sqliteExec(db.real, "DROP TABLE logdb_tmp;");
    } catch {
      throw new OnedbFailure("Error trying to drop the logdb tmp table.");
    }
    fs.writeFileSync(real, fs.readFileSync(real, "utf8").replace(/logdb_tmp/g, "logdb"));
  } else {
    if (!fs.existsSync(db.real)) throw new OnedbFailure(`File ${db.display} doesn't exist`);
    let tables: string[];
    try {
      tables = sqliteQuery<{ name: string }>(db.real, "SELECT name FROM sqlite_master WHERE type='table' AND name != 'sqlite_sequence'").map((r) => r.name);
    } catch (e) {
      throw new OnedbFailure(`Error connecting to DB: ${e instanceof SqliteError ? e.message : String(e)}`);
    }
    openForWrite(real, display, tables.map((t) => `DROP TABLE IF EXISTS "${t}";\n`).join(""));
    puts(`Sqlite database backup stored in ${display}`);
    fs.appendFileSync(real, dump(db.real, ".dump\n"));
  }
  puts("Use 'onedb restore' to restore the DB.");
  return display;
}

/** Restores a backup into the database. */
export function restoreDb(ctx: EmulatorContext, db: DbRef, file: string | undefined, o: { force: boolean; federated: boolean }): void {
  if (!file || !fs.existsSync(ctx.userPath(file))) throw new OnedbFailure(`File ${file ?? ""} doesn't exist, backup restoration aborted.`);
  oneNotRunning(ctx);
  if (!o.federated && fs.existsSync(db.real) && !o.force) throw new OnedbFailure(`File ${db.display} exists, use -f to overwrite.`);
  const fd = fs.openSync(ctx.userPath(file), "r");
  try {
    // Like `system("sqlite3 db < file")`: sqlite3 writes straight to our stdout/stderr; status ignored.
    spawnSync("sqlite3", [db.real], { stdio: [fd, "inherit", "inherit"] });
  } finally {
    fs.closeSync(fd);
  }
  puts(`Sqlite database backup restored in ${db.display}`);
}
