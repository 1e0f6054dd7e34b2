/**
 * `onedb upgrade` and `onedb fsck` (onedb.rb, docs/opennebula.md §5.4): shared migrators run only when
 * is_slave is false; an upgrade that does not reach the binary's versions reports "missing
 * migration descriptors", restores its own backup and exits 255.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { backupDb, restoreDb } from "./onedb-backup";
import { DbRef, OnedbArgs, OnedbFailure, defaultBackupName, oneNotRunning, prettyPrintVersions, updateAvailable } from "./onedb-common";
import { err, puts } from "./io";
import { pace } from "./pacing";
import { compareVersions, dbVersionsOf, migratorName, migratorSteps } from "../catalog";
import { insertVersionRow, readDbVersions } from "../one-db";

const MIGRATORS = "/usr/lib/one/ruby/onedb";

function seconds(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(2);
}

/**
 * Runs one side's migrators and records the new version, like apply_migrators + update_db_version:
 * the chain stops at the first migrator missing from the machine (sandbox migrator control).
 */
function applyMigrators(ctx: EmulatorContext, db: DbRef, kind: "shared" | "local", from: string, target: string, installed: string, verbose: boolean): void {
  const missing = new Set(ctx.state().missingMigrators ?? []);
  const chain = migratorSteps(kind, from, target);
  const gap = chain.findIndex(([a, b]) => missing.has(migratorName(kind, a, b)));
  const steps = gap < 0 ? chain : chain.slice(0, gap);
  for (const [a, b] of steps) {
    const t0 = Date.now();
    if (verbose) puts(`  > Running migrator ${MIGRATORS}/${migratorName(kind, a, b)}`);
    if (verbose) puts(`  > Done in ${seconds(t0)}s`, "");
  }
  if (steps.length === 0) {
    puts(`Database already uses version ${from}`);
    return;
  }
  const to = steps[steps.length - 1][1];
  const comment = `Database migrated from ${from} to ${to} (OpenNebula ${installed}) by onedb command.`;
  insertVersionRow(db.real, kind, to, comment);
  puts(comment);
}

/** `onedb upgrade [-v] [-b file] [--no-backup] [-f]`; returns the exit status. */
export function upgrade(ctx: EmulatorContext, db: DbRef, installed: string, a: OnedbArgs): number {
  oneNotRunning(ctx);
  const need = dbVersionsOf(installed);
  const before = readDbVersions(db.real);
  if (!updateAvailable(before, need, compareVersions)[0]) {
    puts("Database schema is up to date.");
    return 0;
  }
  if (a.verbose) {
    prettyPrintVersions(before);
    puts("");
  }
  const backup = a.noBackup ? undefined : backupDb(ctx, db, a.backup ?? defaultBackupName(db, false), { force: a.force, federated: false });
  const t0 = Date.now();
  pace(ctx, "onedb upgrade", db.real);
  if (!before.isSlave) {
    puts("", ">>> Running migrators for shared tables");
    applyMigrators(ctx, db, "shared", before.shared.version, need.shared, installed, a.verbose);
  }
  const mid = readDbVersions(db.real);
  puts("", ">>> Running migrators for local tables");
  applyMigrators(ctx, db, "local", mid.local.version, need.local, installed, a.verbose);
  if (mid.localMissing) {
    // Only the federated tables: recreating the local tables' indexes raises, onedb prints the
    // exception (and its backtrace, left out here) and restores its backup.
    puts("", "SQLite3::SQLException: no such table: main.vm_pool", "", "", "The database will be restored");
    if (backup) restoreDb(ctx, db, backup, { force: true, federated: false });
    else puts("WARNING: No backup has been restored as --no-backup flag was set. Note that DB state migh be inconsistent.");
    return 255;
  }
  puts("");
  if (a.verbose) puts(`Total time: ${seconds(t0)}s`);
  const after = readDbVersions(db.real);
  if (after.local.version === need.local && after.shared.version === need.shared) return 0;
  err(
    `ERROR: Database upgrade to the latest versions (local ${after.local.version}, shared ${after.shared.version})\n` +
      "wasn't successful due to missing migration descriptors. Migrators are\n" +
      "provided as part of Enterprise Edition for customers with active subscription.\n" +
      "For community with non-commercial deployments they are provided via a\n" +
      "dedicated migration package, which must be obtained separately.\n",
  );
  puts("", "The database will be restored");
  if (backup) restoreDb(ctx, db, backup, { force: true, federated: false });
  else puts("WARNING: No backup has been restored as --no-backup flag was set. Note that DB state migh be inconsistent.");
  return 255;
}

/** `onedb fsck [-v] [-b file] [--dry]`; the sandbox's databases are always consistent. */
export function fsck(ctx: EmulatorContext, db: DbRef, installed: string, a: OnedbArgs): number {
  const v = readDbVersions(db.real);
  if (a.verbose) {
    prettyPrintVersions(v);
    puts("");
  }
  if (!a.dry) oneNotRunning(ctx);
  const need = dbVersionsOf(installed);
  if (v.shared.version !== need.shared || v.local.version !== need.local) {
    throw new OnedbFailure(
      `Version mismatch: fsck file is for version\nShared: ${need.shared}, Local: ${need.local}\n\n` +
        `Current database is version\nShared: ${v.shared.version}, Local: ${v.local.version}`,
    );
  }
  if (!a.dry) backupDb(ctx, db, a.backup ?? defaultBackupName(db, false), { force: a.force, federated: false });
  const t0 = Date.now();
  if (a.verbose) puts("  > Running fsck");
  const totals = a.dry
    ? ["Total errors found: 0", "Total repairable errors: 0", "Total unrepairable errors: 0", "Dry run, no changes have been written to the DB"]
    : ["Total errors found: 0", "Total errors repaired: 0", "Total errors unrepaired: 0"];
  puts("", ...totals, "", "A copy of this output was stored in /var/log/one/onedb-fsck.log");
  try {
    fs.writeFileSync(ctx.ownPath("/var/log/one/onedb-fsck.log"), totals.map((l) => `${l}\n`).join(""));
  } catch {
    /* the log is a copy only */
  }
  if (a.verbose) puts("  > Done", "", `  > Total time: ${seconds(t0)}s`);
  return 0;
}
