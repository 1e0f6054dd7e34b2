/**
 * HA (Raft) zones end to end, real sshd and a real engine: an HA master (3 servers), a solo slave
 * and an HA slave (3 servers) whose leader is not its first front-end. The HA procedure shows in
 * the command logs; a follower whose restore fails is redone alone by the next deploy; every server
 * keeps its SERVER_ID; one leader per zone at the end; a deploy after that runs nothing. A split
 * cluster is refused before anything changes.
 */
import * as fs from "fs";
import * as path from "path";
import { injectFailure, setRaftLeader, setRaftSplitBrain } from "../../sandbox";
import { changesSince, describeAsRoot, firstIndex, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

describeAsRoot("type B upgrade of an HA master + a solo slave + an HA slave", () => {
  let sandbox: SandboxFixture;
  let failedOutput = "";
  let firstOutput = "";

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.71.1", 2, { ha: [0, 101], servers: 3 });
    // Zone 101 led by its second server: the tool must find it, not assume the first front-end.
    setRaftLeader(sandbox.dir, 101, 1);
    // Its last follower's restore fails once: the first deploy stops there, the next one resumes.
    injectFailure(sandbox.dir, { frontend: "zone101-server2", match: "onedb restore -v -f", stderr: "ERROR 2013: Lost connection during restore" });
    failedOutput = await sandbox.failedDeploy();
    firstOutput = await sandbox.deploy();
  });

  it("stopped at the failed follower's restore and resumed there, redoing only that follower", () => {
    expect(failedOutput).toMatch(/Lost connection during restore/);
    // The HA slave restores, upgrades, replicates and starts as one resource; it failed in the replicate step.
    expect(failedOutput).toMatch(/zone_101_restore_to_start/);
    expect(failedOutput).toMatch(/replicate/);
    expect(firstOutput).toMatch(/Apply complete!/);
    const restoresOn = (fe: string) => sandbox.log(fe).filter((e) => /^onedb restore -v -f /.test(e.command)).length;
    expect(restoresOn("zone101-server0")).toBe(1);
    expect(restoresOn("zone101-server2")).toBe(2);
    expect(restoresOn("zone101-server1")).toBe(0);
  });
  afterAll(async () => sandbox?.down());

  it("upgrades every server to 7.0.0, each keeps its SERVER_ID, and each HA zone has one leader again", async () => {
    const status = await sandbox.status();
    const fedIndexes = new Set<number>();
    for (const zone of status.zones) {
      for (const [n, fe] of zone.frontends.entries()) {
        expect({ fe: fe.name, pkg: fe.packageVersion, db: `${fe.db.shared}/${fe.db.local}`, oned: fe.services["opennebula"] }).toEqual({
          fe: fe.name,
          pkg: "7.0.0",
          db: "7.0.0/7.0.0",
          oned: "active",
        });
        expect(fe.serverId).toBe(zone.frontends.length > 1 ? n : -1);
        fedIndexes.add(fe.fedIndex);
      }
      if (zone.frontends.length > 1) {
        expect(zone.frontends.filter((f) => f.raft === "leader")).toHaveLength(1);
        expect(zone.frontends.filter((f) => f.raft === "follower")).toHaveLength(2);
      }
    }
    expect(fedIndexes.size).toBe(1);
  });

  it("followed the HA procedure on the HA slave, as its servers' command logs show", () => {
    const log = sandbox.log();
    const [s0, leader, s2] = ["zone101-server0", "zone101-server1", "zone101-server2"];
    const at = (re: RegExp, fe: string) => {
      const i = firstIndex(log, re, fe);
      expect(`${fe} ${re}: ${i}`).not.toMatch(/: -1$/);
      return i;
    };
    // Followers stop first, the leader last.
    const leaderStop = at(/^systemctl stop /, leader);
    expect(at(/^systemctl stop /, s0)).toBeLessThan(leaderStop);
    expect(at(/^systemctl stop /, s2)).toBeLessThan(leaderStop);
    // The federated restore and the DB upgrade happen on the leader only.
    const restore = at(/^onedb restore .* -v --federated$/, leader);
    const upgrade = at(/^onedb upgrade /, leader);
    expect(restore).toBeLessThan(upgrade);
    for (const f of [s0, s2]) {
      expect(firstIndex(log, /--federated/, f)).toBe(-1);
      expect(firstIndex(log, /^onedb upgrade /, f)).toBe(-1);
      // Packages everywhere; the leader's full backup restored with -f, its configuration copied, the own SERVER_ID put back.
      at(/apt-get install /, f);
      const restoreFull = at(/^onedb restore -v -f \S+zone101-leader-7\.0\.0\.sql$/, f);
      const unpack = at(/^tar -C \/ -xzf /, f);
      const serverId = at(/^sed -i -E /, f);
      expect(restoreFull).toBeGreaterThan(upgrade);
      expect(unpack).toBeGreaterThan(restoreFull);
      expect(serverId).toBeGreaterThan(unpack);
      expect(at(/^systemctl start /, f)).toBeGreaterThan(serverId);
    }
    expect(at(/^onedb backup -v -f \S+zone101-leader-7\.0\.0\.sql$/, leader)).toBeGreaterThan(upgrade);
  });

  it("pointed monitord at the floating IP on every server of each HA zone (copied from the leader)", () => {
    for (const [zone, vip] of [
      [0, "127.0.71.8"],
      [101, "127.0.71.9"],
    ] as const) {
      for (const n of [0, 1, 2]) {
        const conf = fs.readFileSync(path.join(sandbox.dir, "frontends", `zone${zone}-server${n}`, "root", "etc/one/monitord.conf"), "utf8");
        expect(conf).toContain(`MONITOR_ADDRESS = "${vip}"`);
      }
    }
  });

  it("exported the federated tables from the master's leader", () => {
    const log = sandbox.log();
    expect(firstIndex(log, /^onedb backup -v --federated /, "zone0-server0")).toBeGreaterThan(-1);
    expect(firstIndex(log, /^onedb backup -v --federated /, "zone0-server1")).toBe(-1);
    expect(firstIndex(log, /^onedb backup -v --federated /, "zone0-server2")).toBe(-1);
  });

  it("kept a pre-upgrade backup on every server, in the terraform outputs", () => {
    expect(failedOutput + firstOutput).toMatch(
      /safety_backup_zone_101 = \{[\s\S]*"servers" = \[[\s\S]*127\.0\.71\.5:22[\s\S]*127\.0\.71\.6:22[\s\S]*127\.0\.71\.7:22/,
    );
  });

  it("changes nothing on any server when deployed again: it only reads the master's ledger", async () => {
    const before = sandbox.log().length;
    const again = await sandbox.deploy();
    expect(again).toMatch(/No changes\.|Resources: 0 added, 0 changed, 0 destroyed/);
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    expect(sandbox.log().length - before).toBe(3); // one read of each master server's copy
  });
});

describeAsRoot("an HA zone with two leaders", () => {
  let sandbox: SandboxFixture;
  afterAll(async () => sandbox?.down());

  it("is refused by the preflight before any zone is frozen or stopped", async () => {
    sandbox = await SandboxFixture.up("127.0.72.1", 1, { ha: [100], servers: 3 });
    setRaftSplitBrain(sandbox.dir, 100, true);
    const output = await sandbox.failedDeploy();
    expect(output).toMatch(/preflight refused/);
    expect(output.replace(/\s+/g, " ")).toMatch(
      /\[raft-healthy\] zone 100 \(S-EU-GE\), front-end 127\.0\.72\.\d:22: expected exactly one leader and every front-end a follower in sync, found 2 leaders/,
    );
    const changed = sandbox.log().filter((e) => /^(onezone (disable|enable)|systemctl stop|onedb (backup|restore|upgrade))/.test(e.command));
    expect(changed).toEqual([]);
  });
});
