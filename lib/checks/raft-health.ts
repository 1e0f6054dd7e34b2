/** The judgement of an HA zone's Raft view, shared by the raft-healthy check and the start/verify steps. */
import { raftRole, ZoneServer } from "../remote/opennebula/parsers";

/**
 * How many entries a follower's COMMIT may trail the leader's and still count as in sync.
 *
 * Not 0: a follower learns the commit index only with the leader's next append or heartbeat
 * (oned.conf RAFT/BROADCAST_TIMEOUT_MS, 500 ms by default), and `onezone show` asks the servers one
 * after the other, so on a busy zone a healthy follower is read a few entries behind the leader
 * (docs/opennebula.md §3.2 step 7: COMMIT "may lag for a moment").
 * 20: a zone committing up to about 40 writes a second over that half second stays within it,
 * far more than a zone sees in a maintenance window, while a follower that stopped replicating
 * leaves it within seconds on any zone that writes at all.
 * A follower beyond it is not refused at once: the waits re-read it until it is back within the
 * bound or `timeouts.syncWaitSeconds` runs out, so the bound says what "caught up" means and the
 * wait how long catching up may take.
 */
export const MAX_FOLLOWER_COMMIT_LAG = 20;

/** A front-end federation.yaml lists, with the SERVER_ID its oned.conf holds. */
export interface RaftMember {
  /** "host:port". */
  readonly frontend: string;
  readonly serverId: number;
}

/** A follower further behind the leader's COMMIT than MAX_FOLLOWER_COMMIT_LAG. */
export interface LaggingFollower {
  readonly member: RaftMember;
  readonly commit: number;
  readonly leaderCommit: number;
}

export interface RaftHealth {
  /** One leader; every member listed, a follower within MAX_FOLLOWER_COMMIT_LAG of the leader's COMMIT; no duplicate SERVER_ID. */
  readonly healthy: boolean;
  /** What is wrong, in one clause; empty when healthy. */
  readonly problem: string;
  /** Followers too far behind the leader's COMMIT: they may still catch up. @default [] */
  readonly lagging?: readonly LaggingFollower[];
  /** Unhealthy only because of `lagging`: worth reading again a little later. @default false */
  readonly catchingUp?: boolean;
}

/** The servers that report themselves leader (one in a healthy cluster). */
export function raftLeaders(servers: readonly ZoneServer[]): ZoneServer[] {
  return servers.filter((s) => raftRole(s) === "leader");
}

/** "server-0 (id 0) leader, server-1 (id 1) follower, …" for findings, refusals and logs. */
export function describeServers(servers: readonly ZoneServer[]): string {
  return servers.map((s) => `${s.name} (id ${s.id}) ${raftRole(s)}`).join(", ");
}

/**
 * A follower read ahead of the leader is in sync too: the servers are asked one after the other,
 * so a follower asked later may already know of more committed entries.
 */
function commitLag(follower: ZoneServer, leader: ZoneServer): number | undefined {
  return follower.commit === null || leader.commit === null ? undefined : leader.commit - follower.commit;
}

export function judgeRaft(servers: readonly ZoneServer[], members: readonly RaftMember[]): RaftHealth {
  const leaders = raftLeaders(servers);
  if (leaders.length !== 1)
    return { healthy: false, problem: `${leaders.length === 0 ? "no leader" : `${leaders.length} leaders`} (${describeServers(servers)})` };
  const leader = leaders[0];
  const wrong: string[] = [];
  const lagging: LaggingFollower[] = [];
  const seen = new Set<number>();
  for (const m of members) {
    const name = `${m.frontend} (SERVER_ID ${m.serverId})`;
    const s = servers.find((x) => x.id === m.serverId);
    if (seen.has(m.serverId)) wrong.push(`${name} shares its SERVER_ID with another front-end`);
    seen.add(m.serverId);
    if (!s || s.id === leader.id) {
      if (!s) wrong.push(`${name} missing from SERVER_POOL`);
      continue;
    }
    const lag = commitLag(s, leader);
    if (raftRole(s) !== "follower" || lag === undefined) {
      wrong.push(`${name} ${raftRole(s)} at COMMIT ${s.commit ?? "-"} (leader ${leader.commit ?? "-"})`);
    } else if (lag > MAX_FOLLOWER_COMMIT_LAG) {
      lagging.push({ member: m, commit: s.commit!, leaderCommit: leader.commit! });
    }
  }
  const unlisted = servers.filter((s) => !members.some((m) => m.serverId === s.id));
  if (unlisted.length > 0) wrong.push(`SERVER_POOL has ${unlisted.map((s) => `${s.name} (id ${s.id})`).join(", ")} that federation.yaml does not list`);
  if (wrong.length === 0 && lagging.length === 0) return { healthy: true, problem: "" };
  const behind = lagging.map(
    (l) =>
      `${l.member.frontend} (SERVER_ID ${l.member.serverId}) follower at COMMIT ${l.commit}, ${l.leaderCommit - l.commit} behind the leader's ${l.leaderCommit} (at most ${MAX_FOLLOWER_COMMIT_LAG} counts as in sync)`,
  );
  return { healthy: false, problem: `not in sync: ${[...wrong, ...behind].join("; ")}`, lagging, catchingUp: wrong.length === 0 };
}

/** What to do about followers that did not catch up within a wait (docs/opennebula.md §3.2 pitfalls). */
export function laggingAdvice(lagging: readonly LaggingFollower[]): string {
  const names = lagging.map((l) => `${l.member.frontend} (SERVER_ID ${l.member.serverId})`).join(", ");
  return (
    `Read /var/log/one/oned.log on ${names} and on the leader: a follower that stays behind is not replicating. ` +
    "One that fell outside the leader's LOG_RETENTION window never catches up: take a fresh full onedb backup on the leader, stop the follower, onedb restore -f it there, start it, then run onezone server-reset <zone> <server id> on the leader (docs/opennebula.md §3.2 pitfalls)"
  );
}
