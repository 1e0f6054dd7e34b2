/**
 * A real PostgreSQL for the remote-state tests: Debian's `postgresql` binaries, a cluster of its
 * own (initdb in a temporary directory owned by the `postgres` user), listening on one loopback
 * address, a password-protected role, stopped by its postmaster's PID. With $ONEFED_TEST_PG_CONN
 * set, that server is used instead and nothing is started.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A server CI (or the developer) already runs: its connection string. */
export const EXTERNAL_PG_ENV = "ONEFED_TEST_PG_CONN";

/** The newest installed server's bin directory (/usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? path.join(root, majors[0], "bin") : undefined;
}

export class PostgresFixture {
  private constructor(
    /** postgres://… with the role's password: what the federation file's connEnv variable holds. */
    readonly connectionString: string,
    /** The role's password, for tests that grep it out of logs and files. */
    readonly password: string,
    private readonly dir?: string,
    private readonly pid?: number,
    private readonly binDir?: string,
  ) {}

  /** Starts a cluster on `host`:`port` (or uses $ONEFED_TEST_PG_CONN). Needs root, to run the server as `postgres`. */
  static async start(host: string, port = 5432): Promise<PostgresFixture> {
    const external = process.env[EXTERNAL_PG_ENV];
    if (external) return new PostgresFixture(external, new URL(external).password);
    const binDir = postgresBinDir();
    if (!binDir) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql (.ci/run installs it)");
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-pg-"));
    fs.chownSync(dir, uid, gid);
    const password = crypto.randomBytes(12).toString("hex");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    fs.chownSync(pwfile, uid, gid);
    const asPostgres = { uid, gid, env: { PATH: process.env.PATH, LANG: "C.UTF-8" }, cwd: dir };
    const data = path.join(dir, "data");
    execFileSync(path.join(binDir, "initdb"), ["-D", data, "-U", "onefed", "--pwfile", pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"], {
      ...asPostgres,
      stdio: "pipe",
    });
    fs.rmSync(pwfile);
    // Its own socket directory and address: the machine's cluster (if any) and other tests' are left alone.
    const options = `-c listen_addresses=${host} -c port=${port} -c unix_socket_directories=${dir} -c fsync=off`;
    execFileSync(path.join(binDir, "pg_ctl"), ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"], {
      ...asPostgres,
      stdio: "pipe",
    });
    const pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return new PostgresFixture(`postgres://onefed:${password}@${host}:${port}/postgres?sslmode=disable`, password, dir, pid, binDir);
  }

  /** Runs SQL with psql as the fixture's role; its stdout (unaligned, tuples only). */
  sql(query: string): string {
    const psql = this.binDir ? path.join(this.binDir, "psql") : "psql";
    return execFileSync(psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", this.connectionString, "-c", query], { encoding: "utf8" }).trim();
  }

  /** Stops the server it started (fast shutdown by its postmaster's PID) and removes the cluster. */
  async stop(): Promise<void> {
    if (this.pid === undefined || !this.dir) return;
    try {
      process.kill(this.pid, "SIGINT");
    } catch {
      /* already gone */
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && alive(this.pid)) await new Promise((r) => setTimeout(r, 100));
    if (alive(this.pid)) process.kill(this.pid, "SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
