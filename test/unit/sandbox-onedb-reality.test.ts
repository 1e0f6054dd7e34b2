/**
 * onedb on the pessimistic sandbox (docs/sandbox.md, issue 15): a missing migrator, slaves
 * bootstrapped standalone as 6.10 creates every database, a database holding only the federated
 * tables and an oned.conf Augeas cannot load, each with the real onedb's output, message and exit
 * code (docs/opennebula.md §2.5, §5.4, §5.6).
 */
import * as fs from "fs";
import { setMigratorMissing } from "../../sandbox";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

/** Points a front-end's apt at 7.0 and upgrades its packages (what the upgrade step does before onedb upgrade). */
function upgradePackages(sb: EmulatorSandbox, fe: string): void {
  fs.writeFileSync(sb.path(fe, "/etc/apt/sources.list.d/opennebula.list"), "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n");
  expect(sb.run(fe, "apt-get update -q && apt-get install -y -q --only-upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge").code).toBe(0);
}

describe("a missing migrator", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create();
    expect(sb.run(MASTER, "systemctl stop opennebula").code).toBe(0);
    upgradePackages(sb, MASTER);
  });
  afterAll(() => sb.remove());

  it("makes onedb upgrade report missing migration descriptors, restore its own backup and exit 255", () => {
    setMigratorMissing(sb.dir, MASTER, "local/6.10.0_to_7.0.0.rb");
    const r = sb.run(MASTER, `onedb upgrade -v -b ${sb.work}/pre.bck`);
    expect(r.code).toBe(255);
    expect(r.stdout).toContain("  > Running migrator /usr/lib/one/ruby/onedb/shared/6.10.0_to_7.0.0.rb\n");
    expect(r.stdout).not.toContain("local/6.10.0_to_7.0.0.rb");
    expect(r.stdout).toContain(">>> Running migrators for local tables\nDatabase already uses version 6.10.0\n");
    expect(r.stderr).toBe(
      "ERROR: Database upgrade to the latest versions (local 6.10.0, shared 7.0.0)\n" +
        "wasn't successful due to missing migration descriptors. Migrators are\n" +
        "provided as part of Enterprise Edition for customers with active subscription.\n" +
        "For community with non-commercial deployments they are provided via a\n" +
        "dedicated migration package, which must be obtained separately.\n",
    );
    expect(r.stdout).toMatch(/The database will be restored\nSqlite database backup restored in \/var\/lib\/one\/one.db\n$/);
    expect(sb.run(MASTER, "onedb version").stdout).toMatch(/^Shared: 6\.10\.0\nLocal:  6\.10\.0\n/);
  });

  it("upgrades again once the migrators are back", () => {
    setMigratorMissing(sb.dir, MASTER);
    expect(sb.run(MASTER, `onedb upgrade -f -b ${sb.work}/pre.bck`).code).toBe(0);
    expect(sb.run(MASTER, "onedb version").code).toBe(0);
  });

  it("refuses a migrator the upgrade does not have", () => {
    expect(() => setMigratorMissing(sb.dir, MASTER, "local/5.0.0_to_5.2.0.rb")).toThrow(
      /no migrator local\/5\.0\.0_to_5\.2\.0\.rb between 6\.10\.0 and 7\.0\.0 \(have shared\/6\.10\.0_to_7\.0\.0\.rb, local\/6\.10\.0_to_7\.0\.0\.rb\)/,
    );
  });
});

describe("slaves bootstrapped standalone, as 6.10 creates every database", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("have is_slave=0: onedb version -v never says 'This database is a federation slave'", () => {
    const r = sb.run(SLAVE_GE, "onedb version -v");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("federation slave");
  });

  it("migrate their own copy of the shared tables when upgraded before the federated restore, exit 0", () => {
    expect(sb.run(SLAVE_GE, "systemctl stop opennebula").code).toBe(0);
    upgradePackages(sb, SLAVE_GE);
    const r = sb.run(SLAVE_GE, `onedb upgrade -v -b ${sb.work}/ge-pre.bck`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(">>> Running migrators for shared tables\n  > Running migrator /usr/lib/one/ruby/onedb/shared/6.10.0_to_7.0.0.rb\n");
    expect(sb.run(SLAVE_GE, "onedb version").stdout).toMatch(/^Shared: 7\.0\.0\nLocal:  7\.0\.0\n/);
  });
});

describe("onedb edge cases", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create();
    expect(sb.run(MASTER, `onedb backup --federated ${sb.work}/fed.bck`).code).toBe(0);
    // What a database holding only the federated tables looks like (a failed full restore can leave one).
    expect(sb.run(MASTER, `sqlite3 ${sb.work}/only-federated.db < ${sb.work}/fed.bck`).code).toBe(0);
  });
  afterAll(() => sb.remove());

  it("a database holding only the federated tables: the local version is the shared one, the required versions print empty", () => {
    expect(sb.run(MASTER, `onedb version --sqlite ${sb.work}/only-federated.db`)).toEqual({
      stdout: "Shared: 6.10.0\nLocal:  6.10.0\nRequired shared version: \nRequired local version:  \n",
      stderr: "",
      code: 0,
    });
    const v = sb.run(MASTER, `onedb version -v --sqlite ${sb.work}/only-federated.db`);
    expect(v.stdout).toMatch(/^Shared tables version: {3}6\.10\.0\nRequired version: {8}\nTimestamp: /);
    expect(v.stdout).toMatch(/\nLocal tables version: {4}6\.10\.0\nRequired version: {8}\n/);
  });

  it("the same database under 7.0 packages: exit 2 with empty expected versions; onedb upgrade fails on the local tables and restores", () => {
    expect(sb.run(SLAVE_CA, "systemctl stop opennebula").code).toBe(0);
    upgradePackages(sb, SLAVE_CA);
    expect(sb.run(SLAVE_CA, `onedb version --sqlite ${sb.work}/only-federated.db`)).toEqual({
      stdout:
        "Shared: 6.10.0\nLocal:  6.10.0\nRequired shared version: \nRequired local version:  \n\nUpdate required. Expected DB version is:\nLocal:  \nShared: \n",
      stderr: "",
      code: 2,
    });
    const r = sb.run(SLAVE_CA, `onedb upgrade --sqlite ${sb.work}/only-federated.db -b ${sb.work}/of-pre.bck`);
    expect(r.code).toBe(255);
    expect(r.stdout).toContain("SQLite3::SQLException: no such table: main.vm_pool\n\n\nThe database will be restored\nSqlite database backup restored in ");
    expect(sb.run(SLAVE_CA, `onedb version --sqlite ${sb.work}/only-federated.db`).stdout).toMatch(/^Shared: 6\.10\.0\n/);
  });

  it("an oned.conf Augeas cannot load (a bracket left open anywhere): onedb reads no DB section at all", () => {
    const conf = sb.path(MASTER, "/etc/one/oned.conf");
    const good = fs.readFileSync(conf, "utf8");
    fs.writeFileSync(conf, `${good}VM_MAD = [\n    NAME = "kvm"\n`);
    expect(sb.run(MASTER, "onedb version")).toEqual({
      stdout: "",
      stderr: "You need to specify the SQLite, MySQL or PostgreSQL connection options.\n",
      code: 255,
    });
    // Options on the command line do not need oned.conf.
    expect(sb.run(MASTER, "onedb version -t sqlite").code).toBe(0);
    fs.writeFileSync(conf, good);
    expect(sb.run(MASTER, "onedb version").code).toBe(0);
  });
});
