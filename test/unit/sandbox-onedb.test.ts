/**
 * The emulated onedb: the real 6.10 command lines of test/fixtures/opennebula/onedb run in sequence and compared
 * byte for byte, then the federation-upgrade behaviour the samples cannot show (docs/opennebula.md §4.4,
 * §5.4): exit codes 2/3, the slave's "missing migration descriptors" rollback, refusals while
 * oned runs, and a truncated backup that "restores".
 */
import * as fs from "fs";
import * as path from "path";
import { EmulatorSandbox, MASTER, SAMPLES, SLAVE_CA, SLAVE_GE, sample } from "../sandbox/emulator-harness";

const SEQUENCE = fs
  .readdirSync(path.join(SAMPLES, "onedb"))
  .filter((f) => f.endsWith(".cmd"))
  .sort()
  .map((f) => f.slice(0, -4));

describe("emulated onedb against the real command lines (samples/onedb)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    // The samples' databases were bootstrapped STANDALONE: is_slave=0 everywhere.
    sb = EmulatorSandbox.create({ slavesBootstrappedAsSlave: false });
    fs.mkdirSync(path.join(sb.work, "db"));
    fs.mkdirSync(path.join(sb.work, "backups"));
    fs.copyFileSync(sb.path(MASTER, "/var/lib/one/one.db"), path.join(sb.work, "db", "master.db"));
    fs.copyFileSync(sb.path(SLAVE_GE, "/var/lib/one/one.db"), path.join(sb.work, "db", "slave.db"));
    fs.copyFileSync(sb.path(SLAVE_CA, "/var/lib/one/one.db"), path.join(sb.work, "db", "follower.db"));
    // onedb restore refuses while oned runs: the samples ran with no oned.
    expect(sb.run(SLAVE_CA, "systemctl stop opennebula").code).toBe(0);
  });
  afterAll(() => sb.remove());

  it.each(SEQUENCE.map((s) => [s]))("%s", (name) => {
    const cmd = fs.readFileSync(path.join(SAMPLES, "onedb", `${name}.cmd`), "utf8").trim();
    const line = cmd.replace(/^cd \$WORK && ONE_LOCATION=\$WORK\/loc /, "");
    expect(line).toMatch(/^onedb /);
    expect(sb.run(SLAVE_CA, line)).toEqual(sample(`onedb/${name}`));
  });

  it("wrote a federated backup shaped like onedb's: DROP lines, .dump of each table, logdb renamed", () => {
    const text = fs.readFileSync(path.join(sb.work, "backups", "master-federated.bck"), "utf8");
    expect(text.split("\n").slice(0, 11)).toEqual([
      "-- FEDERATED",
      ...["group_pool", "user_pool", "acl", "zone_pool", "vdc_pool", "marketplace_pool", "marketplaceapp_pool", "db_versioning", "logdb"].map(
        (t) => `DROP TABLE IF EXISTS "${t}";`,
      ),
      "PRAGMA foreign_keys=OFF;",
    ]);
    expect(text).toContain("CREATE TABLE logdb(");
    expect(text).not.toContain("logdb_tmp");
    expect(text).not.toContain("CREATE TABLE host_pool");
    // Like the real filter (fed_index!=-1), the local Raft records travel too (docs/opennebula.md §6).
    expect(text).toContain("18446744073709551615");
  });
});

