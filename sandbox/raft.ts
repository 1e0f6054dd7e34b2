/**
 * Raft in the sandbox's HA zones (docs/opennebula.md §3.1), evaluated lazily: whoever needs the zone's
 * leader (an endpoint lookup, `onezone show`, a status, systemctl after oned changed) computes it
 * from the servers' states and stores what changed, under a lock, in D/raft/zone<id>.json.
 *
 * Rules: quorum = floor(n/2)+1. A server is alive while its oned runs and it is reachable. The
 * stored leader stays while it is alive and a quorum is; otherwise, with a quorum, a new term is
 * won by the server a test named (`nextLeader`, if alive), else by the lowest alive server id;
 * without a quorum there is no leader and the alive servers are candidates. Dependency-free for
 * the emulator's start-up.
 */
import * as fs from "fs";
import { FrontendState, chownLikeParent, readState, withFileLock } from "./frontend-state";
import { SandboxLayout } from "./layout";
import { FrontendEntry, ZoneEntry, serverIdOf } from "./registry";

/** What D/raft/zone<id>.json holds. */
export interface RaftRecord {
  /** Server id of the leader; null while the zone has none (no quorum). */
  leader: number | null;
  /** Current term: +1 at every election. */
  term: number;
  /** Last index of the zone's replicated log (the leader's and every in-sync follower's). */
  logIndex: number;
  /** Test switch: the lowest-id alive follower claims leadership too (two leaders). */
  splitBrain: boolean;
  /**
   * Test switch: the server whose election timer fires first at the next election (real timers are
   * random, so any alive server may win); used once. @default undefined (the lowest alive id)
   */
  nextLeader?: number;
}

/** A new HA zone: server 0 leads in term 1; the log index is that of the docs/opennebula.md §5.2 sample. */
export const RAFT_SEED: RaftRecord = { leader: 0, term: 1, logIndex: 1524, splitBrain: false };

/** How many entries a lagging follower (FrontendState.raftLagging) is behind the leader. */
export const RAFT_LAG = 21;

/**
 * How many entries a follower's COMMIT trails its LOG_INDEX when no test set it: every write of an
 * HA zone (host monitoring too) goes through the Raft log, and a follower learns the new commit
 * index only with the leader's next append or heartbeat, so on a live zone it is read a few
 * entries behind (`setRaftCommitLag(dir, fe, 0)` makes it a quiet zone's follower, in step).
 */
export const DEFAULT_FOLLOWER_COMMIT_LAG = 2;

/** What a server reports in one.zone.raftstatus; `error` when it cannot be asked. */
export type RaftRole = "leader" | "follower" | "candidate" | "error";

/** RaftManager.h state numbers as the CLI prints them. */
const STATE_OF: Record<RaftRole, string> = { leader: "3", follower: "2", candidate: "1", error: "-" };

/** One server of an HA zone as its raftstatus would report it. */
export interface RaftServer {
  /** The front-end. */
  readonly fe: FrontendEntry;
  /** Raft server id. */
  readonly serverId: number;
  /** Whether its oned runs and is reachable. */
  readonly alive: boolean;
  /** Its role. */
  readonly role: RaftRole;
  /** raftstatus fields as strings ("-" for a server that cannot be asked). */
  readonly state: string;
  readonly term: string;
  readonly votedFor: string;
  readonly commit: string;
  readonly logIndex: string;
}

/** An HA zone's Raft state right now. */
export interface RaftView {
  /** The stored record after this evaluation. */
  readonly record: RaftRecord;
  /** The leader, undefined while the zone has none. */
  readonly leader: FrontendEntry | undefined;
  /** Servers needed for a leader. */
  readonly quorum: number;
  /** Every server, in server-id order. */
  readonly servers: readonly RaftServer[];
}

/** Reads a zone's record (the seed when none was written yet). */
export function readRaft(layout: SandboxLayout, zoneId: number): RaftRecord {
  try {
    return { ...RAFT_SEED, ...(JSON.parse(fs.readFileSync(layout.raftState(zoneId), "utf8")) as Partial<RaftRecord>) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ...RAFT_SEED };
    throw err;
  }
}

/** Writes a zone's record atomically, owned like its directory. */
export function writeRaft(layout: SandboxLayout, zoneId: number, rec: RaftRecord): void {
  const file = layout.raftState(zoneId);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(rec) + "\n", { mode: 0o644 });
  chownLikeParent(tmp);
  fs.renameSync(tmp, file);
}

function aliveIn(st: FrontendState): boolean {
  return st.reachable && st.services["opennebula.service"] === "active";
}

