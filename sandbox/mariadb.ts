/**
 * The real MariaDB of MySQL-configured zones (Debian's mariadb-server): one server per front-end,
 * as each front-end of a real MySQL zone has its own (an HA zone's servers too, every one holding a
 * database of the same name, which one shared server could not). Each listens on its front-end's
 * own loopback address, port 3306, runs as the sandbox user from a data directory inside the
 * sandbox (`mariadb-install-db`, then `mariadbd --no-defaults …`), and is stopped by its PID.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SandboxPrerequisiteError, SandboxError } from "./errors";
import { SandboxLayout } from "./layout";
import { MYSQL } from "./mysql";
import { UserIds } from "./prerequisites";
import { MachineEntry } from "./registry";

/** The Debian packages a MySQL zone needs on the host. */
export const MARIADB_PACKAGES = ["mariadb-server", "mariadb-client"] as const;

/** The server, its installer, and the clients the emulated onedb runs (the real onedb's mysqldump and mysql). */
const MARIADB_TOOLS = { mariadbd: "/usr/sbin/mariadbd", "mariadb-install-db": "", mariadb: "", mysqldump: "", mysql: "" } as const;

/** MariaDB is not installed: `up` with MySQL zones stops before writing anything. */
export class MariaDbMissingError extends SandboxPrerequisiteError {
  constructor(missing: readonly string[]) {
    super(
      `MySQL zones need a real MariaDB, and ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing: ` +
        `apt-get install -y ${MARIADB_PACKAGES.join(" ")} (the sandbox starts its own servers; the system's service may stay stopped), ` +
        "or bring the sandbox up without --mysql",
    );
  }
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? "/usr/bin:/bin").split(":").some((d) => d !== "" && fs.existsSync(path.join(d, tool)));
}

/** Throws MariaDbMissingError unless the server, its installer and the clients are all there. */
export function ensureMariaDb(): void {
  const missing = Object.entries(MARIADB_TOOLS)
    .filter(([tool, fixed]) => !(fixed ? fs.existsSync(fixed) : onPath(tool)))
    .map(([tool]) => tool);
  if (missing.length > 0) throw new MariaDbMissingError(missing);
}

/**
 * Small on purpose: a sandbox runs one server per MySQL front-end on a shared machine. The host's
 * option files are never read (--no-defaults), so a system MariaDB's settings change nothing.
 */
const SERVER_TUNING = [
  "--innodb-buffer-pool-size=8M",
  "--innodb-log-file-size=4M",
  // Debian's packaged 50-server.cnf sets these (--no-defaults drops the file, not the choice).
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_general_ci",
  "--performance-schema=OFF",
  "--skip-name-resolve",
  "--max-connections=60",
];

/** `mariadb-install-db` for a front-end's data directory (run as root; it hands the files to `user`). */
export function installDbArgv(layout: SandboxLayout, fe: string, user: string): string[] {
  return [
    "mariadb-install-db",
    "--no-defaults",
    `--datadir=${layout.mariadb(fe, "data")}`,
    `--user=${user}`,
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
    // Its own temporary directory: bootstraps running side by side collide in a shared /tmp.
    `--tmpdir=${path.dirname(layout.mariadb(fe, "data"))}`,
    ...SERVER_TUNING.slice(0, 2),
  ];
}

/** `mariadbd` for a front-end: its data directory, socket, pid file and log, its address and port 3306. */
export function mariadbdArgv(layout: SandboxLayout, fe: MachineEntry): string[] {
  return [
    MARIADB_TOOLS.mariadbd,
    "--no-defaults",
    `--datadir=${layout.mariadb(fe.name, "data")}`,
    `--socket=${layout.mariadb(fe.name, "socket")}`,
    `--pid-file=${layout.mariadb(fe.name, "pid")}`,
    `--log-error=${layout.mariadb(fe.name, "log")}`,
    `--tmpdir=${path.dirname(layout.mariadb(fe.name, "data"))}`,
    `--bind-address=${fe.host}`,
    `--port=${MYSQL.port}`,
    ...SERVER_TUNING,
  ];
}

