/**
 * A real sandbox with MySQL-configured zones 0 and 101 (sshd on 127.0.95.x, a real MariaDB per MySQL
 * front-end on its address, port 3306): the password reaches the emulated onedb through the tool's
 * stdin wrapper over SSH (status counts the authentication, no caller's process showed it), a wrong
 * one is refused by the server, a SQLite zone has no MySQL server, a `-p` on the command line is
 * caught by the process-list audit, a backup is the real mysqldump's, and `down` stops the servers.
 * Needs root and mariadb-server.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "ssh2";
import { readPasswordLeaks, sandboxDown, sandboxStatus, sandboxUp, SandboxInfo } from "../../sandbox";
import { connect, exec } from "../sandbox/ssh-client";

const isRoot = process.getuid?.() === 0;
const describeAsRoot = isRoot ? describe : describe.skip;
if (!isRoot) console.warn("sandbox-mysql-live tests skipped: a real sandbox needs root (sshd on 127.0.95.x in mount namespaces)");

jest.setTimeout(60_000);

/** Exactly what the runner sends: withDbPassword(withOnedbConnection(onedb.version())) rendered. */
const WRAPPED_VERSION = `sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh onedb version -t mysql -S 127.0.95.1 -P 3306 -u oneadmin -d opennebula`;

describeAsRoot("a real sandbox with MySQL zones on 127.0.95.x", () => {
  let dir: string;
  let info: SandboxInfo;
  let master: Client;
  let password: string;

  const frontend = async (name: string) => (await sandboxStatus(dir)).zones.flatMap((z) => z.frontends).find((f) => f.name === name)!;

  beforeAll(async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-mysql-live-"));
    fs.chmodSync(parent, 0o755);
    dir = path.join(parent, "sb");
    info = await sandboxUp({ dir, addressBase: "127.0.95.1", mysqlZones: [0, 101] });
    password = fs.readFileSync(info.mysqlPasswordFile!, "utf8").trim();
    master = await connect(dir, "127.0.95.1");
  });
  afterAll(async () => {
    master?.end();
    if (dir) {
      const pids = info.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends.map((fe) => fe.mariadbPid));
      await sandboxDown(dir);
      for (const pid of pids) expect(pid !== undefined && pid > 0 && !fs.existsSync(`/proc/${pid}`)).toBe(true);
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it("hands the password file to the login user, 0600, and names the MySQL zones", () => {
    expect(info.mysqlPasswordFile).toBe(path.join(dir, "mysql-password"));
    const st = fs.statSync(info.mysqlPasswordFile!);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).not.toBe(0);
    expect(password).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(info.zones.map((z) => z.dbBackend)).toEqual(["mysql", "sqlite", "mysql"]);
    // One server per MySQL front-end, running as the login user; none for the SQLite zone.
    for (const z of info.zones) {
      for (const fe of z.frontends) {
        if (z.dbBackend === "sqlite") expect(fe.mariadbPid).toBeUndefined();
        else expect(fs.statSync(`/proc/${fe.mariadbPid}`).uid).toBe(st.uid);
      }
    }
  });

  it("takes the password from stdin through the tool's wrapper, and refuses a wrong one", async () => {
    expect(await exec(master, WRAPPED_VERSION, `${password}\n`)).toEqual({
      stdout: "Shared: 6.10.0\nLocal:  6.10.0\nRequired shared version: 6.10.0\nRequired local version:  6.10.0\n",
      stderr: "",
      code: 0,
    });
    expect(await frontend("zone0-server0")).toMatchObject({ onedbPasswordAuths: 1, passwordLeaks: 0 });
    expect(await exec(master, WRAPPED_VERSION, "Wrong-password-0\n")).toEqual({
      stdout: "",
      stderr: "Error connecting to DB: Mysql2::Error::ConnectionError: Access denied for user 'oneadmin'@'127.0.0.1' (using password: YES)\n",
      code: 255,
    });
    expect(await frontend("zone0-server0")).toMatchObject({ onedbPasswordAuths: 1, passwordLeaks: 0 });
    // Neither the command log (the remote argv) nor the leak log holds it.
    expect(fs.readFileSync(path.join(dir, "frontends", "zone0-server0", "commands.log"), "utf8")).not.toContain(password);
    expect(fs.existsSync(path.join(dir, "frontends", "zone0-server0", "password-leaks.log"))).toBe(false);
  });

  it("backs up with the real mysqldump over SSH, whose shell shows the password as the real onedb's does", async () => {
    const r = await exec(master, WRAPPED_VERSION.replace("onedb version", "onedb backup").concat(" -v -f /var/lib/one/backups/live.sql"), `${password}\n`);
    expect(r).toMatchObject({ stdout: expect.stringMatching(/^MySQL dump stored in \/var\/lib\/one\/backups\/live\.sql\n/), code: 0 });
    const dump = fs.readFileSync(path.join(dir, "frontends", "zone0-server0", "root", "var", "lib", "one", "backups", "live.sql"), "utf8");
    expect(dump).toMatch(/^-- MariaDB dump .*\n(.|\n)*CREATE DATABASE \/\*!32312 IF NOT EXISTS\*\/ `opennebula`/m);
    const exposures = readPasswordLeaks(dir, "zone0-server0").filter((l) => l.origin === "onedb");
    expect(exposures.some((l) => l.command.startsWith("sh -c mysqldump -u oneadmin -p'***' -h 127.0.95.1 -P 3306 --add-drop-database"))).toBe(true);
    // Not the caller's: the count of leaks stays 0.
    expect(await frontend("zone0-server0")).toMatchObject({ passwordLeaks: 0 });
  });

  it("fails at the prompt instead of hanging when the caller gives no password", async () => {
    const r = await exec(master, "onedb version -t mysql -S 127.0.95.1 -P 3306 -u oneadmin -d opennebula");
    expect(r.stdout).toBe("MySQL Password: ");
    expect(r.stderr).toMatch(/The sandbox does not wait\.\n$/);
    expect(r.code).toBe(255);
  });

  it("has no MySQL server on the SQLite zone", async () => {
    const slave = await connect(dir, "127.0.95.2");
    try {
      expect((await exec(slave, WRAPPED_VERSION.replace("-S 127.0.95.1 -P 3306", "-S localhost -P 0"), `${password}\n`)).stderr).toBe(
        "Error connecting to DB: Mysql2::Error::ConnectionError: Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n",
      );
    } finally {
      slave.end();
    }
  });

  it("records a password passed with -p as a leak seen in the process list, masked", async () => {
    expect((await exec(master, `onedb version -t mysql -S 127.0.95.1 -P 3306 -u oneadmin -d opennebula -p ${password}`)).code).toBe(0);
    const leaks = readPasswordLeaks(dir, "zone0-server0").filter((l) => l.origin !== "onedb");
    expect(leaks.length).toBeGreaterThanOrEqual(1);
    expect(leaks.some((l) => /emulator\/main\.js onedb version .* -p \*\*\*$/.test(l.command))).toBe(true);
    expect(JSON.stringify(leaks)).not.toContain(password);
    expect(await frontend("zone0-server0")).toMatchObject({ onedbPasswordAuths: 3, passwordLeaks: leaks.length });
  });
});
