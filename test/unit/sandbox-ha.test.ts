/**
 * HA (Raft) zones in the sandbox (docs/opennebula.md §3, §5.2): topology and files, `onezone show` against
 * the real CLI's e-ha-zone sample, elections, quorum, forwarding from followers, the test switches
 * (split brain, forced leader, lagging follower, a follower's COMMIT trailing) and the DB copy from the leader to a follower.
 */
import * as fs from "fs";
import * as path from "path";
import { sandboxStatus, setFrontendState, setRaftCommitLag, setRaftLeader, setRaftSplitBrain } from "../../sandbox";
import { DEFAULT_FOLLOWER_COMMIT_LAG } from "../../sandbox/raft";
import { judgeRaft, MAX_FOLLOWER_COMMIT_LAG } from "../../lib/checks/raft-health";
import { parseZoneShowJson } from "../../lib/remote/opennebula/parsers";
import { SandboxLayout } from "../../sandbox/layout";
import { planSandbox } from "../../sandbox/prepare";
import { writeRaft } from "../../sandbox/raft";
import { readRegistry } from "../../sandbox/registry";
import { EmulatorSandbox, MASTER, SLAVE_CA, sample } from "../sandbox/emulator-harness";

const GE = (n: number): string => `zone100-server${n}`;
const NOT_RUNNING = (host: string): string => `Failed to open TCP connection to ${host}:2633 (Connection refused - connect(2) for ${host}:2633)\n`;

interface Server {
  ID: string;
  NAME: string;
  ENDPOINT: string;
  STATE: string;
  TERM: string;
  VOTEDFOR: string;
  COMMIT: string;
  LOG_INDEX: string;
  FEDLOG_INDEX: string;
}

/** SERVER_POOL.SERVER[] of `onezone show <zone> -j` run on a front-end. */
function servers(sb: EmulatorSandbox, fe: string, zone = 100): Server[] {
  const r = sb.run(fe, `onezone show ${zone} -j`);
  expect(r).toMatchObject({ stderr: "", code: 0 });
  return JSON.parse(r.stdout).ZONE.SERVER_POOL.SERVER as Server[];
}

const states = (list: Server[]): string[] => list.map((s) => s.STATE);

describe("HA topology (--ha, --servers)", () => {
  it("gives every front-end the next address in zone order, then one floating IP per HA zone", () => {
    const reg = planSandbox({ dir: "/tmp/onefed-plan", ha: [0, 101] }, "node", "emu");
    expect(
      reg.zones.map((z) => ({ id: z.id, endpoint: z.endpoint, ha: z.ha, vip: z.vip, fes: z.frontends.map((f) => `${f.name}@${f.host}#${f.serverId}`) })),
    ).toEqual([
      {
        id: 0,
        endpoint: "http://127.0.50.8:2633/RPC2",
        ha: true,
        vip: "127.0.50.8",
        fes: ["zone0-server0@127.0.50.1#0", "zone0-server1@127.0.50.2#1", "zone0-server2@127.0.50.3#2"],
      },
      { id: 100, endpoint: "http://127.0.50.4:2633/RPC2", ha: undefined, vip: undefined, fes: ["zone100-server0@127.0.50.4#-1"] },
      {
        id: 101,
        endpoint: "http://127.0.50.9:2633/RPC2",
        ha: true,
        vip: "127.0.50.9",
        fes: ["zone101-server0@127.0.50.5#0", "zone101-server1@127.0.50.6#1", "zone101-server2@127.0.50.7#2"],
      },
    ]);
  });

  it("keeps today's addresses without --ha, and takes --servers", () => {
    expect(planSandbox({ dir: "/tmp/onefed-plan" }, "n", "e").zones.map((z) => z.endpoint)).toEqual([
      "http://127.0.50.1:2633/RPC2",
      "http://127.0.50.2:2633/RPC2",
      "http://127.0.50.3:2633/RPC2",
    ]);
    const two = planSandbox({ dir: "/tmp/onefed-plan", slaves: 1, ha: [100], servers: 2 }, "n", "e");
    expect(two.zones[1].frontends.map((f) => f.host)).toEqual(["127.0.50.2", "127.0.50.3"]);
    expect(two.zones[1].vip).toBe("127.0.50.4");
  });

  it.each([
    [{ ha: [102] }, /--ha 102: no such zone \(the zones are 0, 100, 101\)/],
    [{ ha: [0], servers: 1 }, /--servers must be an integer from 2 to 7 \(got 1\)/],
    [{ ha: [0], servers: 8 }, /--servers must be an integer from 2 to 7 \(got 8\)/],
  ])("refuses %j", (o, message) => {
    expect(() => planSandbox({ dir: "/tmp/onefed-plan", ...o }, "n", "e")).toThrow(message);
  });
});

