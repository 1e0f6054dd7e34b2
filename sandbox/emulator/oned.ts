/**
 * The oned daemon's start-up as systemd runs it: pre_cleanup, the DB version checks of
 * SystemDB::check_db_version (docs/opennebula.md §1.1, §5.5), the lock and pid files, and oned.log lines.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { ONE_FILES } from "../contract";
import { dbVersionsOf } from "../catalog";
import { readDbVersions } from "../one-db";

const LOCK = ONE_FILES.lock;
const PID = ONE_FILES.pid;

/** oned.log timestamp: "Mon Nov 25 10:31:05 2025". */
function logTime(d = new Date()): string {
  const s = d.toString(); // "Mon Nov 25 2025 10:31:05 GMT+0000 (…)"
  const [wd, mon, day, year, time] = s.split(" ");
  return `${wd} ${mon} ${day} ${time} ${year}`;
}

/** Appends an oned.log line: `<time> [Z<zone>][ONE][<level>]: <msg>`. */
export function onedLog(ctx: EmulatorContext, level: "I" | "E" | "W", msg: string): void {
  ctx.log("oned.log", `${logTime()} [Z${ctx.self.zoneId}][ONE][${level}]: ${msg}`);
}

/** Whether oned's lock file is present. */
export function lockFileExists(ctx: EmulatorContext): boolean {
  return fs.existsSync(ctx.ownPath(LOCK));
}

/** Runs oned's start checks; on success creates the lock and pid files. Returns false when oned exits. */
export function startOned(ctx: EmulatorContext): boolean {
  // ExecStartPre=pre_cleanup: a lock without a pid file is stale.
  if (!fs.existsSync(ctx.ownPath(PID))) fs.rmSync(ctx.ownPath(LOCK), { force: true });
  else if (lockFileExists(ctx)) {
    onedLog(ctx, "E", `Error: Cannot start oned, opening lock file ${LOCK}`);
    return false;
  }
  const installed = ctx.installedVersion();
  if (!installed) {
    onedLog(ctx, "E", "oned binary not found");
    return false;
  }
  onedLog(ctx, "I", `Starting OpenNebula ${installed}`);
  const needs = dbVersionsOf(installed);
  let db;
  try {
    db = readDbVersions(ctx.dbOf());
  } catch {
    onedLog(ctx, "E", ctx.self.zoneId === 0 ? "Error bootstrapping database." : "Cannot access shared DB tables. Check DB replica configuration.");
    return false;
  }
  const mismatch = (table: string, need: string, have: string): string =>
    `Database version mismatch ( ${table}). Installed OpenNebula ${installed} needs DB version '${need}', and existing DB version is '${have}'.`;
  if (db.local.version !== needs.local) {
    onedLog(ctx, "E", mismatch("local_db_versioning", needs.local, db.local.version));
    onedLog(ctx, "E", "Use onedb to upgrade DB.");
    return false;
  }
  if (db.shared.version !== needs.shared) {
    onedLog(ctx, "E", mismatch("db_versioning", needs.shared, db.shared.version));
    onedLog(ctx, "E", ctx.state().role === "slave" ? "Cannot join federation, oned master needs upgrade." : "Use onedb to upgrade DB.");
    return false;
  }
  onedLog(ctx, "I", `oned is using version ${db.local.version} for local_db_versioning`);
  onedLog(ctx, "I", `oned is using version ${db.shared.version} for db_versioning`);
  fs.writeFileSync(ctx.ownPath(LOCK), `${process.pid}\n`);
  fs.writeFileSync(ctx.ownPath(PID), `${process.pid}\n`);
  return true;
}

/** Stops oned: removes the lock and pid files. */
export function stopOned(ctx: EmulatorContext): void {
  fs.rmSync(ctx.ownPath(LOCK), { force: true });
  fs.rmSync(ctx.ownPath(PID), { force: true });
  onedLog(ctx, "I", "Stopping OpenNebula");
}
