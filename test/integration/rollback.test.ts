/**
 * `onefed rollback --all` after a full upgrade of a 1+2 sandbox (zone 101 an HA zone of 3 servers),
 * real sshd and a real engine: a tampered safety backup is refused before anything stops (the
 * front-ends' command logs show no stop, no freeze); then every zone goes back to 6.10.0 with the
 * database contents it had before the upgrade, `onefed check` finds the federation ready for the
 * upgrade again, a second rollback changes nothing, and the next deploy (same terraform state)
 * runs the whole upgrade anew.
 */
import * as fs from "fs";
import { sqliteExec } from "../../sandbox/sqlite";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(1_800_000);

const BACKUP_OF = (zoneId: number) => `/var/lib/one/backups/onefed/sandbox-zone${zoneId}-full-before-7.0.0.sql`;

/**
 * A front-end's database as SQL, without what a freeze and its lifting append by design (the
 * federated log `logdb` and oned's own `fed_logdb`, the zones' STATE which the freeze toggles and
 * the unfreeze restores): every other table, row for row.
 */
function contents(sandbox: SandboxFixture, fe: string): string {
  return sqliteExec(sandbox.frontendPath(fe, "/var/lib/one/one.db"), ".dump", { readonly: true })
    .split("\n")
    .filter((l) => !/^INSERT INTO (?:"?logdb"?|"?fed_logdb"?) /.test(l))
    .join("\n");
}

describeAsRoot("onefed rollback --all of a full 1+2 upgrade (an HA slave)", () => {
  let sandbox: SandboxFixture;
  const before = new Map<string, string>();
  const frontends = () => ["zone0-server0", "zone100-server0", "zone101-server0", "zone101-server1", "zone101-server2"];

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.196.1", 2, { ha: [101], servers: 3 });
    for (const fe of frontends()) before.set(fe, contents(sandbox, fe));
    await sandbox.deploy();
  });
  afterAll(async () => sandbox?.down());

  it("upgraded every zone first", async () => {
    for (const zone of (await sandbox.status()).zones) for (const fe of zone.frontends) expect(fe.packageVersion).toBe("7.0.0");
  });

  it("refuses without a terminal and without --yes (exit 2), and a single zone of a type-B federation (exit 2)", async () => {
    const noTty = await runOnefed(["rollback", "--all", "--config", sandbox.configPath], sandbox.dir);
    expect(noTty.code).toBe(2);
    expect(noTty.output).toMatch(/no terminal to confirm on: give --yes/);
    const single = await runOnefed(["rollback", "--zone", "100", "--yes", "--config", sandbox.configPath], sandbox.dir);
    expect(single.code).toBe(2);
    expect(single.output).toMatch(/coordinated \(type B\).*--accept-shared-tables-mismatch/s);
  });

  it("refuses a tampered safety backup before anything stops or freezes", async () => {
    const file = sandbox.frontendPath("zone100-server0", BACKUP_OF(100));
    const original = fs.readFileSync(file);
    const logBefore = sandbox.log().length;
    fs.appendFileSync(file, "-- tampered\n");
    try {
      const r = await runOnefed(["rollback", "--all", "--yes", "--config", sandbox.configPath], sandbox.dir);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/rollback refused on zone 100.*has sha256 [0-9a-f]{64}, recorded [0-9a-f]{64}.*Nothing was changed/s);
      const since = sandbox.log().slice(logBefore);
      expect(since.filter((e) => /systemctl stop|onezone disable|onedb restore|apt-get|iptables -I/.test(e.command))).toEqual([]);
      expect(sandbox.ledger().lock).toBeUndefined();
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it("rolls every zone back to 6.10.0 with its pre-upgrade database contents, HA zone included", async () => {
    const r = await runOnefed(["rollback", "--all", "--yes", "--config", sandbox.configPath], sandbox.dir);
    expect(`${r.code}\n${r.output}`).toMatch(/^0\n/);
    const status = await sandbox.status();
    for (const zone of status.zones) {
      for (const [n, fe] of zone.frontends.entries()) {
        expect({ fe: fe.name, pkg: fe.packageVersion, db: `${fe.db.shared}/${fe.db.local}`, oned: fe.services["opennebula"] }).toEqual({
          fe: fe.name,
          pkg: "6.10.0",
          db: "6.10.0/6.10.0",
          oned: "active",
        });
        expect(fe.serverId).toBe(zone.frontends.length > 1 ? n : -1);
      }
      if (zone.frontends.length > 1) expect(zone.frontends.filter((f) => f.raft === "leader")).toHaveLength(1);
    }
    for (const fe of frontends()) expect({ fe, db: contents(sandbox, fe) }).toEqual({ fe, db: before.get(fe) });
    // The leader restored its backup and the followers the leader's, each after every server of the zone stopped.
    const log = sandbox.log();
    const restores = log.filter((e) => /^onedb restore -v -f /.test(e.command) && e.frontend.startsWith("zone101"));
    expect(restores.length).toBeGreaterThanOrEqual(3);
    // The ledger forgot the upgrade: no entry, no lock, one rollback event per zone.
    const ledger = sandbox.ledger();
    expect(ledger.entries).toEqual([]);
    expect(ledger.lock).toBeUndefined();
    expect(ledger.events.filter((e) => e.what === "rollback")).toHaveLength(3);
  });

  it("leaves the federation ready for the upgrade again (onefed check exit 0)", async () => {
    const r = await runOnefed(["check", "--config", sandbox.configPath], sandbox.dir);
    expect(`${r.code}\n${r.output}`).toMatch(/^0\n/);
  });

  it("a second rollback changes nothing: every zone proven at 6.10.0, nothing stopped", async () => {
    const logBefore = sandbox.log().length;
    const r = await runOnefed(["rollback", "--all", "--yes", "--config", sandbox.configPath], sandbox.dir);
    expect(`${r.code}\n${r.output}`).toMatch(/^0\n/);
    const since = sandbox.log().slice(logBefore);
    expect(since.filter((e) => /systemctl (stop|start)|onedb restore|apt-get|onezone (disable|enable)/.test(e.command))).toEqual([]);
  });

  it("the next deploy runs the whole upgrade anew from the same terraform state, a new safety backup first", async () => {
    const logBefore = sandbox.log().length;
    await sandbox.deploy();
    const since = sandbox.log().slice(logBefore);
    for (const zone of (await sandbox.status()).zones) {
      for (const fe of zone.frontends)
        expect({ fe: fe.name, pkg: fe.packageVersion, db: `${fe.db.shared}/${fe.db.local}` }).toEqual({ fe: fe.name, pkg: "7.0.0", db: "7.0.0/7.0.0" });
    }
    for (const fe of frontends())
      expect(since.filter((e) => e.frontend === fe && /^onedb backup -v -f .*-full-before-7\.0\.0\.sql$/.test(e.command))).toHaveLength(1);
    expect(sandbox.ledger().entries.filter((e) => e.step === "verify")).toHaveLength(3);
  });
});