describe("HA zone files", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ ha: [100] })));
  afterAll(() => sb.remove());

  it("lists every server in federation.yaml, the zone endpoint being the floating IP", () => {
    const yaml = fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8");
    expect(yaml).toContain(
      '  - { id: 100, name: S-EU-GE, role: slave,  endpoint: "http://127.0.50.6:2633/RPC2", frontends: [ { host: 127.0.50.2, port: 22 }, { host: 127.0.50.3, port: 22 }, { host: 127.0.50.4, port: 22 } ] }',
    );
    expect(yaml).toContain(
      '  - { id: 101, name: S-US-CA, role: slave,  endpoint: "http://127.0.50.5:2633/RPC2", frontends: [ { host: 127.0.50.5, port: 22 } ] }',
    );
    const reg = readRegistry(new SandboxLayout(sb.dir))!;
    expect(reg.zones[1]).toMatchObject({ id: 100, ha: true, vip: "127.0.50.6" });
  });

  it("writes each server's SERVER_ID in oned.conf (-1 in solo zones) and seeds remotes/etc", () => {
    const serverId = (fe: string): string | undefined => /SERVER_ID\s+= (-?\d+),/.exec(fs.readFileSync(sb.path(fe, "/etc/one/oned.conf"), "utf8"))?.[1];
    expect([GE(0), GE(1), GE(2), MASTER, SLAVE_CA].map(serverId)).toEqual(["0", "1", "2", "-1", "-1"]);
    for (const fe of [GE(0), GE(1), GE(2)]) expect(fs.readFileSync(sb.path(fe, "/var/lib/one/remotes/etc/vmm/kvm/kvmrc"), "utf8")).toMatch(/LIBVIRT_URI/);
    // HA servers' CLIs use the default endpoint, i.e. their own oned.
    expect(fs.existsSync(sb.path(GE(1), "/var/lib/one/.one/one_endpoint"))).toBe(false);
  });

  it("reports serverId and the Raft role in sandboxStatus", async () => {
    const st = await sandboxStatus(sb.dir);
    const zone = st.zones.find((z) => z.id === 100)!;
    expect(zone).toMatchObject({ ha: true, vip: "127.0.50.6", raft: { term: 1, leader: 0, splitBrain: false } });
    expect(zone.frontends.map((f) => [f.name, f.host, f.serverId, f.raft])).toEqual([
      [GE(0), "127.0.50.2", 0, "leader"],
      [GE(1), "127.0.50.3", 1, "follower"],
      [GE(2), "127.0.50.4", 2, "follower"],
    ]);
    expect(st.zones[0].frontends[0]).toMatchObject({ serverId: -1, raft: "solo" });
    expect(st.zones[0]).toMatchObject({ ha: false });
  });
});

/** Maps the e-ha-zone sample (servers ge-fe1..3 on 127.0.52.x, zone 100 at 127.0.50.2) onto this sandbox's addresses. */
function mapSample(text: string): string {
  return (
    text
      .replace(/127\.0\.50\.3/g, "ZONE101")
      .replace(/127\.0\.50\.2/g, "VIP100")
      .replace(/127\.0\.52\.(\d)/g, (_, n) => `127.0.50.${Number(n) + 1}`)
      // "ge-fe1" is two characters shorter than "server-0": table cells keep their width.
      .replace(/ge-fe(\d)( {2})?/g, (_, n) => `server-${Number(n) - 1}`)
      .replace(/ZONE101/g, "127.0.50.5")
      .replace(/VIP100/g, "127.0.50.6")
  );
}

