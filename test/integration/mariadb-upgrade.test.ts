/**
 * A full 1+2 upgrade of a federation whose zones are all MySQL-configured, on real MariaDB servers
 * (one per front-end, on 127.0.206.x:3306): `onefed deploy` upgrades every zone, the real mysqldump
 * and mysql of the emulated onedb carry the backups and restores, and the federated restore lands in
 * each slave's MariaDB (read back with the mysql client). The password is in no log, state, plan,
 * run event or local file, and in the command line of none of our processes (the deploy, terraform,
 * the step processes and their children, sampled from /proc while the upgrade runs). The front-ends'
 * own onedb shows it in its `sh -c mysqldump … -p'…'` children, as the real one does: the sandbox's
 * audit records those apart. Needs root and mariadb-server.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SANDBOX_DB_PASSWORD_ENV, advanceFederation, readPasswordLeaks } from "../../sandbox";
import { SandboxLayout } from "../../sandbox/layout";
import { runningMariaDbPid } from "../../sandbox/mariadb";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(1_200_000);

const ADDRESSES = { "zone0-server0": "127.0.206.1", "zone100-server0": "127.0.206.2", "zone101-server0": "127.0.206.3" } as const;

/**
 * Every process below `root` (by /proc/<pid>/stat's ppid) with its command line, except the
 * sandbox's machines: this process started their sshd and MariaDB servers (sandboxUp), so what runs
 * on a front-end hangs below it too, but stands for a remote machine, not for our processes.
 */
function descendants(root: number): Array<{ pid: number; cmdline: Buffer }> {
  const parent = new Map<number, number>();
  const machine = new Set<number>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.replace(/^.*\) \S+ /, "").split(" ")[0]));
      if (/^\d+ \((sshd|mariadbd|unshare)\)/.test(stat)) machine.add(Number(e));
    } catch {
      /* gone */
    }
  }
  const below = (pid: number): boolean => {
    if (machine.has(pid)) return false;
    for (let p = parent.get(pid), n = 0; p !== undefined && p > 1 && n < 64; p = parent.get(p), n++) {
      if (machine.has(p)) return false;
      if (p === root) return true;
    }
    return false;
  };
  const out: Array<{ pid: number; cmdline: Buffer }> = [];
  for (const pid of parent.keys()) {
    if (!below(pid)) continue;
    try {
      out.push({ pid, cmdline: fs.readFileSync(`/proc/${pid}/cmdline`) });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** One query through the real mysql client as oneadmin (password in MYSQL_PWD, not argv); rows tab-separated. */
function mysql(host: string, password: string, sql: string): string {
  const r = spawnSync("mysql", ["--no-defaults", "-h", host, "-P", "3306", "-u", "oneadmin", "--batch", "--skip-column-names", "-e", sql, "opennebula"], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, MYSQL_PWD: password },
  });
  if (r.status !== 0) throw new Error(`mysql on ${host}: ${r.stderr}`);
  return r.stdout.trim();
}