describe("emulated onedb during a federation upgrade", () => {
  let sb: EmulatorSandbox;
  const upgradePackages = (fe: string): void => {
    fs.writeFileSync(sb.path(fe, "/etc/apt/sources.list.d/opennebula.list"), "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n");
    const r = sb.run(
      fe,
      "apt-get update -q && apt-get install -y -q --only-upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge python3-pyone",
    );
    expect(r.code).toBe(0);
  };
  beforeAll(() => {
    // Slaves whose databases were first bootstrapped as slaves by an old release (is_slave=1): onedb skips their shared migrators.
    sb = EmulatorSandbox.create({ slavesBootstrappedAsSlave: true });
    for (const fe of [MASTER, SLAVE_GE, SLAVE_CA]) expect(sb.run(fe, "systemctl stop opennebula").code).toBe(0);
  });
  afterAll(() => sb.remove());

  it("refuses to upgrade or restore while oned runs", () => {
    sb.run(MASTER, "systemctl start opennebula");
    const lock = { stdout: "", stderr: "First stop OpenNebula. Lock file found: /var/lock/one/one\n", code: 255 };
    expect(sb.run(MASTER, "onedb upgrade -v -b /tmp/x.bck")).toEqual(lock);
    expect(sb.run(MASTER, "onedb restore /etc/one/oned.conf")).toEqual(lock);
    fs.rmSync(sb.path(MASTER, "/var/lock/one/one"));
    expect(sb.run(MASTER, "onedb fsck").stderr).toBe("OpenNebula found listening on 'http://127.0.50.1:2633/RPC2'\n");
    sb.run(MASTER, "systemctl stop opennebula");
  });

  it("says the schema is up to date while the old packages are installed", () => {
    expect(sb.run(MASTER, "onedb upgrade -v")).toEqual({ stdout: "Database schema is up to date.\n", stderr: "", code: 0 });
  });

  it("upgrades the master (shared and local) after its packages, exit 2 before", () => {
    upgradePackages(MASTER);
    expect(sb.run(MASTER, "onedb version").code).toBe(2);
    const r = sb.run(MASTER, `onedb upgrade -v -b ${sb.work}/master-pre.bck`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(">>> Running migrators for shared tables\n  > Running migrator /usr/lib/one/ruby/onedb/shared/6.10.0_to_7.0.0.rb\n");
    expect(r.stdout).toContain("Database migrated from 6.10.0 to 7.0.0 (OpenNebula 7.0.0) by onedb command.\n");
    expect(sb.run(MASTER, "onedb version")).toEqual({
      stdout: "Shared: 7.0.0\nLocal:  7.0.0\nRequired shared version: 7.0.0\nRequired local version:  7.0.0\n",
      stderr: "",
      code: 0,
    });
    expect(sb.run(MASTER, `onedb upgrade -b ${sb.work}/master-pre.bck`).stdout).toBe("Database schema is up to date.\n");
    expect(sb.run(MASTER, `onedb fsck -b ${sb.work}/master-fsck.bck`).stdout).toContain("Total errors found: 0\n");
  });

  it("rolls a slave back with 'missing migration descriptors' when its shared version was not restored", () => {
    upgradePackages(SLAVE_CA);
    const r = sb.run(SLAVE_CA, `onedb upgrade -v -b ${sb.work}/ca-pre.bck`);
    expect(r.code).toBe(255);
    expect(r.stdout).toContain("This database is a federation slave\n");
    expect(r.stdout).not.toContain("shared tables");
    expect(r.stderr).toBe(
      "ERROR: Database upgrade to the latest versions (local 7.0.0, shared 6.10.0)\n" +
        "wasn't successful due to missing migration descriptors. Migrators are\n" +
        "provided as part of Enterprise Edition for customers with active subscription.\n" +
        "For community with non-commercial deployments they are provided via a\n" +
        "dedicated migration package, which must be obtained separately.\n",
    );
    expect(r.stdout).toMatch(/The database will be restored\nSqlite database backup restored in \/var\/lib\/one\/one.db\n$/);
    expect(sb.run(SLAVE_CA, "onedb version").stdout).toMatch(/^Shared: 6\.10\.0\nLocal:  6\.10\.0\n/);
    expect(sb.run(SLAVE_CA, "systemctl start opennebula").code).toBe(1);
    expect(fs.readFileSync(sb.path(SLAVE_CA, "/var/log/one/oned.log"), "utf8")).toContain(
      "Database version mismatch ( local_db_versioning). Installed OpenNebula 7.0.0 needs DB version '7.0.0', and existing DB version is '6.10.0'.",
    );
  });

  it("takes the master's federated backup on a slave with old packages (exit 3), then upgrades it", () => {
    expect(sb.run(MASTER, `onedb backup -v --federated ${sb.work}/fed.bck`).code).toBe(0);
    expect(sb.run(SLAVE_GE, `onedb restore ${sb.work}/fed.bck -v --federated`)).toEqual({
      stdout: "Sqlite database backup restored in /var/lib/one/one.db\n",
      stderr: "",
      code: 0,
    });
    const v = sb.run(SLAVE_GE, "onedb version");
    expect(v).toEqual({
      stdout:
        "Shared: 7.0.0\nLocal:  6.10.0\nRequired shared version: 6.10.0\nRequired local version:  6.10.0\n\nWARNING: Source version is lower than DB version\n",
      stderr: "",
      code: 3,
    });
    upgradePackages(SLAVE_GE);
    expect(sb.run(SLAVE_GE, "onedb version").code).toBe(2);
    const r = sb.run(SLAVE_GE, `onedb upgrade -v -b ${sb.work}/ge-pre.bck`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(">>> Running migrators for shared tables");
    expect(sb.run(SLAVE_GE, "onedb version").code).toBe(0);
    expect(sb.run(SLAVE_GE, "systemctl start opennebula").code).toBe(0);
  });

  it("refuses an existing -b file, like onedb's backup", () => {
    expect(sb.run(SLAVE_CA, `onedb upgrade -b ${sb.work}/ca-pre.bck`)).toEqual({
      stdout: "",
      stderr: `File ${sb.work}/ca-pre.bck exists, backup aborted. Use -f to overwrite.\n`,
      code: 255,
    });
  });

  it("restores a truncated backup with a parse error, the success line and exit 0", () => {
    const full = fs.readFileSync(`${sb.work}/fed.bck`, "utf8");
    fs.writeFileSync(`${sb.work}/cut.bck`, full.slice(0, Math.floor(full.length / 2)));
    const r = sb.run(SLAVE_CA, `onedb restore ${sb.work}/cut.bck --federated`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Sqlite database backup restored in /var/lib/one/one.db\n");
    expect(r.stderr).toMatch(/Parse error|incomplete input/);
  });

  it("reports an unbootstrapped database with exit 1", () => {
    fs.rmSync(sb.path(SLAVE_CA, "/var/lib/one/one.db"));
    expect(sb.run(SLAVE_CA, "onedb version")).toEqual({ stdout: "", stderr: "Database is not correctly bootstraped.\n", code: 1 });
  });
});