describe("onezone against the real CLI's HA sample (e-ha-zone)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create({ ha: [100] });
    // The sample's term and log index, its follower in step (a quiet zone); server 2 cannot be reached.
    writeRaft(new SandboxLayout(sb.dir), 100, { leader: 0, term: 7, logIndex: 48211, splitBrain: false });
    setRaftCommitLag(sb.dir, GE(1), 0);
    setFrontendState(sb.dir, GE(2), { reachable: false });
  });
  afterAll(() => sb.remove());

  it.each([
    ["show 100", "show_100"],
    ["show 100 -x", "show_100_-x"],
    ["show 100 -j", "show_100_-j"],
    ["show 0", "show_0"],
    ["list", "list"],
    ["list --csv", "list_--csv"],
    ["list --csv -l ID,NAME,FED_INDEX,STAT", "list_--csv_-l_ID-NAME-FED_INDEX-STAT"],
    ["list -x", "list_-x"],
    ["list -j", "list_-j"],
  ])("onezone %s matches byte for byte (addresses and names mapped)", (args, file) => {
    const want = sample(`onezone/e-ha-zone/${file}`);
    expect(sb.run(MASTER, `onezone ${args}`)).toEqual({ ...want, stdout: mapSample(want.stdout) });
  });

  it("gives the same server table on a follower, whose CLI talks to its own oned", () => {
    const want = mapSample(sample("onezone/e-ha-zone/show_100").stdout);
    expect(sb.run(GE(1), "onezone show 100")).toEqual({ stdout: want, stderr: "", code: 0 });
    // Its own endpoint is not a zone endpoint: no `*` in the list.
    expect(
      sb
        .run(GE(1), "onezone list --csv")
        .stdout.split("\n")
        .filter((l) => l.startsWith("*")),
    ).toEqual([]);
  });
});

