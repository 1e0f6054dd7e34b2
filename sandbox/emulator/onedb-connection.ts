/**
 * Which database onedb opens, as onedb.rb decides (docs/opennebula.md §5.4): `-t`, else MySQL when any
 * connection option is given, else oned.conf's DB section. MySQL: the password comes from `-p` (or
 * oned.conf's PASSWD), then ONE_DB_PASSWORD, then a prompt; the front-end's own MariaDB server then checks
 * host, account, password and database like MySQL does, with MySQL's errors.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { DbRef, OnedbArgs, OnedbFailure, SQLITE_PATH } from "./onedb-common";
import { out } from "./io";
import { ONE_FILES } from "../contract";
import { MYSQL } from "../mysql";
import { mariadbLocator } from "../db-store";

/** oned.conf's DB attributes as Augeas returns them to onedb: quotes and backslashes removed. */
export function onedConfDb(conf: string): Record<string, string> {
  const section = /^[ \t]*DB[ \t]*=[ \t]*\[([^\]]*)\]/m.exec(conf)?.[1] ?? "";
  const attrs: Record<string, string> = {};
  for (const m of section.matchAll(/(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)/g)) {
    attrs[m[1].toUpperCase()] = m[2].replace(/^"|"$/g, "").replace(/\\/g, "");
  }
  return attrs;
}

/**
 * Whether Augeas' Oned lens would load the file: it rejects the whole file on a syntax error
 * anywhere (an unterminated string, an unbalanced bracket), and onedb then reads no DB attribute
 * at all and stops with "You need to specify the SQLite, MySQL or PostgreSQL connection options."
 * The sandbox checks only quotes and brackets outside comments.
 */
export function augeasParses(conf: string): boolean {
  let depth = 0;
  for (const raw of conf.split("\n")) {
    const line = raw.replace(/^\s*#.*$/, "");
    const unquoted = line.replace(/"(?:[^"\\]|\\.)*"/g, "S");
    if (unquoted.includes('"')) return false;
    for (const c of unquoted.replace(/#.*$/, "")) {
      if (c === "[") depth++;
      else if (c === "]" && --depth < 0) return false;
    }
  }
  return depth === 0;
}

/** What onedb connects with, before the defaults are applied. */
interface Options {
  readonly server?: string;
  readonly port?: string;
  readonly user?: string;
  readonly password?: string;
  readonly dbName?: string;
}

/** -s / -t sqlite / oned.conf's SQLite, or a MySQL connection the real server accepted. */
export function chooseDb(ctx: EmulatorContext, a: OnedbArgs): DbRef {
  let backend = a.type;
  let options: Options = a;
  let fromConf = false;
  if (backend === undefined && !a.connection) {
    let conf = "";
    try {
      conf = fs.readFileSync(ctx.ownPath(ONE_FILES.onedConf), "utf8");
    } catch {
      /* Augeas loads nothing from a missing file: every attribute is nil */
    }
    const db = augeasParses(conf) ? onedConfDb(conf) : {};
    backend = db.BACKEND?.toLowerCase();
    options = { server: db.SERVER, port: db.PORT, user: db.USER, password: db.PASSWD, dbName: db.DB_NAME };
    fromConf = true;
  } else if (backend === undefined) backend = "mysql";
  if (backend === "sqlite") return { display: a.sqlite ?? SQLITE_PATH, real: a.sqlite ? ctx.userPath(a.sqlite) : ctx.ownPath(SQLITE_PATH) };
  if (backend !== "mysql") throw new OnedbFailure("You need to specify the SQLite, MySQL or PostgreSQL connection options.");
  return connectMysql(ctx, options, fromConf);
}

/** Ruby's `v[1..-2] if v[0] == ?"`. */
function unquote(v: string): string {
  return v.startsWith('"') ? v.slice(1, -1) : v;
}

function connectMysql(ctx: EmulatorContext, o: Options, fromConf: boolean): DbRef {
  let password = o.password;
  let fromCaller = password !== undefined && !fromConf;
  if (password === undefined && ctx.env.ONE_DB_PASSWORD !== undefined) {
    password = ctx.env.ONE_DB_PASSWORD;
    fromCaller = true;
  }
  if (password === undefined) promptForPassword();
  // BackEndMySQL checks USER, then DBNAME: with both missing it names DBNAME.
  if (o.user === undefined || o.dbName === undefined) throw new OnedbFailure(`MySQL option ${o.dbName === undefined ? "DBNAME" : "USER"} is needed`);
  const mysql = {
    server: unquote(o.server ?? "localhost"),
    port: Number(unquote(o.port ?? "0")) || 0,
    user: unquote(o.user),
    dbName: unquote(o.dbName),
    password: unquote(password),
  };
  connect(mysql);
  if (fromCaller) ctx.update((s) => void (s.onedbPasswordAuths = (s.onedbPasswordAuths ?? 0) + 1));
  // The connection proved the password is the account's, i.e. the one in D/mysql-password.
  const real = mariadbLocator({
    host: mysql.server,
    port: mysql.port || MYSQL.port,
    user: mysql.user,
    database: mysql.dbName,
    passwordFile: ctx.layout.mysqlPassword,
  });
  return { display: `${mysql.dbName} at ${mysql.server}`, real, mysql };
}

/**
 * get_password: `stty -echo` (which complains without a terminal), the prompt, then STDIN.gets.
 * Over SSH without a terminal the real onedb waits there for ever; the sandbox fails instead.
 */
function promptForPassword(): never {
  out("MySQL Password: ");
  // tty loads net: only this path needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand, see above
  const stty = (require("tty") as typeof import("tty")).isatty(0) ? "" : "stty: 'standard input': Inappropriate ioctl for device\n";
  throw new OnedbFailure(
    `${stty}onedb (sandbox): no MySQL password from -p, ONE_DB_PASSWORD or oned.conf; the real onedb now waits for one on stdin ` +
      "(over SSH without a terminal: for ever). The sandbox does not wait.",
  );
}

/**
 * BackEndMySQL#connect_db: Sequel's mysql2 connection, made here by the real `mariadb` client with
 * the same host, port, account and database (the password in its environment, as mysql2 keeps it
 * out of argv). What the server or the client library says is onedb's error, as mysql2 reports it:
 * `localhost` with port 0 means the default socket, where no sandbox server listens (each listens on
 * its front-end's address), so a SQLite zone and `-S localhost` get the socket error.
 */
function connect(c: { server: string; port: number; user: string; password: string; dbName: string }): void {
  const argv = ["--no-defaults", "-h", c.server, ...(c.port ? ["-P", String(c.port)] : []), "-u", c.user, "--connect-timeout=5", "-e", "SELECT 1", c.dbName];
  const r = spawnSync("mariadb", argv, { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MYSQL_PWD: c.password } });
  if (r.status === 0) return;
  const why = r.error ? r.error.message : (/^ERROR \d+ \([^)]*\)(?: at line \d+)?: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr.trim());
  throw new OnedbFailure(`Error connecting to DB: Mysql2::Error::ConnectionError: ${why}`);
}
