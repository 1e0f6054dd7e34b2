/**
 * `onedb version|history|backup|restore|upgrade|fsck` (docs/opennebula.md §5.4, test/fixtures/opennebula/onedb): dispatch,
 * and the two read-only subcommands.
 */
import { EmulatorContext } from "./context";
import { backupDb, restoreDb } from "./onedb-backup";
import { OnedbArgs, OnedbFailure, parseOnedbArgs, shortTime, updateAvailable } from "./onedb-common";
import { chooseDb } from "./onedb-connection";
import { fsck, upgrade } from "./onedb-upgrade";
import { PasswordAudit } from "./password-audit";
import { err, puts } from "./io";
import { compareVersions, dbVersionsOf } from "../catalog";
import { readDbVersions, readHistory } from "../one-db";
import { ToolFailure } from "../errors";

/** Emulated `onedb`; on a MySQL zone, between two scans of the process list for the password. */
export function onedb(ctx: EmulatorContext, argv: string[]): number {
  const audit = PasswordAudit.start(ctx);
  try {
    return run(ctx, argv);
  } finally {
    audit?.scan("exit");
  }
}

function run(ctx: EmulatorContext, argv: string[]): number {
  const installed = ctx.installedVersion();
  if (!installed) {
    err("sh: 1: onedb: not found\n");
    return 127;
  }
  try {
    const a = parseOnedbArgs(argv);
    const [verb, arg] = a.words;
    const db = chooseDb(ctx, a);
    switch (verb) {
      case "version":
        return version(db.real, installed, a);
      case "history":
        for (const r of readHistory(db.real)) puts(`Version:   ${r.version}`, `Timestamp: ${shortTime(r.timestamp)}`, `Comment:   ${r.comment}`, "");
        return 0;
      case "backup":
        backupDb(ctx, db, arg, { force: a.force, federated: a.federated });
        return 0;
      case "restore":
        restoreDb(ctx, db, arg, { force: a.force, federated: a.federated });
        return 0;
      case "upgrade":
        return upgrade(ctx, db, installed, a);
      case "fsck":
        return fsck(ctx, db, installed, a);
      default:
        throw new OnedbFailure(verb ? `onedb: command '${verb}' is not available in the sandbox` : "Usage: onedb COMMAND [args..] [options..]");
    }
  } catch (e) {
    // OnedbFailure (255), NotBootstrappedError (1), SqliteError (255): message on stderr, like onedb.
    if (!(e instanceof ToolFailure)) throw e;
    err(`${e.message}\n`);
    return e.exitCode;
  }
}

/**
 * `onedb version [-v]`: exit 0 current, 2 upgrade needed, 3 DB newer than the binary. On a database
 * holding only the federated tables read_db_version leaves the required versions unset, so they
 * print empty (and the local version is the shared one).
 */
function version(db: string, installed: string, a: OnedbArgs): number {
  const v = readDbVersions(db);
  const need = dbVersionsOf(installed);
  const shown = v.localMissing ? { shared: "", local: "" } : need;
  if (a.verbose) {
    puts(
      `Shared tables version:   ${v.shared.version}`,
      `Required version:        ${shown.shared}`,
      `Timestamp: ${shortTime(v.shared.timestamp)}`,
      `Comment:   ${v.shared.comment}`,
    );
    puts(
      "",
      `Local tables version:    ${v.local.version}`,
      `Required version:        ${shown.local}`,
      `Timestamp: ${shortTime(v.local.timestamp)}`,
      `Comment:   ${v.local.comment}`,
    );
    if (v.isSlave) puts("", "This database is a federation slave");
    puts("");
  } else {
    puts(`Shared: ${v.shared.version}`, `Local:  ${v.local.version}`, `Required shared version: ${shown.shared}`, `Required local version:  ${shown.local}`);
  }
  const [needs, code] = updateAvailable(v, need, compareVersions);
  if (!needs) return 0;
  if (code === 2) puts("", `Update required. Expected DB version is:\nLocal:  ${shown.local}\nShared: ${shown.shared}`);
  else puts("", "WARNING: Source version is lower than DB version");
  return code;
}