describe("Raft elections in an HA zone", () => {
  let sb: EmulatorSandbox;
  beforeEach(() => (sb = EmulatorSandbox.create({ ha: [100] })));
  afterEach(() => sb.remove());

  it("shows leader, followers and a stopped server as error", () => {
    expect(sb.run(GE(2), "systemctl stop opennebula").code).toBe(0);
    const list = servers(sb, GE(1));
    expect(list.map((s) => [s.ID, s.NAME, s.ENDPOINT, s.STATE, s.TERM, s.VOTEDFOR])).toEqual([
      ["0", "server-0", "http://127.0.50.2:2633/RPC2", "3", "1", "0"],
      ["1", "server-1", "http://127.0.50.3:2633/RPC2", "2", "1", "0"],
      ["2", "server-2", "http://127.0.50.4:2633/RPC2", "-", "-", "-"],
    ]);
    // A live zone's follower holds the leader's log; its COMMIT trails by a few entries.
    expect(Number(list[1].COMMIT)).toBe(Number(list[0].COMMIT) - DEFAULT_FOLLOWER_COMMIT_LAG);
    expect(list[0].LOG_INDEX).toBe(list[1].LOG_INDEX);
    expect(list.map((s) => s.FEDLOG_INDEX)).toEqual(["715438", "715438", "-"]);
    expect(sb.run(GE(1), "onezone show 100").stdout).toMatch(/^ 2 server-2        error      -          -          -          -     -$/m);
  });

  it("elects the lowest alive server in a new term when the leader's oned stops while a quorum remains", async () => {
    expect(sb.run(GE(0), "systemctl stop opennebula").code).toBe(0);
    expect(states(servers(sb, MASTER))).toEqual(["-", "3", "2"]);
    expect(servers(sb, MASTER)[1]).toMatchObject({ TERM: "2", VOTEDFOR: "1" });
    // The floating IP follows the leader: FED_INDEX of zone 100 comes from server 1.
    expect(sb.run(MASTER, "onezone list --csv -l ID,FED_INDEX").stdout).toBe("ID,FED_INDEX\n0,715438\n100,715438\n101,715438\n");
    expect(sb.run(MASTER, "onezone disable 100 --endpoint http://127.0.50.6:2633/RPC2 -v")).toEqual({
      stdout: "ZONE 100: disable zone\n",
      stderr: "",
      code: 0,
    });
    // The old leader comes back as a follower: the leader does not change without a reason.
    expect(sb.run(GE(0), "systemctl start opennebula").code).toBe(0);
    expect(states(servers(sb, GE(0)))).toEqual(["2", "3", "2"]);
    expect((await sandboxStatus(sb.dir)).zones[1].raft).toMatchObject({ term: 2, leader: 1 });
  });

  it("has no leader without a quorum: candidates, the floating IP refuses, writes are refused in election mode", () => {
    expect(sb.run(GE(0), "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(GE(1), "systemctl stop opennebula").code).toBe(0);
    expect(states(servers(sb, GE(2)))).toEqual(["-", "-", "1"]);
    expect(servers(sb, GE(2))[2]).toMatchObject({ TERM: "2", VOTEDFOR: "2" });
    expect(sb.run(MASTER, "onezone list --csv -l ID,FED_INDEX").stdout).toBe("ID,FED_INDEX\n0,715438\n100,-\n101,715438\n");
    expect(sb.run(MASTER, "onezone show 100 --endpoint http://127.0.50.6:2633/RPC2")).toEqual({ stdout: "", stderr: NOT_RUNNING("127.0.50.6"), code: 255 });
    const election = "[one.zone.enable] Cannot process request, oned cluster in election mode\n";
    expect(sb.run(GE(2), "onezone disable 100")).toEqual({ stdout: "", stderr: election, code: 255 });
    expect(sb.run(GE(2), "onehost disable 0")).toEqual({
      stdout: "",
      stderr: "[one.host.status] Cannot process request, oned cluster in election mode\n",
      code: 255,
    });
    // A quorum again: the lowest alive server wins the next term.
    expect(sb.run(GE(1), "systemctl start opennebula").code).toBe(0);
    expect(states(servers(sb, GE(2)))).toEqual(["-", "3", "2"]);
    expect(servers(sb, GE(2))[1].TERM).toBe("3");
  });

  it("forwards a follower's onezone disable to its leader and replicates the change to every server", async () => {
    expect(sb.run(GE(2), "onezone disable 100 -v")).toEqual({ stdout: "ZONE 100: disable zone\n", stderr: "", code: 0 });
    const st = await sandboxStatus(sb.dir);
    for (const fe of st.zones.flatMap((z) => z.frontends))
      expect({ fe: fe.name, state: fe.zoneStates["100"], idx: fe.fedIndex }).toEqual({ fe: fe.name, state: "DISABLED", idx: 715439 });
    // Another zone's change still has to go through that zone's endpoint.
    expect(sb.run(GE(2), "onezone enable 0").stderr).toBe("[one.zone.enable] Enable/disable mode have to be set through the target zone endpoints\n");
    expect(sb.run(GE(1), "onezone enable 100").code).toBe(0);
  });

  it("forwards onehost disable from a follower; the hosts stay disabled after a change of leader", () => {
    const before = servers(sb, GE(0))[0].LOG_INDEX;
    expect(sb.run(GE(1), "onehost disable 0 -v")).toEqual({ stdout: "HOST 0: disable\n", stderr: "", code: 0 });
    expect(Number(servers(sb, GE(0))[0].LOG_INDEX)).toBe(Number(before) + 1);
    expect(sb.run(GE(2), "onehost list --csv").stdout).toMatch(/^0,s-eu-ge-kvm-0,.*,off$/m);
    expect(sb.run(GE(0), "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(GE(2), "onehost list --csv").stdout).toMatch(/^0,s-eu-ge-kvm-0,.*,off$/m);
    expect(sb.run(GE(1), "onehost enable 0").code).toBe(0);
    expect(sb.run(GE(2), "onehost show 0 -j").stdout).toMatch(/"STATE": "2"/);
  });

  it("lets a master-zone follower's change reach the slaves (an HA master)", () => {
    const ha = EmulatorSandbox.create({ ha: [0], servers: 2, slaves: 1 });
    try {
      // zone0-server0/1 on .1/.2, zone 100 on .3, the master's floating IP .4.
      expect(ha.run("zone0-server1", "onezone disable 0 -v")).toEqual({ stdout: "ZONE 0: disable zone\n", stderr: "", code: 0 });
      expect(ha.run("zone100-server0", "onezone list --csv -l ID,FED_INDEX,STAT").stdout).toBe("ID,FED_INDEX,STAT\n0,715439,off\n100,715439,on\n");
      expect(ha.run("zone100-server0", "onezone disable 100").stderr).toBe("[one.zone.enable] Cannot process request, zone disabled\n");
      // Two servers: quorum 2. Losing one leaves no leader, so the slave's request reaches no master.
      expect(ha.run("zone0-server0", "onezone enable 0").code).toBe(0);
      expect(ha.run("zone0-server1", "systemctl stop opennebula").code).toBe(0);
      expect(ha.run("zone100-server0", "onezone disable 100")).toEqual({
        stdout: "",
        stderr: `[one.zone.enable] Error updating zone in federation master: ${NOT_RUNNING("127.0.50.4").trim()}\n`,
        code: 255,
      });
    } finally {
      ha.remove();
    }
  });
});

describe("Raft test switches", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ ha: [100] })));
  afterAll(() => sb.remove());

  it("split brain: the lowest-id alive follower reports itself leader too", async () => {
    setRaftSplitBrain(sb.dir, 100, true);
    expect(states(servers(sb, MASTER))).toEqual(["3", "3", "2"]);
    expect(servers(sb, MASTER)[1].VOTEDFOR).toBe("1");
    expect((await sandboxStatus(sb.dir)).zones[1].frontends.map((f) => f.raft)).toEqual(["leader", "leader", "follower"]);
    setRaftSplitBrain(sb.dir, 100, false);
    expect(states(servers(sb, MASTER))).toEqual(["3", "2", "2"]);
  });

  it("forces a leader (a new term), refusing a server that is not alive", () => {
    setRaftLeader(sb.dir, 100, 2);
    expect(states(servers(sb, MASTER))).toEqual(["2", "2", "3"]);
    expect(servers(sb, MASTER).map((s) => [s.TERM, s.VOTEDFOR])).toEqual([
      ["2", "2"],
      ["2", "2"],
      ["2", "2"],
    ]);
    expect(sb.run(GE(1), "systemctl stop opennebula").code).toBe(0);
    expect(() => setRaftLeader(sb.dir, 100, 1)).toThrow(/zone100-server1 cannot lead zone 100: its oned is stopped or unreachable/);
    expect(() => setRaftLeader(sb.dir, 101, 0)).toThrow(/zone 101 is not an HA zone \(HA zones: 100\)/);
    expect(sb.run(GE(1), "systemctl start opennebula").code).toBe(0);
  });

  it("raftLagging: a follower's COMMIT and LOG_INDEX fall behind the leader's", async () => {
    setFrontendState(sb.dir, GE(0), { raftLagging: true });
    const list = servers(sb, MASTER);
    const leader = list.find((s) => s.STATE === "3")!;
    expect(Number(list[0].COMMIT)).toBeLessThan(Number(leader.COMMIT));
    expect(Number(list[0].LOG_INDEX)).toBeLessThan(Number(leader.LOG_INDEX));
    expect(list[1].LOG_INDEX).toBe(leader.LOG_INDEX);
    expect((await sandboxStatus(sb.dir)).zones[1].frontends[0]).toMatchObject({ raft: "follower", raftLagging: true });
    setFrontendState(sb.dir, GE(0), { raftLagging: false });
    expect(servers(sb, MASTER)[0].LOG_INDEX).toBe(leader.LOG_INDEX);
  });

  it("a follower's COMMIT trails its LOG_INDEX by a few entries by default, which onefed judges in sync", () => {
    const members = [0, 1, 2].map((n) => ({ frontend: GE(n), serverId: n }));
    const list = servers(sb, MASTER);
    const leader = list.find((s) => s.STATE === "3")!;
    for (const f of list.filter((s) => s.STATE === "2")) {
      expect([f.LOG_INDEX, Number(leader.COMMIT) - Number(f.COMMIT)]).toEqual([leader.LOG_INDEX, DEFAULT_FOLLOWER_COMMIT_LAG]);
    }
    expect(judgeRaft(parseZoneShowJson(sb.run(MASTER, "onezone show 100 -j").stdout).servers, members)).toEqual({ healthy: true, problem: "" });
  });

  it("setRaftCommitLag: a busy zone's follower keeps the leader's log, its COMMIT trails, and it catches up by itself", async () => {
    const members = [0, 1, 2].map((n) => ({ frontend: GE(n), serverId: n }));
    const judged = () => judgeRaft(parseZoneShowJson(sb.run(MASTER, "onezone show 100 -j").stdout).servers, members);
    const leader = servers(sb, MASTER).find((s) => s.STATE === "3")!;
    const follower = servers(sb, MASTER).findIndex((s) => s.STATE === "2");
    // Long enough that a loaded machine still reads the lag before it clears (each read starts a process).
    setRaftCommitLag(sb.dir, GE(follower), 5, 4);
    const lagging = servers(sb, MASTER)[follower];
    expect([lagging.STATE, lagging.COMMIT, lagging.LOG_INDEX]).toEqual(["2", String(Number(leader.COMMIT) - 5), leader.LOG_INDEX]);
    expect(judged()).toEqual({ healthy: true, problem: "" });
    await new Promise((r) => setTimeout(r, 4200));
    // Caught up: back to a live zone's few entries.
    expect(servers(sb, MASTER)[follower].COMMIT).toBe(String(Number(leader.COMMIT) - DEFAULT_FOLLOWER_COMMIT_LAG));
    // Beyond onefed's bound, for good until cleared: judged as catching up, not broken.
    setRaftCommitLag(sb.dir, GE(follower), MAX_FOLLOWER_COMMIT_LAG + 5);
    expect(servers(sb, MASTER)[follower].COMMIT).toBe(String(Number(leader.COMMIT) - MAX_FOLLOWER_COMMIT_LAG - 5));
    expect(judged()).toMatchObject({
      healthy: false,
      catchingUp: true,
      problem: expect.stringContaining(`${GE(follower)} (SERVER_ID ${follower}) follower at COMMIT`),
    });
    setRaftCommitLag(sb.dir, GE(follower), 0);
    expect(servers(sb, MASTER)[follower].COMMIT).toBe(leader.COMMIT);
    expect(() => setRaftCommitLag(sb.dir, MASTER, 3)).toThrow(/zone0-server0 is not a server of an HA zone/);
    expect(() => setRaftCommitLag(sb.dir, GE(0), -1)).toThrow(/entries must be a non-negative integer \(got -1\)/);
    expect(() => setRaftCommitLag(sb.dir, GE(0), 3, 0)).toThrow(/seconds must be positive \(got 0\)/);
  }, 20_000);
});

