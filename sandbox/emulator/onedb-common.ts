/**
 * What every onedb subcommand shares: option parsing, the database it works on (chosen in
 * onedb-connection.ts), the "is OpenNebula running" guard, and onedb's failure convention (message on
 * stderr, exit 255 unless a subcommand returns its own code).
 */
import { EmulatorContext } from "./context";
import { clientEndpoint, connect } from "./oned-link";
import { lockFileExists } from "./oned";
import { NO_ONE_AUTH, cliCredential } from "./one-auth";
import { puts } from "./io";
import { DbVersionInfo } from "../one-db";
import { ONE_FILES } from "../contract";
import { ToolFailure } from "../errors";

/** A onedb failure: the CLI prints the message on stderr and exits 255 (onedb's -1). */
export class OnedbFailure extends ToolFailure {
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
  /** -t sqlite|mysql */
  readonly type?: string;
  /** -S host */
  readonly server?: string;
  /** -P port */
  readonly port?: string;
  /** -u user */
  readonly user?: string;
  /** -p password */
  readonly password?: string;
  /** -d dbname */
  readonly dbName?: string;
  /** Whether a connection option (-S -P -u -p -d) was given: without -t, that means MySQL (onedb.rb). */
  readonly connection: boolean;
}

type ValueOption = "sqlite" | "backup" | "type" | "server" | "port" | "user" | "password" | "dbName" | "encoding";
const VALUE_OPTS: Record<string, ValueOption> = {
  "-s": "sqlite",
  "--sqlite": "sqlite",
  "-b": "backup",
  "--backup": "backup",
  "-t": "type",
  "--type": "type",
  "-S": "server",
  "--server": "server",
  "-P": "port",
  "--port": "port",
  "-u": "user",
  "--username": "user",
  "-p": "password",
  "--password": "password",
  "-d": "dbName",
  "--dbname": "dbName",
  "--encoding": "encoding",
};
const CONNECTION_OPTIONS: readonly ValueOption[] = ["server", "port", "user", "password", "dbName"];

/** Parses onedb's options (OptionParser style: `-b file`, `--backup=file`, `-bfile`). */
export function parseOnedbArgs(argv: string[]): OnedbArgs {
  const words: string[] = [];
  let verbose = false,
    force = false,
    federated = false,
    noBackup = false,
    dry = false;
  const values: Partial<Record<ValueOption, string>> = {};
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
      values[VALUE_OPTS[flag]] = value;
    } else throw new OnedbFailure(`invalid option: ${a}`);
  }
  if (values.port !== undefined && !/^-?\d+$/.test(values.port)) throw new OnedbFailure(`invalid argument: -P ${values.port}`);
  const connection = CONNECTION_OPTIONS.some((k) => values[k] !== undefined);
  const { sqlite, backup, type, server, port, user, password, dbName } = values;
  return { words, verbose, force, federated, noBackup, dry, backup, sqlite, type, server, port, user, password, dbName, connection };
}

/** onedb's SQLite database when neither -s nor oned.conf names another. */
export const SQLITE_PATH = ONE_FILES.db;

/** A MySQL connection onedb opened: what its messages and default backup names use. */
export interface MysqlRef {
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly dbName: string;
  /** As onedb hands it to mysqldump/mysql (their command lines; a failed backup prints one). */
  readonly password: string;
}

/** The database onedb works on: the path it prints and the file it opens. */
export interface DbRef {
  /** As onedb prints it (SQLite). */
  readonly display: string;
  /** The file: the SQLite database, or a MySQL zone's stand-in storage. */
  readonly real: string;
  /** Set when onedb talks to MySQL (the messages and default backup names are MySQL's). */
  readonly mysql?: MysqlRef;
}

/**
 * onedb's one_not_running: the lock file, then an oned answering at the CLI endpoint. The check
 * opens an OpenNebula::Client, which needs a credential file before it connects: without one,
 * restore, upgrade and fsck stop with "ONE_AUTH file not present" (255) even while oned is down.
 */
export function oneNotRunning(ctx: EmulatorContext): void {
  if (lockFileExists(ctx)) throw new OnedbFailure("First stop OpenNebula. Lock file found: /var/lock/one/one");
  if (cliCredential(ctx) === undefined) throw new OnedbFailure(NO_ONE_AUTH);
  const endpoint = clientEndpoint(ctx);
  if (!("error" in connect(ctx, endpoint))) throw new OnedbFailure(`OpenNebula found listening on '${endpoint}'`);
}

/** Ruby's Time#strftime('%m/%d %H:%M:%S') in local time. */
export function shortTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Default backup name: unpadded date parts and colons, like bck_file (MySQL: server and database in it). */
export function defaultBackupName(db: DbRef, federated: boolean): string {
  const t = new Date();
  const stamp = `${federated ? "federated_" : ""}${t.getFullYear()}-${t.getMonth() + 1}-${t.getDate()}_${t.getHours()}:${t.getMinutes()}:${t.getSeconds()}`;
  return db.mysql ? `/var/lib/one/mysql_${db.mysql.server}_${db.mysql.dbName}_${stamp}.sql` : `/var/lib/one/one.db_${stamp}.bck`;
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
