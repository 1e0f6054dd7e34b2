/** The judgement of an HA zone's Raft view, shared by the raft-healthy check and the start/verify steps. */
import { raftRole, ZoneServer } from "../remote/opennebula/parsers";

/** A front-end federation.yaml lists, with the SERVER_ID its oned.conf holds. */
export interface RaftMember {
  /** "host:port". */
  readonly frontend: string;
  readonly serverId: number;
}

export interface RaftHealth {
  /** One leader; every member listed, a follower, at the leader's COMMIT; no duplicate SERVER_ID. */
  readonly healthy: boolean;
  /** What is wrong, in one clause; empty when healthy. */
  readonly problem: string;
}

/** The servers that report themselves leader (one in a healthy cluster). */
export function raftLeaders(servers: readonly ZoneServer[]): ZoneServer[] {
  return servers.filter((s) => raftRole(s) === "leader");
}

/** "server-0 (id 0) leader, server-1 (id 1) follower, …" for findings, refusals and logs. */
export function describeServers(servers: readonly ZoneServer[]): string {
  return servers.map((s) => `${s.name} (id ${s.id}) ${raftRole(s)}`).join(", ");
}

export function judgeRaft(servers: readonly ZoneServer[], members: readonly RaftMember[]): RaftHealth {
  const leaders = raftLeaders(servers);
  if (leaders.length !== 1) return { healthy: false, problem: `${leaders.length === 0 ? "no leader" : `${leaders.length} leaders`} (${describeServers(servers)})` };
  const leader = leaders[0];
  const wrong: string[] = [];
  const seen = new Set<number>();
  for (const m of members) {
    const name = `${m.frontend} (SERVER_ID ${m.serverId})`;
    const s = servers.find((x) => x.id === m.serverId);
    if (seen.has(m.serverId)) wrong.push(`${name} shares its SERVER_ID with another front-end`);
    seen.add(m.serverId);
    if (!s) wrong.push(`${name} missing from SERVER_POOL`);
    else if (s.id !== leader.id && (raftRole(s) !== "follower" || s.commit !== leader.commit)) {
      wrong.push(`${name} ${raftRole(s)} at COMMIT ${s.commit ?? "-"} (leader ${leader.commit ?? "-"})`);
    }
  }
  const unlisted = servers.filter((s) => !members.some((m) => m.serverId === s.id));
  if (unlisted.length > 0) wrong.push(`SERVER_POOL has ${unlisted.map((s) => `${s.name} (id ${s.id})`).join(", ")} that federation.yaml does not list`);
  return wrong.length > 0 ? { healthy: false, problem: `not in sync: ${wrong.join("; ")}` } : { healthy: true, problem: "" };
}
