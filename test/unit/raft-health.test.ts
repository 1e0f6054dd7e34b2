/**
 * The Raft judge (lib/checks/raft-health.ts) and the raft-healthy check, table-driven: a follower
 * within MAX_FOLLOWER_COMMIT_LAG of the leader's COMMIT is in sync, one further behind is "catching
 * up" (the waits re-read it), and everything else (no leader, two leaders, a missing or unlisted
 * server) stays what it was.
 */
import { FederationFacts } from "../../lib/checks/facts";
import { raftHealthy } from "../../lib/checks/raft-healthy";
import { judgeRaft, MAX_FOLLOWER_COMMIT_LAG, RaftMember } from "../../lib/checks/raft-health";
import { fedIndexOf } from "../../lib/remote/opennebula/fed-index";
import { ZoneServer } from "../../lib/remote/opennebula/parsers";
import { seedFederation } from "../support/federation-builder";

const HOSTS = ["192.168.150.3", "192.168.150.31", "192.168.150.32"];
const members: RaftMember[] = HOSTS.map((h, i) => ({ frontend: `${h}:22`, serverId: i }));

/** Server i with a Raft STATE (3 leader, 2 follower, null: no answer) and a COMMIT. */
const server = (id: number, state: number | null, commit: number | null): ZoneServer => ({
  id,
  name: `server-${id}`,
  endpoint: `http://${HOSTS[id]}:2633/RPC2`,
  raftState: state,
  term: state === null ? null : 3,
  commit,
  logIndex: commit,
  fedIndex: state === null ? { kind: "unreachable" } : fedIndexOf(715438),
});

/** server-0 leads at COMMIT 1524; the followers at the given COMMITs. */
const leaderAnd = (...followers: Array<number | null>): ZoneServer[] => [
  server(0, 3, 1524),
  ...followers.map((c, i) => server(i + 1, c === null ? null : 2, c)),
];

describe("judgeRaft", () => {
  const bound = MAX_FOLLOWER_COMMIT_LAG;
  it("bounds a follower's lag at 20 entries", () => {
    expect(bound).toBe(20);
  });

  it.each<[string, ZoneServer[], { healthy: boolean; catchingUp?: boolean; problem?: RegExp }]>([
    ["followers at the leader's COMMIT", leaderAnd(1524, 1524), { healthy: true }],
    ["a follower a few entries behind (a busy zone)", leaderAnd(1519, 1524), { healthy: true }],
    ["a follower exactly at the bound", leaderAnd(1524 - bound, 1524), { healthy: true }],
    ["a follower read ahead of the leader (asked later)", leaderAnd(1530, 1524), { healthy: true }],
    [
      "a follower one entry beyond the bound",
      leaderAnd(1524 - bound - 1, 1524),
      {
        healthy: false,
        catchingUp: true,
        problem: /^not in sync: 192\.168\.150\.31:22 \(SERVER_ID 1\) follower at COMMIT 1503, 21 behind the leader's 1524 \(at most 20 counts as in sync\)$/,
      },
    ],
    [
      "two followers far behind",
      leaderAnd(1400, 1000),
      {
        healthy: false,
        catchingUp: true,
        problem:
          /SERVER_ID 1\) follower at COMMIT 1400, 124 behind the leader's 1524 .*; 192\.168\.150\.32:22 \(SERVER_ID 2\) follower at COMMIT 1000, 524 behind/,
      },
    ],
    [
      "a server that does not answer",
      leaderAnd(1524, null),
      { healthy: false, catchingUp: false, problem: /^not in sync: 192\.168\.150\.32:22 \(SERVER_ID 2\) error at COMMIT - \(leader 1524\)$/ },
    ],
    [
      "a far-behind follower next to a dead one: not only catching up",
      leaderAnd(1000, null),
      { healthy: false, catchingUp: false, problem: /error at COMMIT - \(leader 1524\); .*follower at COMMIT 1000, 524 behind/ },
    ],
    ["no leader", [server(0, 1, 1524), server(1, 1, 1524), server(2, 1, 1524)], { healthy: false, problem: /^no leader \(server-0 \(id 0\) candidate, / }],
    ["two leaders", [server(0, 3, 1524), server(1, 3, 1524), server(2, 2, 1524)], { healthy: false, problem: /^2 leaders \(/ }],
    [
      "a listed server missing from SERVER_POOL",
      leaderAnd(1524),
      { healthy: false, catchingUp: false, problem: /192\.168\.150\.32:22 \(SERVER_ID 2\) missing from SERVER_POOL/ },
    ],
  ])("%s", (_what, servers, expected) => {
    const health = judgeRaft(servers, members);
    expect(health.healthy).toBe(expected.healthy);
    if (expected.catchingUp !== undefined) expect(health.catchingUp).toBe(expected.catchingUp);
    if (expected.problem) expect(health.problem).toMatch(expected.problem);
    else expect(health.problem).toBe("");
  });

  it("names the lagging follower, its COMMIT and the leader's", () => {
    expect(judgeRaft(leaderAnd(1524, 1450), members).lagging).toEqual([{ member: members[2], commit: 1450, leaderCommit: 1524 }]);
  });

  it("still refuses a server federation.yaml does not list", () => {
    expect(judgeRaft(leaderAnd(1524, 1524), members.slice(0, 2)).problem).toMatch(/SERVER_POOL has server-2 \(id 2\) that federation\.yaml does not list/);
  });
});

describe("raft-healthy", () => {
  const config = seedFederation().withHa(101, HOSTS).parse();
  const check = (servers: ZoneServer[], rereadSeconds?: number) => {
    const facts: FederationFacts = {
      gatheredAt: "2026-11-25T00:00:00Z",
      frontends: [],
      raft: [{ zoneId: 101, serverIds: Object.fromEntries(members.map((m) => [m.frontend, m.serverId])), askedAt: "192.168.150.3:22", servers, rereadSeconds }],
    };
    return raftHealthy.run(facts, config);
  };

  it("passes a busy zone whose followers trail within the bound", () => {
    expect(check(leaderAnd(1510, 1520))).toMatchObject([{ status: "ok", summary: "one leader, 2 followers in sync" }]);
  });

  it("after the gatherer's re-read, names the follower that did not catch up and what to do", () => {
    const [r] = check(leaderAnd(1524, 1400), 60);
    expect(r.status).toBe("finding");
    expect(r.summary).toBe(
      "zone 101 (S-US-CA), front-end 192.168.150.3:22: expected exactly one leader and every front-end a follower in sync, " +
        "found not in sync: 192.168.150.32:22 (SERVER_ID 2) follower at COMMIT 1400, 124 behind the leader's 1524 (at most 20 counts as in sync), still after re-reading for 60 s. " +
        "Read /var/log/one/oned.log on 192.168.150.32:22 (SERVER_ID 2) and on the leader: a follower that stays behind is not replicating. " +
        "One that fell outside the leader's LOG_RETENTION window never catches up: take a fresh full onedb backup on the leader, stop the follower, onedb restore -f it there, start it, " +
        "then run onezone server-reset <zone> <server id> on the leader (docs/opennebula.md §3.2 pitfalls); then check again.",
    );
  });

  it("keeps the message for two leaders", () => {
    expect(check([server(0, 3, 1524), server(1, 3, 1524), server(2, 2, 1524)])[0].summary).toMatch(
      /expected exactly one leader and every front-end a follower in sync, found 2 leaders .*Wait for the election or the log to catch up/,
    );
  });
});