/** The SQL (fed on stdin, never argv) that creates the database and the account oned.conf names. */
export function provisionSql(password: string): string {
  const quoted = `'${password.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return [
    `CREATE DATABASE IF NOT EXISTS ${MYSQL.dbName};`,
    `CREATE USER IF NOT EXISTS '${MYSQL.user}'@'%' IDENTIFIED BY ${quoted};`,
    `GRANT ALL PRIVILEGES ON ${MYSQL.dbName}.* TO '${MYSQL.user}'@'%';`,
    "",
  ].join("\n");
}

/** The running server's pid (its pid file, checked against /proc), or undefined. */
export function runningMariaDbPid(layout: SandboxLayout, fe: string): number | undefined {
  let pid: number;
  try {
    pid = parseInt(fs.readFileSync(layout.mariadb(fe, "pid"), "utf8"), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || !alive(pid)) return undefined;
  try {
    return /(^|\/)mariadbd$/.test(fs.readlinkSync(`/proc/${pid}/exe`)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** An exited server this process started and has not reaped yet (node reaps on a later SIGCHLD turn). */
function unreapedChild(pid: number): boolean {
  try {
    const m = /^\d+ \(.*\) Z (\d+)/.exec(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    return m !== null && Number(m[1]) === process.pid;
  } catch {
    return false;
  }
}

/** Runs a command to its end; rejects with its stderr's last lines. */
function runToEnd(argv: readonly string[], o: { input?: string; uid?: number; gid?: number; what: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(argv[0], argv.slice(1), {
      stdio: ["pipe", "ignore", "pipe"],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid } : {}),
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (e) => reject(new SandboxError(`${o.what}: ${e.message}`)));
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new SandboxError(`${o.what} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" ")}`)),
    );
    child.stdin!.end(o.input ?? "");
  });
}

/** The root client over the server's socket (root@localhost authenticates by its uid, no password). */
function asRoot(layout: SandboxLayout, fe: string, sql: string, database?: string): Promise<void> {
  const argv = ["mariadb", "--no-defaults", `--socket=${layout.mariadb(fe, "socket")}`, "-u", "root", "--batch", ...(database ? [database] : [])];
  return runToEnd(argv, { input: sql, what: `mariadb (root) for ${fe}` });
}

/**
 * Starts a front-end's server unless it runs: a new data directory on first start, then mariadbd as
 * the sandbox user, then (once) the database, the account and the seeded tables. `password` is the
 * sandbox's (D/mysql-password); it travels on the root client's stdin only.
 */
export async function startMariaDb(layout: SandboxLayout, fe: MachineEntry, ids: UserIds, password: string, user: string): Promise<number> {
  const running = runningMariaDbPid(layout, fe.name);
  if (running !== undefined) return running;
  const dir = path.dirname(layout.mariadb(fe.name, "data"));
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  fs.chownSync(dir, ids.uid, ids.gid);
  if (!fs.existsSync(path.join(layout.mariadb(fe.name, "data"), "mysql"))) {
    await runToEnd(installDbArgv(layout, fe.name, user), { what: `mariadb-install-db for ${fe.name}` });
  }
  fs.rmSync(layout.mariadb(fe.name, "pid"), { force: true });
  const argv = mariadbdArgv(layout, fe);
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: "ignore", uid: ids.uid, gid: ids.gid, cwd: "/" });
  let exit = "";
  child.once("exit", (code, signal) => (exit = signal ?? `exit ${code}`));
  child.once("error", (e) => (exit = e.message));
  child.unref();
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exit !== "") throw new SandboxError(`mariadbd for ${fe.name} on ${fe.host}:${MYSQL.port} stopped (${exit}): ${logTail(layout, fe.name)}`);
    if (fs.existsSync(layout.mariadb(fe.name, "socket")) && runningMariaDbPid(layout, fe.name) !== undefined) break;
    if (Date.now() > deadline) throw new SandboxError(`mariadbd for ${fe.name} did not start within 120 s: ${logTail(layout, fe.name)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seed = layout.mariadb(fe.name, "seed");
  if (fs.existsSync(seed)) {
    await asRoot(layout, fe.name, provisionSql(password));
    await asRoot(layout, fe.name, fs.readFileSync(seed, "utf8"), MYSQL.dbName);
    fs.rmSync(seed);
  }
  return child.pid!;
}

function logTail(layout: SandboxLayout, fe: string): string {
  try {
    return fs.readFileSync(layout.mariadb(fe, "log"), "utf8").trim().split("\n").slice(-3).join(" ");
  } catch {
    return "no log";
  }
}

/** Stops a front-end's server by its PID (SIGTERM: a clean shutdown; SIGKILL after 60 s). */
export async function stopMariaDb(layout: SandboxLayout, fe: string): Promise<void> {
  const pid = runningMariaDbPid(layout, fe);
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 60_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, "SIGKILL");
  // Stopped means gone: when this process started the server, wait for node to reap it, so that
  // a caller checking /proc right after `sandbox down` does not find the zombie (a loaded host
  // delivers the SIGCHLD a few turns later).
  const reapDeadline = Date.now() + 5_000;
  while ((alive(pid) || unreapedChild(pid)) && Date.now() < reapDeadline) await new Promise((r) => setTimeout(r, 20));
}