describe("copying the upgraded leader's database to the followers (§3.2 step 5)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ ha: [0], slaves: 0, from: "6.10.0", to: "7.0.0" })));
  afterAll(() => sb.remove());
  const S = (n: number): string => `zone0-server${n}`;

  it("full onedb backup on the leader, onedb restore -f on a follower: it starts on the new version", async () => {
    for (const n of [2, 1, 0]) expect(sb.run(S(n), "systemctl stop opennebula").code).toBe(0);
    for (const n of [0, 1, 2]) setFrontendState(sb.dir, S(n), { packageVersion: "7.0.0" });
    expect(sb.run(S(0), "onedb upgrade -b /var/lib/one/backups/pre.sql").code).toBe(0);
    // In the sandbox's scratch directory, not a fixed /tmp path another user's run may own.
    const dump = path.join(sb.work, "leader.sql");
    expect(sb.run(S(0), `onedb backup -v -f ${dump}`).stdout).toBe(`Sqlite database backup stored in ${dump}\nUse 'onedb restore' to restore the DB.\n`);
    expect(sb.run(S(1), `onedb restore -f ${dump}`)).toMatchObject({ stdout: "Sqlite database backup restored in /var/lib/one/one.db\n", code: 0 });
    // Server 2 keeps its old database: oned refuses the version mismatch.
    const start2 = sb.run(S(2), "systemctl start opennebula");
    expect(start2.code).toBe(1);
    expect(fs.readFileSync(sb.path(S(2), "/var/log/one/oned.log"), "utf8")).toMatch(/Database version mismatch/);
    for (const n of [0, 1]) expect(sb.run(S(n), "systemctl start opennebula").code).toBe(0);
    const st = (await sandboxStatus(sb.dir)).zones[0];
    expect(st.frontends.map((f) => [f.db.shared, f.db.local, f.raft])).toEqual([
      ["7.0.0", "7.0.0", "leader"],
      ["7.0.0", "7.0.0", "follower"],
      ["6.10.0", "6.10.0", "error"],
    ]);
    expect(states(servers(sb, S(1), 0))).toEqual(["3", "2", "-"]);
  });
});