describeAsRoot("a 1+2 MySQL federation on real MariaDB servers (127.0.206.x)", () => {
  let sandbox: SandboxFixture;
  let password = "";
  let output = "";
  const sampled = new Set<string>();
  const exposed: string[] = [];

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.206.1", 2, { mysqlZones: [0, 100, 101] });
    password = sandbox.mysqlPassword();
    process.env[SANDBOX_DB_PASSWORD_ENV] = password;
    // Our process tree, sampled all along the upgrade: the deploy (this process), terraform, the steps.
    const timer = setInterval(() => {
      for (const p of descendants(process.pid)) {
        sampled.add(p.cmdline.toString("utf8").split("\0").slice(0, 3).join(" "));
        if (p.cmdline.includes(password)) exposed.push(p.cmdline.toString("utf8").split("\0").join(" ").split(password).join("***"));
      }
    }, 25);
    try {
      output = await sandbox.deploy();
    } finally {
      clearInterval(timer);
    }
  });
  afterAll(async () => {
    delete process.env[SANDBOX_DB_PASSWORD_ENV];
    if (!sandbox) return;
    const layout = new SandboxLayout(sandbox.dir);
    const pids = Object.keys(ADDRESSES).map((fe) => runningMariaDbPid(layout, fe));
    await sandbox.down();
    // `sandbox down` stopped every server by its PID.
    for (const pid of pids) expect(pid !== undefined && fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("upgrades every zone, each front-end's tables in its own MariaDB", async () => {
    const status = await sandbox.status();
    for (const fe of status.zones.flatMap((z) => z.frontends)) {
      expect([fe.name, fe.packageVersion, `${fe.db.shared}/${fe.db.local}`, fe.passwordLeaks]).toEqual([fe.name, "7.0.0", "7.0.0/7.0.0", 0]);
      expect(fe.onedbPasswordAuths).toBeGreaterThan(0);
      // No SQLite file stands in for it.
      expect(fs.existsSync(sandbox.frontendPath(fe.name, "/var/lib/one/one.db"))).toBe(false);
    }
    for (const [fe, host] of Object.entries(ADDRESSES)) {
      expect(mysql(host, password, "SELECT version FROM local_db_versioning ORDER BY oid DESC LIMIT 1")).toBe("7.0.0");
      expect(sandbox.log(fe).some((e) => e.command.includes(`-t mysql -S ${host} -P 3306 -u oneadmin -d opennebula`))).toBe(true);
    }
    // Idempotent: a second deploy changes nothing.
    expect(await sandbox.deploy()).toMatch(/No changes\.|Resources: 0 added/);
  });

  it("lands the master's federated backup in each slave's MariaDB", () => {
    // The last zone enable reaches a slave with the master's next request (as oned replicates): make one.
    advanceFederation(sandbox.dir, 0);
    const master = ADDRESSES["zone0-server0"];
    const shared = "SELECT version, comment FROM db_versioning ORDER BY oid DESC LIMIT 1";
    const zones = "SELECT oid, body FROM zone_pool ORDER BY oid";
    const fed = "SELECT MAX(fed_index) FROM logdb WHERE fed_index < 1e19";
    for (const fe of ["zone100-server0", "zone101-server0"] as const) {
      expect(sandbox.log(fe).some((e) => /onedb restore \S+ -t mysql .* --federated/.test(e.command) || /onedb restore .*--federated/.test(e.command))).toBe(
        true,
      );
      const slave = ADDRESSES[fe];
      // The shared tables are the master's: its migration comment, not a slave's own.
      expect(mysql(slave, password, shared)).toBe(mysql(master, password, shared));
      expect(mysql(slave, password, shared)).toMatch(/^7\.0\.0\tDatabase migrated from 6\.10\.0 to 7\.0\.0/);
      expect(mysql(slave, password, zones)).toBe(mysql(master, password, zones));
      expect(Number(mysql(slave, password, fed))).toBeGreaterThanOrEqual(715438);
    }
  });

  it("keeps the password out of our processes' command lines, our files and the output", () => {
    // The sampler saw the steps run (it would prove nothing otherwise).
    // A step is `onefed step` in its own process, or the launcher (bin/onefed-step) of the warm runner's.
    expect([...sampled].some((c) => / step /.test(c) || /onefed(\.js)? step/.test(c) || /\/onefed-step /.test(c))).toBe(true);
    expect(exposed).toEqual([]);
    expect(output).not.toContain(password);
    expect(sandbox.log().some((e) => e.command.includes(password))).toBe(false);
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        // Front-end side, as on a real front-end: its tree and /etc overlay (oned.conf's PASSWD), its
        // MariaDB's files; the password file is the secret store. Everything else is the automation host's:
        // state, plans, synthesized JSON, run directories and their events and logs, history.
        if (f.isDirectory() && !["root", "etc-overlay", "mariadb", ".terraform"].includes(f.name)) walk(p);
        else if (f.isFile() && f.name !== "mysql-password" && f.name !== "password-leaks.log" && fs.statSync(p).size < 5_000_000) files.push(p);
      }
    };
    walk(sandbox.dir);
    expect(files.some((f) => f.endsWith("terraform.tfstate"))).toBe(true);
    expect(files.some((f) => /events|\.jsonl$/.test(f))).toBe(true);
    expect(files.filter((f) => fs.readFileSync(f).includes(password))).toEqual([]);
  });

  it("sees the front-ends' onedb show it in its own mysqldump/mysql command lines, as the real onedb does, and nothing else", () => {
    const leaks = readPasswordLeaks(sandbox.dir);
    expect(leaks.filter((l) => l.origin !== "onedb")).toEqual([]);
    const exposures = leaks.filter((l) => l.origin === "onedb");
    expect(exposures.some((l) => /^sh -c mysqldump -u oneadmin -p'\*\*\*' -h 127\.0\.206\.\d -P 3306 /.test(l.command))).toBe(true);
    expect(exposures.some((l) => /^sh -c mysql -u oneadmin -p'\*\*\*' -h 127\.0\.206\.\d -P 3306 opennebula < /.test(l.command))).toBe(true);
    expect(JSON.stringify(leaks)).not.toContain(password);
  });
});
