/**
 * MySQL-configured zones (`mysqlZones`): the sandbox's password (file, oned.conf, federation.yaml),
 * the emulated onedb choosing its backend and password like onedb.rb (oned.conf, -p,
 * ONE_DB_PASSWORD, the prompt), the stand-in server's MySQL errors, MySQL's backup/restore
 * messages and default names, the process-list audit and the status counters. SQLite zones of the
 * same sandbox keep their behaviour.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { readPasswordLeaks, sandboxStatus, setMigratorMissing } from "../../sandbox";
import { planSandbox } from "../../sandbox/prepare";
import { runSandboxCommand } from "../../lib/cli/sandbox-command";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

/** Every sandbox of this file with MySQL zones runs real MariaDB servers on these addresses (one per front-end, port 3306). */
const BASE = "127.0.207.1";
const [MASTER_IP, SLAVE_GE_IP] = ["127.0.207.1", "127.0.207.2"];
/** What withOnedbConnection puts after the subcommand for the sandbox's federation.yaml (zone 0: its front-end's own server). */
const CONN = `-t mysql -S ${MASTER_IP} -P 3306 -u oneadmin -d opennebula`;
/** The tool's stdin wrapper (lib/opennebula/remote-command.ts withDbPassword). */
const WRAP = `sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh`;
const VERSION_OUT = "Shared: 6.10.0\nLocal:  6.10.0\nRequired shared version: 6.10.0\nRequired local version:  6.10.0\n";
const refused = (why: string): { stdout: string; stderr: string; code: number } => ({
  stdout: "",
  stderr: `Error connecting to DB: Mysql2::Error::ConnectionError: ${why}\n`,
  code: 255,
});
const MYSQL_DUMP_TAIL = "Use 'onedb restore' or restore the DB using the mysql command:\nmysql -u user -h server -P port db_name < backup_file\n\n";

