/**
 * What every onedb subcommand shares: option parsing, choosing the database (oned.conf or
 * --sqlite), the "is OpenNebula running" guard, and onedb's failure convention (message on
 * stderr, exit 255 unless a subcommand returns its own code).
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { clientEndpoint, connect } from "./oned-link";
import { lockFileExists } from "./oned";
import { puts } from "./io";
import { DbVersionInfo } from "../one-db";
import { OnefedError } from "../../errors";

/** A onedb failure: the CLI prints the message on stderr and exits 255 (onedb's -1). */
export class OnedbFailure extends OnefedError {
  constructor(message: string) {
    super(message, 255);
  }
}

/** Parsed onedb command line. */
export interface OnedbArgs {
  /** Subcommand and its positional arguments. */
  readonly words: string[];
  /** -v */
  readonly verbose: boolean;
  /** -f */
  readonly force: boolean;
  /** --federated */
  readonly federated: boolean;
  /** --no-backup */
  readonly noBackup: boolean;
  /** --dry */
  readonly dry: boolean;
  /** -b file */
  readonly backup?: string;
  /** -s file */
  readonly sqlite?: string;
  /** Whether MySQL connection options (-S -u -p -d -P, -t mysql) were given. */
  readonly mysql: boolean;
}

const VALUE_OPTS: Record<string, string> = { "-s": "sqlite", "--sqlite": "sqlite", "-b": "backup", "--backup": "backup", "-t": "type", "--type": "type", "-S": "my", "--server": "my", "-P": "my", "--port": "my", "-u": "my", "--username": "my", "-p": "my", "--password": "my", "-d": "my", "--dbname": "my", "--encoding": "enc" };

/** Parses onedb's options (OptionParser style: `-b file`, `--backup=file`, `-bfile`). */
export function parseOnedbArgs(argv: string[]): OnedbArgs {
  const words: string[] = [];
  let verbose = false, force = false, federated = false, noBackup = false, dry = false, mysql = false;
  let backup: string | undefined, sqlite: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("-") || a === "-") {
      words.push(a);
      continue;
    }
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a.startsWith("--") || a.length === 2 ? a : a.slice(0, 2);
    const inline = eq > 0 ? a.slice(eq + 1) : !a.startsWith("--") && a.length > 2 ? a.slice(2) : undefined;
    if (flag === "-v" || flag === "--verbose") verbose = true;
    else if (flag === "-f" || flag === "--force") force = true;
    else if (flag === "--federated") federated = true;
    else if (flag === "--no-backup") noBackup = true;
    else if (flag === "--dry") dry = true;
    else if (VALUE_OPTS[flag]) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new OnedbFailure(`missing argument: ${flag}`);
      const kind = VALUE_OPTS[flag];
      if (kind === "sqlite") sqlite = value;
      else if (kind === "backup") backup = value;
      else if (kind === "my" || (kind === "type" && value !== "sqlite")) mysql = true;
    } else throw new OnedbFailure(`invalid option: ${a}`);
  }
  return { words, verbose, force, federated, noBackup, dry, backup, sqlite, mysql };
}

/** The database onedb works on: the path it prints and the file it opens. */
export interface DbRef {
  /** As onedb prints it. */
  readonly display: string;
  /** The file. */
  readonly real: string;
}

/** --sqlite, else oned.conf's DB section (SQLite at /var/lib/one/one.db). */
export function chooseDb(ctx: EmulatorContext, a: OnedbArgs): DbRef {
  if (a.sqlite) return { display: a.sqlite, real: ctx.userPath(a.sqlite) };
  if (a.mysql) throw new OnedbFailure("Error connecting to DB: Mysql2::Error::ConnectionError: Can't connect to local MySQL server through socket '/run/mysqld/mysqld.sock' (2)");
  let conf: string;
  try {
    conf = fs.readFileSync(ctx.ownPath("/etc/one/oned.conf"), "utf8");
  } catch (e) {
    throw new OnedbFailure(`Unable to parse oned.conf: ${(e as Error).message}`);
  }
  const backend = /DB\s*=\s*\[[^\]]*BACKEND\s*=\s*"?(\w+)/i.exec(conf)?.[1]?.toLowerCase();
  if (backend !== "sqlite") throw new OnedbFailure("Error connecting to DB: the sandbox only emulates the sqlite backend");
  return { display: "/var/lib/one/one.db", real: ctx.ownPath("/var/lib/one/one.db") };
}

/** onedb's one_not_running: the lock file, then an oned answering at the CLI endpoint. */
export function oneNotRunning(ctx: EmulatorContext): void {
  if (lockFileExists(ctx)) throw new OnedbFailure("First stop OpenNebula. Lock file found: /var/lock/one/one");
  const endpoint = clientEndpoint(ctx);
  if (!("error" in connect(ctx, endpoint))) throw new OnedbFailure(`OpenNebula found listening on '${endpoint}'`);
}

/** Ruby's Time#strftime('%m/%d %H:%M:%S') in local time. */
export function shortTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Default backup name: unpadded date parts and colons, like bck_file. */
export function defaultBackupName(federated: boolean): string {
  const t = new Date();
  return `/var/lib/one/one.db_${federated ? "federated_" : ""}${t.getFullYear()}-${t.getMonth() + 1}-${t.getDate()}_${t.getHours()}:${t.getMinutes()}:${t.getSeconds()}.bck`;
}

/** onedb's update_available: [needs, 2 older | 3 newer]. */
export function updateAvailable(db: DbVersionInfo, need: { shared: string; local: string }, cmp: (a: string, b: string) => number): [boolean, number] {
  if (cmp(db.shared.version, need.shared) < 0 || cmp(db.local.version, need.local) < 0) return [true, 2];
  if (cmp(db.shared.version, need.shared) > 0 || cmp(db.local.version, need.local) > 0) return [true, 3];
  return [false, 0];
}

/** pretty_print_db_version (upgrade/fsck -v). */
export function prettyPrintVersions(db: DbVersionInfo): void {
  puts("Version read:", `Shared tables ${db.shared.version} : ${db.shared.comment}`, `Local tables  ${db.local.version} : ${db.local.comment}`);
  if (db.isSlave) puts("", "This database is a federation slave");
}
