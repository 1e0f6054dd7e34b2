/**
 * A follower further behind the leader's COMMIT than MAX_FOLLOWER_COMMIT_LAG gets the sync wait to
 * catch up, over a scripted sequence of `onezone show -j` outputs: in start (which waits for any
 * problem), in verify and in the checks' facts (which wait only for that one), and one that never
 * catches up is refused naming the server, its COMMIT, the leader's and what to do.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../../lib/model/federation";
import { StepName } from "../../lib/model/steps";
import { runPack, READINESS_PACK } from "../../lib/checks/packs";
import { gatherFacts } from "../../lib/run/gather-facts";
import { STEPS } from "../../lib/run/steps/catalog";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { dbVersionText, FakeTransport, fakeStepContext, nearestExisting, Rule, zoneShowJson } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

const HOSTS = ["192.168.150.3", "192.168.150.31", "192.168.150.32"];
const LEADER_COMMIT = 1524;

function haConfig(syncWaitSeconds: number): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-raft-waits-"));
  return seedFederation()
    .withHa(101, HOSTS)
    .with({ backup: { localDirectory: dir }, timeouts: { syncWaitSeconds } })
    .parse();
}

const onedConf = (serverId: number) =>
  `FEDERATION = [\n    MODE          = "SLAVE",\n    ZONE_ID       = 101,\n    SERVER_ID     = ${serverId},\n    MASTER_ONED   = "http://192.168.150.1:2633/RPC2"\n]\n`;

/** `onezone show 101 -j`: server-0 leads at LEADER_COMMIT, server-1 follows in step, server-2 follows at `commit` (LOG_INDEX the leader's). */
const zoneShow = (commit: number) =>
  JSON.stringify({
    ZONE: {
      ID: "101",
      NAME: "S-US-CA",
      STATE: "0",
      TEMPLATE: { ENDPOINT: "http://192.168.150.30:2633/RPC2" },
      SERVER_POOL: {
        SERVER: [LEADER_COMMIT, LEADER_COMMIT, commit].map((c, i) => ({
          ENDPOINT: `http://${HOSTS[i]}:2633/RPC2`,
          ID: String(i),
          NAME: `server-${i}`,
          STATE: i === 0 ? "3" : "2",
          TERM: "3",
          VOTEDFOR: "0",
          COMMIT: String(c),
          LOG_INDEX: String(LEADER_COMMIT),
          FEDLOG_INDEX: "715438",
        })),
      },
    },
  });

/** server-2's COMMIT at each `onezone show` of the zone, whichever server is asked; the last one repeats. */
function commitSequence(commits: number[]): { rule: Rule; reads: () => number } {
  let reads = 0;
  const rule: Rule = [/^onezone show 101 -j$/, () => ({ stdout: zoneShow(commits[Math.min(reads++, commits.length - 1)]) })];
  return { rule, reads: () => reads };
}

/** A front-end of zone 101 at `version`, oned running. */
const running = (i: number, version: string): Rule[] => [
  [/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i) }],
  [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
  [/^systemctl is-active/, { stdout: "active\n" }],
  [/^dpkg-query/, { stdout: `${version}-1` }],
  [/^onedb version/, { stdout: dbVersionText(version, version, version) }],
  nearestExisting(),
  [/^test -e /, { exitCode: 0 }],
  [/^awk /, { stdout: "BACKEND=sqlite\n" }],
  [/^df -P -B1 /, { stdout: "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda 270553174016 19664171008 78129123328 21% /\n" }],
];

function runStep(step: StepName, config: FederationConfig, raft: Rule) {
  const zone = config.zones.find((z) => z.id === 101)!;
  const logs: string[] = [];
  const transports = zone.frontends.map((_, i) => new FakeTransport([raft, ...running(i, config.toVersion)]));
  const ctx = fakeStepContext(config, zone, step, (z: ZoneConfig, i) => (z.id === 101 ? transports[i] : new FakeTransport([])));
  return { transports, logs, result: STEPS[step].run({ ...ctx, log: (l: string) => logs.push(l) }) };
}

const BEHIND = LEADER_COMMIT - 124;

describe("start: one leader with the followers in sync", () => {
  it("waits for a follower beyond the bound to catch up, then passes", async () => {
    const seq = commitSequence([BEHIND, BEHIND, LEADER_COMMIT - 3]);
    const { result } = runStep("start", haConfig(10), seq.rule);
    await expect(result).resolves.toMatchObject({ status: "already-done", summary: "every service already running; Raft: one leader, followers in sync" });
    expect(seq.reads()).toBe(3);
  });

  it("refuses a follower that does not catch up within timeouts.syncWaitSeconds, naming it, its COMMIT, the leader's and what to do", async () => {
    const seq = commitSequence([BEHIND]);
    const { result } = runStep("start", haConfig(2), seq.rule);
    await expect(result).rejects.toThrow(
      "start refused on zone 101 (S-US-CA): expected one Raft leader and 2 followers in sync within 2 s, " +
        "but found not in sync: 192.168.150.32:22 (SERVER_ID 2) follower at COMMIT 1400, 124 behind the leader's 1524 (at most 20 counts as in sync). " +
        "Read /var/log/one/oned.log on 192.168.150.32:22 (SERVER_ID 2) and on the leader: a follower that stays behind is not replicating. " +
        "One that fell outside the leader's LOG_RETENTION window never catches up",
    );
    expect(seq.reads()).toBeGreaterThan(1);
  });

  it("passes at once a follower within the bound", async () => {
    const seq = commitSequence([LEADER_COMMIT - 20]);
    await expect(runStep("start", haConfig(10), seq.rule).result).resolves.toMatchObject({ status: "already-done" });
    expect(seq.reads()).toBe(1);
  });
});