describe("MySQL zones: options and files", () => {
  it("refuses an unknown zone id", () => {
    expect(() => planSandbox({ dir: "/tmp/onefed-plan", mysqlZones: [102] }, "n", "e")).toThrow(/--mysql 102: no such zone \(the zones are 0, 100, 101\)/);
  });

  it("gives every zone's front-ends a MySQL oned.conf, and per-zone database settings in federation.yaml when not all are MySQL", () => {
    const sb = EmulatorSandbox.create({ mysqlZones: [100, 0, 100], addressBase: BASE });
    try {
      const password = fs.readFileSync(`${sb.dir}/mysql-password`, "utf8");
      expect(password).toMatch(/^[A-Za-z0-9]{20,}\n$/);
      expect(fs.statSync(`${sb.dir}/mysql-password`).mode & 0o777).toBe(0o600);
      const conf = fs.readFileSync(sb.path(MASTER, "/etc/one/oned.conf"), "utf8");
      expect(conf).toContain(
        `DB = [ BACKEND = "mysql",\n       SERVER  = "${MASTER_IP}",\n       PORT    = 3306,\n       USER    = "oneadmin",\n` +
          `       PASSWD  = "${password.trim()}",\n       DB_NAME = "opennebula",\n       CONNECTIONS = 25 ]\n`,
      );
      expect(fs.statSync(sb.path(MASTER, "/etc/one/oned.conf")).mode & 0o777).toBe(0o640);
      expect(fs.readFileSync(sb.path(SLAVE_CA, "/etc/one/oned.conf"), "utf8")).toContain('DB = [ BACKEND = "sqlite", TIMEOUT = 2500 ]\n');
      const yaml = fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8");
      const db = (ip: string): string =>
        `database: { backend: mysql, passwordEnv: ONEFED_SANDBOX_DB_PASSWORD, server: ${ip}, port: 3306, user: oneadmin, name: opennebula }`;
      expect(yaml).toContain(`frontends: [ { host: 127.0.207.1, port: 22 } ], ${db(MASTER_IP)} }\n`);
      expect(yaml).toContain(`frontends: [ { host: 127.0.207.2, port: 22 } ], ${db(SLAVE_GE_IP)} }\n`);
      expect(yaml).toContain("frontends: [ { host: 127.0.207.3, port: 22 } ] }\n");
      expect(yaml).not.toContain(password.trim());
      const reg = JSON.parse(fs.readFileSync(`${sb.dir}/sandbox.json`, "utf8"));
      expect(reg.zones.map((z: { dbBackend?: string }) => z.dbBackend ?? "sqlite")).toEqual(["mysql", "mysql", "sqlite"]);
    } finally {
      sb.remove();
    }
  });

  it("puts the backend and password variable at the top when every zone is MySQL, each zone naming its front-end's server (an HA zone none)", () => {
    const sb = EmulatorSandbox.create({ mysqlZones: [0, 100, 101], nodes: 1, ha: [101], servers: 2, addressBase: BASE });
    try {
      const yaml = fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8");
      expect(yaml).toContain("hosts: { manage: true }\ndatabase: { backend: mysql, passwordEnv: ONEFED_SANDBOX_DB_PASSWORD }\nzones:\n");
      expect(yaml).toContain("port: 22 } ], database: { server: 127.0.207.1, port: 3306, user: oneadmin, name: opennebula }, nodes:");
      expect(yaml).toContain("port: 22 } ], database: { server: 127.0.207.2, port: 3306, user: oneadmin, name: opennebula }, nodes:");
      expect(yaml.match(/database:/g)).toHaveLength(3);
    } finally {
      sb.remove();
    }
  });

  it("writes no password file and no database entry without MySQL zones", () => {
    const sb = EmulatorSandbox.create();
    try {
      expect(fs.existsSync(`${sb.dir}/mysql-password`)).toBe(false);
      expect(fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8")).not.toContain("database:");
    } finally {
      sb.remove();
    }
  });
});

/** The emulated onedb of MySQL zones needs their real MariaDB servers: root and mariadb-server (.ci/run installs it). */
const withMariaDb = process.getuid?.() === 0 && fs.existsSync("/usr/sbin/mariadbd") ? describe : describe.skip;
if (withMariaDb === describe.skip) console.warn("sandbox-mysql: the MariaDB tests are skipped (they need root and mariadb-server)");

withMariaDb("emulated onedb on MySQL zones 0 and 100 (101 SQLite)", () => {
  let sb: EmulatorSandbox;
  let password: string;
  const auths = async (fe = MASTER): Promise<number> =>
    (await sandboxStatus(sb.dir)).zones.flatMap((z) => z.frontends).find((f) => f.name === fe)!.onedbPasswordAuths;
  beforeAll(async () => {
    sb = EmulatorSandbox.create({ mysqlZones: [0, 100], addressBase: BASE });
    password = fs.readFileSync(`${sb.dir}/mysql-password`, "utf8").trim();
    await sb.startMariaDb();
  }, 180_000);
  afterAll(() => sb.remove());

  it("reads oned.conf, PASSWD included, when no connection option is given: no password from the caller", async () => {
    expect(sb.run(MASTER, "onedb version")).toEqual({ stdout: VERSION_OUT, stderr: "", code: 0 });
    expect(await auths()).toBe(0);
  });

  it("prompts for the password when the caller gives connection options but none, and does not wait", () => {
    const r = sb.run(MASTER, `onedb version ${CONN}`);
    expect(r.stdout).toBe("MySQL Password: ");
    expect(r.stderr).toBe(
      "stty: 'standard input': Inappropriate ioctl for device\n" +
        "onedb (sandbox): no MySQL password from -p, ONE_DB_PASSWORD or oned.conf; the real onedb now waits for one on stdin (over SSH without a terminal: for ever). The sandbox does not wait.\n",
    );
    expect(r.code).toBe(255);
    // Any connection option without -t means MySQL.
    expect(sb.run(MASTER, "onedb version -u oneadmin").stdout).toBe("MySQL Password: ");
  });

  it("takes the password from the tool's stdin wrapper (ONE_DB_PASSWORD) and counts the authentication", async () => {
    expect(sb.run(MASTER, `${WRAP} onedb version ${CONN}`, {}, `${password}\n`)).toEqual({ stdout: VERSION_OUT, stderr: "", code: 0 });
    expect(await auths()).toBe(1);
    expect(sb.run(MASTER, `${WRAP} onedb version ${CONN}`, {}, "not-the-password\n")).toEqual(
      refused("Access denied for user 'oneadmin'@'127.0.0.1' (using password: YES)"),
    );
    expect(await auths()).toBe(1);
  });

  it.each([
    ["a wrong user", `-t mysql -S ${MASTER_IP} -P 3306 -u root -d opennebula`, "Access denied for user 'root'@'127.0.0.1' (using password: YES)"],
    ["a wrong database", `-t mysql -S ${MASTER_IP} -P 3306 -u oneadmin -d one`, "Access denied for user 'oneadmin'@'%' to database 'one'"],
    ["an unknown host", `-t mysql -S db.example -P 0 -u oneadmin -d opennebula`, "Unknown server host 'db.example' (-2)"],
    ["an address nothing listens on", `-t mysql -S 127.0.209.254 -P 3306 -u oneadmin -d opennebula`, "Can't connect to server on '127.0.209.254' (115)"],
    // localhost with port 0 is the default socket: no sandbox server listens there (each listens on its front-end's address).
    ["localhost", `-t mysql -S localhost -P 0 -u oneadmin -d opennebula`, "Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"],
  ])("refuses %s with the server's or the client library's error, as mysql2 reports it", (_, options, why) => {
    expect(sb.run(MASTER, `onedb version ${options}`, { ONE_DB_PASSWORD: password })).toEqual(refused(why));
  });

  it("says 'using password: NO' for an empty password, and names a missing -d like BackEndMySQL", () => {
    expect(sb.run(MASTER, `onedb version ${CONN}`, { ONE_DB_PASSWORD: "" })).toEqual(
      refused("Access denied for user 'oneadmin'@'127.0.0.1' (using password: NO)"),
    );
    expect(sb.run(MASTER, "onedb version -t mysql", { ONE_DB_PASSWORD: password })).toEqual({
      stdout: "",
      stderr: "MySQL option DBNAME is needed\n",
      code: 255,
    });
    expect(sb.run(MASTER, "onedb version -d opennebula", { ONE_DB_PASSWORD: password })).toEqual({
      stdout: "",
      stderr: "MySQL option USER is needed\n",
      code: 255,
    });
  });

  it("has no MySQL server on a SQLite zone, and keeps that zone's onedb as it was", () => {
    expect(sb.run(SLAVE_CA, "onedb version -t mysql -S localhost -P 0 -u oneadmin -d opennebula", { ONE_DB_PASSWORD: password })).toEqual(
      refused("Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"),
    );
    expect(sb.run(SLAVE_CA, "onedb version", { ONE_DB_PASSWORD: "ignored" }).code).toBe(0);
    expect(sb.run(SLAVE_CA, `onedb backup ${sb.work}/ca.bck`).stdout).toBe(
      `Sqlite database backup stored in ${sb.work}/ca.bck\nUse 'onedb restore' to restore the DB.\n`,
    );
  });

  it("refuses oned.conf's PASSWD when it is not the server's", () => {
    const conf = sb.path(SLAVE_GE, "/etc/one/oned.conf");
    const before = fs.readFileSync(conf, "utf8");
    fs.writeFileSync(conf, before.replace(`PASSWD  = "${password}"`, 'PASSWD  = "stale"'));
    try {
      expect(sb.run(SLAVE_GE, "onedb version")).toEqual(refused("Access denied for user 'oneadmin'@'127.0.0.1' (using password: YES)"));
    } finally {
      fs.writeFileSync(conf, before);
    }
  });

  it("prints MySQL's backup messages, with the default name mysql_<server>_<db>_[federated_]<date>.sql", () => {
    expect(sb.run(MASTER, `onedb backup ${CONN} -v -f /var/lib/one/backups/full.sql`, { ONE_DB_PASSWORD: password })).toEqual({
      stdout: `MySQL dump stored in /var/lib/one/backups/full.sql\n${MYSQL_DUMP_TAIL}`,
      stderr: "",
      code: 0,
    });
    expect(fs.readFileSync(sb.path(MASTER, "/var/lib/one/backups/full.sql"), "utf8")).toContain("CREATE TABLE `user_pool` (");
    const plain = sb.run(MASTER, "onedb backup");
    const name = /^MySQL dump stored in (\/var\/lib\/one\/mysql_127.0.207.1_opennebula_\d{4}-[1-9]\d?-[1-9]\d?_\d{1,2}:\d{1,2}:\d{1,2}\.sql)\n/.exec(
      plain.stdout,
    )?.[1];
    expect(name).toBeDefined();
    expect(plain.stdout).toBe(`MySQL dump stored in ${name}\n${MYSQL_DUMP_TAIL}`);
    expect(fs.existsSync(sb.path(MASTER, name!))).toBe(true);
    const fed = sb.run(MASTER, "onedb backup --federated -v");
    expect(fed.stdout).toMatch(
      /^MySQL dump stored in \/var\/lib\/one\/mysql_127.0.207.1_opennebula_federated_\d{4}-\d{1,2}-\d{1,2}_\d{1,2}:\d{1,2}:\d{1,2}\.sql\n/,
    );
    expect(sb.run(MASTER, "onedb backup /var/lib/one/backups/full.sql")).toEqual({
      stdout: "",
      stderr: "File /var/lib/one/backups/full.sql exists, backup aborted. Use -f to overwrite.\n",
      code: 255,
    });
  });

  it("fails a backup the shell cannot write like system('mysqldump … > file'): sh's error, then the whole command line", () => {
    expect(sb.run(MASTER, "onedb backup /nonexistent/x.sql")).toEqual({
      stdout: "",
      stderr:
        "sh: 1: cannot create /nonexistent/x.sql: Directory nonexistent\n" +
        `Unknown error running 'mysqldump -u oneadmin -p'${password}' -h ${MASTER_IP} -P 3306 --add-drop-database --databases --add-drop-table opennebula  > /nonexistent/x.sql'\n`,
      code: 255,
    });
  });

  it("restores with MySQL's messages: refuses an existing database without -f or --federated, fails on a broken file", () => {
    expect(sb.run(MASTER, "onedb restore /var/lib/one/backups/full.sql")).toEqual({
      stdout: "",
      stderr: "First stop OpenNebula. Lock file found: /var/lock/one/one\n",
      code: 255,
    });
    expect(sb.run(MASTER, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(MASTER, "onedb restore /var/lib/one/backups/full.sql")).toEqual({
      stdout: "",
      stderr: `MySQL database opennebula at ${MASTER_IP} exists, use -f to overwrite.\n`,
      code: 255,
    });
    expect(sb.run(MASTER, `onedb restore ${CONN} -v -f /var/lib/one/backups/full.sql`, { ONE_DB_PASSWORD: password })).toEqual({
      stdout: `MySQL DB opennebula at ${MASTER_IP} restored.\n`,
      stderr: "",
      code: 0,
    });
    expect(sb.run(MASTER, `onedb backup --federated -f ${sb.work}/fed.sql`).code).toBe(0);
    expect(sb.run(MASTER, `onedb restore ${sb.work}/fed.sql -v --federated`)).toEqual({
      stdout: `MySQL DB opennebula at ${MASTER_IP} restored.\n`,
      stderr: "",
      code: 0,
    });
    const full = fs.readFileSync(`${sb.work}/fed.sql`, "utf8");
    fs.writeFileSync(`${sb.work}/cut.sql`, full.slice(0, Math.floor(full.length / 2)));
    const r = sb.run(MASTER, `onedb restore ${sb.work}/cut.sql --federated`);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Error while restoring MySQL DB opennebula at 127\.0\.207\.1\.\n$/);
    // mysql stops at the cut: unlike a SQLite dump, no table is in a transaction, so the tables before
    // it are the file's and logdb (appended last) is the old one; a good restore puts everything back.
    expect(sb.run(MASTER, "onedb version").code).toBe(0);
    expect(sb.run(MASTER, "onedb restore -f /var/lib/one/backups/full.sql").code).toBe(0);
    expect(sb.run(MASTER, "onedb version")).toEqual({ stdout: VERSION_OUT, stderr: "", code: 0 });
  });

  it("upgrades through the connection options, its own backup and a rollback in MySQL's words", () => {
    const upgradePackages = (fe: string): void => {
      fs.writeFileSync(sb.path(fe, "/etc/apt/sources.list.d/opennebula.list"), "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n");
      const r = sb.run(
        fe,
        "systemctl stop opennebula && apt-get update -q && apt-get install -y -q --only-upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge python3-pyone",
      );
      expect(r.code).toBe(0);
    };
    upgradePackages(MASTER);
    const r = sb.run(MASTER, `${WRAP} onedb upgrade ${CONN} -v -b /var/lib/one/backups/pre.sql`, {}, `${password}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`MySQL dump stored in /var/lib/one/backups/pre.sql\n${MYSQL_DUMP_TAIL}`);
    expect(r.stdout).toContain("Database migrated from 6.10.0 to 7.0.0 (OpenNebula 7.0.0) by onedb command.\n");
    expect(sb.run(MASTER, "onedb version").stdout).toMatch(/^Shared: 7\.0\.0\nLocal:  7\.0\.0\n/);
    // A slave with a migrator missing: the missing-migrators rollback restores MySQL.
    upgradePackages(SLAVE_GE);
    setMigratorMissing(sb.dir, SLAVE_GE, "local/6.10.0_to_7.0.0.rb");
    const slave = sb.run(SLAVE_GE, "onedb upgrade -b /var/lib/one/backups/pre.sql");
    setMigratorMissing(sb.dir, SLAVE_GE);
    expect(slave.code).toBe(255);
    expect(slave.stdout).toMatch(/\nThe database will be restored\nMySQL DB opennebula at 127\.0\.207\.2 restored\.\n$/);
    expect(sb.run(SLAVE_GE, "onedb version").stdout).toMatch(/^Shared: 6\.10\.0\nLocal:  6\.10\.0\n/);
  });

  it("records the real onedb's own exposure: its sh -c mysqldump/mysql command lines, seen while they ran", () => {
    const exposures = readPasswordLeaks(sb.dir).filter((l) => l.origin === "onedb");
    expect(exposures.some((l) => l.when === "during" && l.command.startsWith(`sh -c mysqldump -u oneadmin -p'***' -h ${MASTER_IP} -P 3306 `))).toBe(true);
    expect(exposures.some((l) => l.when === "during" && l.command.startsWith(`sh -c mysql -u oneadmin -p'***' -h ${MASTER_IP} -P 3306 opennebula < `))).toBe(
      true,
    );
    expect(JSON.stringify(exposures)).not.toContain(password);
  });

  it("records a caller's -p as a process-list leak, the password masked, and counts nothing when none leaked", async () => {
    const callers = (fe?: string) => readPasswordLeaks(sb.dir, fe).filter((l) => l.origin !== "onedb");
    const leaksBefore = callers().length;
    expect(leaksBefore).toBe(0);
    expect(sb.run(MASTER, `onedb version ${CONN} -p ${password}`).code).toBe(0);
    const leaks = callers(MASTER);
    expect(leaks.length).toBeGreaterThanOrEqual(1);
    expect(
      leaks.some((l) => l.command.includes(`main.js onedb version -t mysql -S ${MASTER_IP} -P 3306 -u oneadmin -d opennebula -p ***`) && l.when === "start"),
    ).toBe(true);
    for (const l of leaks) expect(l.pid).toBeGreaterThan(0);
    expect(fs.readFileSync(`${sb.dir}/frontends/${MASTER}/password-leaks.log`, "utf8")).not.toContain(password);
    const st = await sandboxStatus(sb.dir);
    expect(st.mysqlPasswordFile).toBe(`${sb.dir}/mysql-password`);
    expect(st.zones.map((z) => z.dbBackend)).toEqual(["mysql", "mysql", "sqlite"]);
    const fe = (name: string) => st.zones.flatMap((z) => z.frontends).find((f) => f.name === name)!;
    expect(fe(MASTER).passwordLeaks).toBe(leaks.length);
    expect(fe(SLAVE_GE).passwordLeaks).toBe(0);
    expect(fe(SLAVE_CA)).toMatchObject({ passwordLeaks: 0, onedbPasswordAuths: 0 });
    expect(fe(SLAVE_GE).onedbPasswordAuths).toBe(0);
    expect(fe(MASTER).onedbPasswordAuths).toBeGreaterThanOrEqual(4);
  });

  it("scans every process on the machine, not only the sandbox's", async () => {
    const other = spawn(process.execPath, ["-e", "setTimeout(() => undefined, 30000)", "--", `token=${password}`], { stdio: "ignore" });
    try {
      expect(sb.run(SLAVE_GE, "onedb version").code).toBe(2); // 7.0 packages since the upgrade test
      const hit = readPasswordLeaks(sb.dir, SLAVE_GE).find((l) => l.pid === other.pid);
      expect(hit).toMatchObject({
        frontend: SLAVE_GE,
        when: "start",
        origin: "caller",
        command: `${process.execPath} -e setTimeout(() => undefined, 30000) -- token=***`,
      });
      // The same process seen again by the run's second scan is recorded once.
      expect(readPasswordLeaks(sb.dir, SLAVE_GE).filter((l) => l.pid === other.pid)).toHaveLength(1);
    } finally {
      other.kill();
    }
  });

  it("shows the backend, the password file, the counters and the leaks in the status table", async () => {
    const out: string[] = [];
    expect(await runSandboxCommand(["status", "--dir", sb.dir], (s) => out.push(s))).toBe(0);
    const table = out.join("\n");
    expect(table).toMatch(/^0\s+M-EU-FR\s+master\s+zone0-server0\s+127\.0\.207\.1:22\s+down\s+mysql\s+7\.0\.0/m);
    expect(table).toMatch(/^101\s+S-US-CA\s+slave\s+zone101-server0\s+127\.0\.207\.3:22\s+down\s+sqlite\s+6\.10\.0/m);
    expect(table).toMatch(
      new RegExp(
        `MySQL password in ${sb.dir}/mysql-password \\(ONEFED_SANDBOX_DB_PASSWORD\\); onedb runs with a caller's password: \\d+; password leaks: zone0-server0 \\d+, zone100-server0 1; onedb's own mysqldump/mysql command lines showing it: [1-9]\\d*$`,
        "m",
      ),
    );
    expect(table).not.toContain(password);
  });
});

withMariaDb("an HA MySQL zone", () => {
  let sb: EmulatorSandbox;
  beforeAll(async () => {
    sb = EmulatorSandbox.create({ ha: [0], servers: 2, mysqlZones: [0], addressBase: "127.0.207.11" });
    await sb.startMariaDb();
  }, 180_000);
  afterAll(() => sb.remove());

  it("gives every server the MySQL oned.conf and copies the leader's full backup onto a follower with -f (docs/opennebula.md §3.2 step 5)", () => {
    const password = fs.readFileSync(`${sb.dir}/mysql-password`, "utf8").trim();
    const [leader, follower] = ["zone0-server0", "zone0-server1"];
    // Each server has its own MariaDB at its own address, the database of the same name in each.
    const conn = (ip: string): string => `-t mysql -S ${ip} -P 3306 -u oneadmin -d opennebula`;
    for (const fe of [leader, follower]) expect(fs.readFileSync(sb.path(fe, "/etc/one/oned.conf"), "utf8")).toContain(`PASSWD  = "${password}"`);
    expect(sb.run(leader, `${WRAP} onedb backup ${conn("127.0.207.11")} -v -f ${sb.work}/leader.sql`, {}, `${password}\n`).stdout).toBe(
      `MySQL dump stored in ${sb.work}/leader.sql\n${MYSQL_DUMP_TAIL}`,
    );
    expect(sb.run(follower, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(follower, `${WRAP} onedb restore ${conn("127.0.207.12")} -v -f ${sb.work}/leader.sql`, {}, `${password}\n`)).toEqual({
      stdout: "MySQL DB opennebula at 127.0.207.12 restored.\n",
      stderr: "",
      code: 0,
    });
    // No caller exposed it; the real onedb's own mysqldump and mysql command lines did, on each server.
    expect(readPasswordLeaks(sb.dir).filter((l) => l.origin !== "onedb")).toEqual([]);
    expect(new Set(readPasswordLeaks(sb.dir).map((l) => l.frontend))).toEqual(new Set([leader, follower]));
  });
});

withMariaDb("replication into and out of MariaDB (zones 0 and 100 MySQL, 101 SQLite)", () => {
  let sb: EmulatorSandbox;
  beforeAll(async () => {
    sb = EmulatorSandbox.create({ mysqlZones: [0, 100], addressBase: "127.0.207.21" });
    await sb.startMariaDb();
  }, 180_000);
  afterAll(() => sb.remove());

  it("copies a zone state change and its federated record from the master's MariaDB to a MariaDB and a SQLite slave", () => {
    // Zone 101's own front-end (SQLite) asks the master (MariaDB), which writes the record and replicates it.
    expect(sb.run(SLAVE_CA, "onezone disable 101")).toEqual({ stdout: "", stderr: "", code: 0 });
    const row101 = (fe: string): string | undefined =>
      sb
        .run(fe, "onezone list --csv")
        .stdout.split("\n")
        .find((l) => /,101,S-US-CA,/.test(l));
    for (const fe of [MASTER, SLAVE_GE, SLAVE_CA]) expect(row101(fe)).toMatch(/,715439,off$/);
    expect(sb.run(SLAVE_CA, "onezone enable 101").code).toBe(0);
    for (const fe of [MASTER, SLAVE_GE, SLAVE_CA]) expect(row101(fe)).toMatch(/,715440,on$/);
  });
});
