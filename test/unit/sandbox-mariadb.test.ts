/**
 * The MariaDB of MySQL zones: the argv of the installer and the server (no password in either),
 * the provisioning SQL, the client's batch output, store locators, the missing-package refusal,
 * one server's start and stop by PID, and a replication that read the master before a concurrent one
 * (root and mariadb-server; 127.0.208.1:3306).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  MariaDbMissingError,
  ensureMariaDb,
  installDbArgv,
  mariadbdArgv,
  provisionSql,
  runningMariaDbPid,
  startMariaDb,
  stopMariaDb,
} from "../../sandbox/mariadb";
import { MariaDbError, clientArgv, mariadbQuery, parseBatch } from "../../sandbox/mariadb-client";
import { dbExec, dialectOf, isMissingTable, mariadbLocator, mariadbTargetOf } from "../../sandbox/db-store";
import { ZoneRecord, seedSql } from "../../sandbox/db-schema";
import { readZones, replicate, writeFederated, zoneStateStatement } from "../../sandbox/one-db";
import { SandboxLayout } from "../../sandbox/layout";
import { ensureUser } from "../../sandbox/prerequisites";

const layout = new SandboxLayout("/tmp/sb");
const fe = { name: "zone0-server0", zoneId: 0, host: "127.0.50.1", port: 22 };

describe("MariaDB argv", () => {
  it("installs a data directory of the front-end's own, as the sandbox user, root by its socket", () => {
    expect(installDbArgv(layout, fe.name, "onefed")).toEqual([
      "mariadb-install-db",
      "--no-defaults",
      "--datadir=/tmp/sb/frontends/zone0-server0/mariadb/data",
      "--user=onefed",
      "--auth-root-authentication-method=socket",
      "--skip-test-db",
      "--tmpdir=/tmp/sb/frontends/zone0-server0/mariadb",
      "--innodb-buffer-pool-size=8M",
      "--innodb-log-file-size=4M",
    ]);
  });

  it("runs mariadbd without the host's option files, on the front-end's address and port 3306", () => {
    const argv = mariadbdArgv(layout, fe);
    expect(argv.slice(0, 2)).toEqual(["/usr/sbin/mariadbd", "--no-defaults"]);
    expect(argv).toEqual(
      expect.arrayContaining([
        "--datadir=/tmp/sb/frontends/zone0-server0/mariadb/data",
        "--socket=/tmp/sb/frontends/zone0-server0/mariadb/mysqld.sock",
        "--pid-file=/tmp/sb/frontends/zone0-server0/mariadb/mariadbd.pid",
        "--log-error=/tmp/sb/frontends/zone0-server0/mariadb/mariadbd.err",
        "--bind-address=127.0.50.1",
        "--port=3306",
        "--character-set-server=utf8mb4",
      ]),
    );
  });

  it("creates the database and the account from SQL (stdin), the password quoted for MariaDB", () => {
    expect(provisionSql("Zq8s'V3\\k")).toBe(
      "CREATE DATABASE IF NOT EXISTS opennebula;\n" +
        "CREATE USER IF NOT EXISTS 'oneadmin'@'%' IDENTIFIED BY 'Zq8s\\'V3\\\\k';\n" +
        "GRANT ALL PRIVILEGES ON opennebula.* TO 'oneadmin'@'%';\n",
    );
  });

  it("connects the client over TCP without option files and without the password", () => {
    const argv = clientArgv({ host: "127.0.50.1", port: 3306, user: "oneadmin", database: "opennebula" }, ["--batch"]);
    expect(argv).toEqual([
      "--no-defaults",
      "--protocol=tcp",
      "-h",
      "127.0.50.1",
      "-P",
      "3306",
      "-u",
      "oneadmin",
      "--connect-timeout=10",
      "--batch",
      "opennebula",
    ]);
    expect(argv.some((a) => a.startsWith("-p") || a.startsWith("--password"))).toBe(false);
  });
});

describe("MariaDB stores", () => {
  it("reads the client's batch output: header, escapes, NULL", () => {
    expect(parseBatch("oid\tbody\tx\n0\ta\\tb\\nc\\\\d\tNULL\n")).toEqual([{ oid: "0", body: "a\tb\nc\\d", x: null }]);
    expect(parseBatch("")).toEqual([]);
  });

  it("names a MariaDB database by a locator that carries the password file, never the password", () => {
    const t = { host: "127.0.50.2", port: 3306, user: "oneadmin", database: "opennebula", passwordFile: "/tmp/sb/mysql-password" };
    const locator = mariadbLocator(t);
    expect(locator).toBe("mariadb://oneadmin@127.0.50.2:3306/opennebula?passwordFile=/tmp/sb/mysql-password");
    expect(mariadbTargetOf(locator)).toEqual(t);
    expect(dialectOf(locator)).toBe("mariadb");
    expect(dialectOf("/tmp/sb/frontends/zone0-server0/root/var/lib/one/one.db")).toBe("sqlite");
    expect(mariadbTargetOf("/var/lib/one/one.db")).toBeUndefined();
  });

  it("recognises a missing table in either driver's words", () => {
    const e = new MariaDbError("x", "ERROR 1146 (42S02) at line 2: Table 'opennebula.local_db_versioning' doesn't exist");
    expect(e.code).toBe(1146);
    expect(isMissingTable(e, "local_db_versioning")).toBe(true);
    expect(isMissingTable(e, "logdb")).toBe(false);
    expect(isMissingTable(e)).toBe(true);
    expect(isMissingTable(new MariaDbError("x", "ERROR 1045 (28000): Access denied"))).toBe(false);
  });

  it("refuses MySQL zones without MariaDB, naming the packages", () => {
    const path0 = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => ensureMariaDb()).toThrow(MariaDbMissingError);
      expect(() => ensureMariaDb()).toThrow(
        /MySQL zones need a real MariaDB, and .*mariadb-install-db, mariadb, mysqldump, mysql are missing: apt-get install -y mariadb-server mariadb-client/,
      );
    } finally {
      process.env.PATH = path0;
    }
  });
});

const canRun = process.getuid?.() === 0 && fs.existsSync("/usr/sbin/mariadbd");
if (!canRun) console.warn("sandbox-mariadb server test skipped: needs root and mariadb-server");

(canRun ? describe : describe.skip)("one front-end's server", () => {
  it("starts as the sandbox user, loads the seed once, serves the account, and stops by its PID", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-mariadb-"));
    fs.chmodSync(dir, 0o755);
    const lay = new SandboxLayout(dir);
    const me = { name: "zone0-server0", zoneId: 0, host: "127.0.208.1", port: 22 };
    fs.mkdirSync(path.dirname(lay.mariadb(me.name, "seed")), { recursive: true });
    fs.writeFileSync(lay.mariadb(me.name, "seed"), "CREATE TABLE t (oid INTEGER PRIMARY KEY, body MEDIUMTEXT);\nINSERT INTO t VALUES (1, 'x');\n");
    fs.writeFileSync(lay.mysqlPassword, "Pw0rdOnlyForThisTest\n", { mode: 0o600 });
    const ids = ensureUser(() => undefined);
    try {
      const pid = await startMariaDb(lay, me, ids, "Pw0rdOnlyForThisTest", "onefed");
      expect(runningMariaDbPid(lay, me.name)).toBe(pid);
      expect(fs.statSync(`/proc/${pid}`).uid).toBe(ids.uid);
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")).not.toContain("Pw0rdOnlyForThisTest");
      expect(fs.existsSync(lay.mariadb(me.name, "seed"))).toBe(false);
      const target = { host: me.host, port: 3306, user: "oneadmin", database: "opennebula", passwordFile: lay.mysqlPassword };
      expect(mariadbQuery(target, "SELECT oid, body FROM t")).toEqual([{ oid: "1", body: "x" }]);
      // Running already: the same server.
      expect(await startMariaDb(lay, me, ids, "Pw0rdOnlyForThisTest", "onefed")).toBe(pid);
      await stopMariaDb(lay, me.name);
      // Gone once its parent (this process) reaped it.
      for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
      expect(runningMariaDbPid(lay, me.name)).toBeUndefined();
    } finally {
      await stopMariaDb(lay, me.name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  // Two zones disabled at once: each `onezone disable` writes the master and replicates. A copy that
  // read the master before the other's write must not land over the newer one it already replicated.
  it("never lets a replication that read the master earlier overwrite a slave that holds newer records", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-mariadb-"));
    fs.chmodSync(dir, 0o755);
    const lay = new SandboxLayout(dir);
    const me = { name: "zone0-server0", zoneId: 0, host: "127.0.208.1", port: 22 };
    const zones: ZoneRecord[] = [
      { id: 0, name: "M", state: 0, endpoint: "http://127.0.208.1:2633/RPC2" },
      { id: 100, name: "S", state: 0, endpoint: "http://127.0.208.2:2633/RPC2" },
    ];
    const seed = (role: "master" | "slave", dialect: "sqlite" | "mariadb") =>
      seedSql({ version: "6.10.0", zones, zoneId: role === "master" ? 0 : 100, role, isSlave: role === "slave", fedIndex: 10 }, dialect);
    fs.mkdirSync(path.dirname(lay.mariadb(me.name, "seed")), { recursive: true });
    fs.writeFileSync(lay.mariadb(me.name, "seed"), seed("master", "mariadb"));
    fs.writeFileSync(lay.mysqlPassword, "Pw0rdOnlyForThisTest\n", { mode: 0o600 });
    const ids = ensureUser(() => undefined);
    try {
      await startMariaDb(lay, me, ids, "Pw0rdOnlyForThisTest", "onefed");
      const master = mariadbLocator({ host: me.host, port: 3306, user: "oneadmin", database: "opennebula", passwordFile: lay.mysqlPassword });
      const slave = path.join(dir, "slave.db");
      dbExec(slave, seed("slave", "sqlite"));
      // The master takes record 11 (zone S still enabled); the slave already holds 11 and 12 from a
      // later replication that carried S's disable.
      writeFederated(master, ["UPDATE user_pool SET body=body WHERE oid=0"]);
      writeFederated(slave, ["UPDATE user_pool SET body=body WHERE oid=0", zoneStateStatement(zones[1], 1)]);
      // The earlier replication lands now, with the view it had: master at 11, slave at 10.
      // It appends nothing: the slave already holds record 11.
      expect(replicate(master, slave, 11, 10)).toEqual({ outcome: "replicated", appended: 0 });
      expect(readZones(slave).find((z) => z.id === 100)?.state).toBe(1);
      // And a replication that does carry newer records still lands.
      writeFederated(master, ["UPDATE user_pool SET body=body WHERE oid=1", zoneStateStatement(zones[1], 1), zoneStateStatement(zones[0], 1)]);
      expect(replicate(master, slave, 14, 12)).toEqual({ outcome: "replicated", appended: 2 });
      expect(readZones(slave).map((z) => z.state)).toEqual([1, 1]);
    } finally {
      await stopMariaDb(lay, me.name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