describe("verify on an HA zone", () => {
  it("gives a lagging follower the sync wait, then passes", async () => {
    // The first read finds the leader (the zone's speaking front-end), the next ones judge the cluster.
    const seq = commitSequence([BEHIND, BEHIND, LEADER_COMMIT]);
    const { result, logs } = runStep("verify", haConfig(10), seq.rule);
    await expect(result).resolves.toMatchObject({ status: "done", summary: expect.stringMatching(/3 servers with one leader, zone enabled$/) });
    expect(logs.some((l) => /Raft: not in sync: .*follower at COMMIT 1400, 124 behind the leader's 1524.*; waiting/.test(l))).toBe(true);
  });

  it("refuses one that stays behind, with what to do", async () => {
    const { result } = runStep("verify", haConfig(1), commitSequence([BEHIND]).rule);
    await expect(result).rejects.toThrow(
      /found Raft not in sync: 192\.168\.150\.32:22 \(SERVER_ID 2\) follower at COMMIT 1400, 124 behind the leader's 1524 .*\. Read \/var\/log\/one\/oned\.log on 192\.168\.150\.32:22/,
    );
  });

  it("does not wait out two leaders", async () => {
    const twoLeaders = zoneShow(LEADER_COMMIT).replace('"STATE":"2"', '"STATE":"3"');
    let reads = 0;
    const { result } = runStep("verify", haConfig(30), [/^onezone show 101 -j$/, () => (reads++, { stdout: twoLeaders })]);
    await expect(result).rejects.toThrow(/exactly one Raft leader/);
    expect(reads).toBe(1);
  });
});

describe("the checks' facts (onefed check, preflight)", () => {
  /** gatherFacts over scripted front-ends at 6.10.0; zone 101's Raft view follows `raft`. */
  async function facts(config: FederationConfig, raft: Rule) {
    const transports = new Map<string, FakeTransport>();
    const transportOf = (z: ZoneConfig, i: number): FakeTransport => {
      const key = `${z.id}/${i}`;
      if (!transports.has(key)) {
        const solo: Rule = [/^onezone show (\d+) -j$/, { stdout: zoneShowJson(z, true) }];
        const list: Rule = [
          /^onezone list --csv/,
          { stdout: "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" + config.zones.map((x) => `"",${x.id},${x.name},${x.endpoint},715438,on`).join("\n") },
        ];
        transports.set(key, new FakeTransport([z.id === 101 ? raft : solo, list, ...running(i, "6.10.0")]));
      }
      return transports.get(key)!;
    };
    const frontend = async (z: ZoneConfig, i: number) =>
      new OpenNebulaFrontend(transportOf(z, i), { host: z.frontends[i].host, port: z.frontends[i].port, zone: z.name }, z.packages.manager);
    return gatherFacts(config, { frontend, node: () => Promise.reject(new Error("no nodes")) });
  }
  const fromVersion = (seconds: number) =>
    seedFederation()
      .withHa(101, HOSTS)
      .with({ timeouts: { syncWaitSeconds: seconds } })
      .parse();

  it("re-read a zone whose follower is behind until it catches up: no finding", async () => {
    // Three servers each read the view once while gathering; the fourth read is the re-read.
    const seq = commitSequence([BEHIND, BEHIND, BEHIND, BEHIND, LEADER_COMMIT - 2]);
    const f = await facts(fromVersion(10), seq.rule);
    expect(f.raft?.[0]).toMatchObject({ zoneId: 101, rereadSeconds: expect.any(Number) });
    expect(runPack(READINESS_PACK, f, fromVersion(10)).filter((r) => r.check === "raft-healthy")).toMatchObject([{ status: "ok" }]);
  });

  it("report one that stays behind after the wait, saying so", async () => {
    const f = await facts(fromVersion(1), commitSequence([BEHIND]).rule);
    const [r] = runPack(READINESS_PACK, f, fromVersion(1)).filter((x) => x.check === "raft-healthy");
    expect(r.summary).toMatch(
      /follower at COMMIT 1400, 124 behind the leader's 1524 \(at most 20 counts as in sync\), still after re-reading for \d+ s\. Read \/var\/log\/one\/oned\.log/,
    );
  });

  it("read a healthy zone once per server, without waiting", async () => {
    const seq = commitSequence([LEADER_COMMIT]);
    const f = await facts(fromVersion(30), seq.rule);
    expect(seq.reads()).toBe(3);
    expect(f.raft?.[0].rereadSeconds).toBeUndefined();
  });
});