/** Applies the election rules to a record, given the alive server ids. */
export function elect(rec: RaftRecord, alive: ReadonlySet<number>, servers: number): RaftRecord {
  const quorum = Math.floor(servers / 2) + 1;
  if (alive.size < quorum) return rec.leader === null ? rec : { ...rec, leader: null };
  if (rec.leader !== null && alive.has(rec.leader)) return rec;
  const { nextLeader, ...rest } = rec;
  const winner = nextLeader !== undefined && alive.has(nextLeader) ? nextLeader : Math.min(...alive);
  return { ...rest, leader: winner, term: rec.term + 1 };
}

function same(a: RaftRecord, b: RaftRecord): boolean {
  return a.leader === b.leader && a.term === b.term && a.logIndex === b.logIndex && a.splitBrain === b.splitBrain && a.nextLeader === b.nextLeader;
}

function states(layout: SandboxLayout, zone: ZoneEntry): Map<number, FrontendState> {
  return new Map(zone.frontends.map((fe) => [serverIdOf(fe), readState(layout, fe.name)]));
}

function aliveIds(st: Map<number, FrontendState>): Set<number> {
  return new Set([...st].filter(([, s]) => aliveIn(s)).map(([id]) => id));
}

/**
 * Locked change of a zone's record: fn may edit it (and throw to refuse); the election rules
 * then apply to the result. Returns what fn returned.
 */
export function updateRaft<T>(layout: SandboxLayout, zone: ZoneEntry, fn: (rec: RaftRecord, alive: ReadonlySet<number>) => T): T {
  return withFileLock(layout.raftLock(zone.id), () => {
    const rec = readRaft(layout, zone.id);
    const alive = aliveIds(states(layout, zone));
    const result = fn(rec, alive);
    const next = elect(rec, alive, zone.frontends.length);
    writeRaft(layout, zone.id, next);
    return result;
  });
}

/** Evaluates an HA zone's Raft state (storing an election or a lost quorum) and what each server reports. */
export function raftView(layout: SandboxLayout, zone: ZoneEntry): RaftView {
  let st = states(layout, zone);
  let rec = readRaft(layout, zone.id);
  if (!same(rec, elect(rec, aliveIds(st), zone.frontends.length))) {
    // Something changed since the last look: re-read under the lock, so one election happens once.
    rec = withFileLock(layout.raftLock(zone.id), () => {
      st = states(layout, zone);
      const stored = readRaft(layout, zone.id);
      const next = elect(stored, aliveIds(st), zone.frontends.length);
      if (!same(stored, next)) writeRaft(layout, zone.id, next);
      return next;
    });
  }
  const alive = aliveIds(st);
  const leaderId = rec.leader;
  // Split brain: the lowest-id alive follower believes it leads as well.
  const rogue = leaderId !== null && rec.splitBrain ? [...alive].filter((id) => id !== leaderId).sort((a, b) => a - b)[0] : undefined;
  const servers = zone.frontends.map((fe): RaftServer => {
    const id = serverIdOf(fe);
    if (!alive.has(id)) return { fe, serverId: id, alive: false, role: "error", state: "-", term: "-", votedFor: "-", commit: "-", logIndex: "-" };
    const role: RaftRole = leaderId === null ? "candidate" : id === leaderId || id === rogue ? "leader" : "follower";
    const votedFor = role === "follower" ? leaderId! : id;
    const follower = id !== leaderId ? st.get(id) : undefined;
    const index = follower?.raftLagging ? Math.max(0, rec.logIndex - RAFT_LAG) : rec.logIndex;
    const commit = Math.max(0, index - (id === leaderId ? 0 : commitLagOf(st.get(id))));
    return {
      fe,
      serverId: id,
      alive: true,
      role,
      state: STATE_OF[role],
      term: String(rec.term),
      votedFor: String(votedFor),
      commit: String(commit),
      logIndex: String(index),
    };
  });
  const leader = leaderId === null ? undefined : zone.frontends.find((fe) => serverIdOf(fe) === leaderId);
  return { record: rec, leader, quorum: Math.floor(zone.frontends.length / 2) + 1, servers };
}

/** How many entries a follower's COMMIT trails its own log: FrontendState.raftCommitLag while it lasts, else the default. */
function commitLagOf(st: FrontendState | undefined, now = Date.now()): number {
  const lag = st?.raftCommitLag;
  return lag && (lag.until === undefined || now < lag.until) ? lag.entries : DEFAULT_FOLLOWER_COMMIT_LAG;
}

/** Records `entries` new log entries in an HA zone (a write its leader committed); no-op for solo zones. */
export function raftAppend(layout: SandboxLayout, zone: ZoneEntry, entries: number): void {
  if (!zone.ha || entries <= 0) return;
  updateRaft(layout, zone, (rec) => {
    rec.logIndex += entries;
  });
}
