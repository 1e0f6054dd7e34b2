/**
 * HA (Raft) zones: which front-end is which Raft server, and which one leads. The leader must be
 * known before anything stops (docs/opennebula.md §3.1): it is stopped last, and its database is the one
 * upgraded and handed to the followers. Once the zone is down nobody can ask Raft any more, so the
 * stop step records the leader on the automation host and every later step reads that record.
 */
import { FederationConfig, FrontendConfig, hostPort, isHaZone, ZoneConfig } from "../model/federation";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { ZoneServer } from "../remote/opennebula/parsers";
import { RemoteCommandError } from "../remote/opennebula/remote-command-error";
import { describeServers, judgeRaft, raftLeaders, RaftHealth } from "../checks/raft-health";
import { ZoneRaftFacts } from "../checks/facts";
import { haRecord, haRecordOf } from "./records/ha-record";
import { EMPTY_LEDGER, findEntry, LedgerSnapshot } from "../model/ledger";
import { StepRefusal } from "./step-refusal";

const RAFT_POLL_MS = 1000;

/** One front-end of a zone, connected. */
export interface ConnectedServer {
  /** Position in federation.yaml's `frontends`. */
  readonly index: number;
  readonly config: FrontendConfig;
  readonly frontend: OpenNebulaFrontend;
}

/** Raft's view of the zone, as one running oned reported it. */
export interface RaftView {
  /** The front-end whose oned answered `onezone show`. */
  readonly askedAt: string;
  readonly servers: readonly ZoneServer[];
}

/** `onezone show <zone> -j` on the first front-end whose oned answers; undefined when none does. */
export async function readRaftView(zone: ZoneConfig, servers: readonly ConnectedServer[]): Promise<RaftView | undefined> {
  for (const s of servers) {
    try {
      const show = await s.frontend.zoneShow(zone.id);
      return { askedAt: hostPort(s.config), servers: show.servers };
    } catch (err) {
      // A stopped or unreachable oned answers with exit 255: ask the next server.
      if (!(err instanceof RemoteCommandError)) throw err;
    }
  }
  return undefined;
}

/** Every front-end's SERVER_ID, from the record or (first time) from each oned.conf. */
export async function serverIds(config: FederationConfig, zone: ZoneConfig, servers: readonly ConnectedServer[], step: string): Promise<Map<number, number>> {
  const store = haRecord(config, zone);
  const record = store.read();
  const ids = new Map<number, number>();
  for (const s of servers) {
    const known = record?.servers.find((r) => r.frontend === hostPort(s.config));
    ids.set(s.index, known ? known.server_id : (await s.frontend.federationSettings()).serverId);
  }
  const seen = new Map<number, number>();
  for (const [index, id] of ids) {
    const other = seen.get(id);
    if (id < 0 || other !== undefined) {
      throw new StepRefusal(step, {
        zone,
        frontend: zone.frontends[index],
        expected: "every front-end of an HA zone with its own FEDERATION/SERVER_ID (0, 1, 2, …) in /etc/one/oned.conf",
        found: id < 0 ? `SERVER_ID ${id} (a solo front-end)` : `SERVER_ID ${id}, the same as ${hostPort(zone.frontends[other!])}`,
        next: "List only this zone's Raft servers under frontends, or fix oned.conf (docs/opennebula.md §6 row 11), then run the deploy again.",
      });
    }
    seen.set(id, index);
  }
  if (!record) store.write({ zone_id: zone.id, servers: servers.map((s) => ({ frontend: hostPort(s.config), server_id: ids.get(s.index)! })) });
  return ids;
}

/**
 * The front-end that speaks for the zone: the only one of a solo zone; for an HA zone the live
 * Raft leader, or, while the whole zone is down, the leader the stop step recorded.
 */
export async function primaryServer(
  config: FederationConfig,
  zone: ZoneConfig,
  servers: () => Promise<readonly ConnectedServer[]>,
  step: string,
  /** The ledger as the step started: its stop entry holds the recorded leader when the automation host's copy is gone. @default EMPTY_LEDGER */
  ledger: LedgerSnapshot = EMPTY_LEDGER,
): Promise<ConnectedServer> {
  const all = await servers();
  if (!isHaZone(zone)) return all[0];
  const ids = await serverIds(config, zone, all, step);
  const view = await readRaftView(zone, all);
  if (view) return liveLeader(zone, all, ids, view, step);
  const store = haRecord(config, zone);
  const fromLedger = findEntry(ledger, "stop", zone.id);
  const recorded = store.read()?.leader ?? (fromLedger && haRecordOf(fromLedger.evidence)?.leader);
  const leader = recorded && all.find((s) => hostPort(s.config) === recorded.frontend);
  if (!leader) {
    throw new StepRefusal(step, {
      zone,
      expected: "a Raft leader to work on: a running oned that reports one, or the leader recorded when onefed stopped the zone",
      found: `no oned answers on ${all.map((s) => hostPort(s.config)).join(", ")} and no leader was recorded in ${store.path}`,
      next: "Start the zone's servers so that Raft elects a leader (onezone show), then run the deploy again; onefed will not guess which server holds the newest database.",
    });
  }
  return leader;
}

/** Exactly one leader, and it is one of the front-ends federation.yaml lists. */
export function liveLeader(zone: ZoneConfig, all: readonly ConnectedServer[], ids: ReadonlyMap<number, number>, view: RaftView, step: string): ConnectedServer {
  const leaders = raftLeaders(view.servers);
  if (leaders.length !== 1) {
    throw new StepRefusal(step, {
      zone,
      expected: "exactly one Raft leader (onezone show: SERVER_POOL/SERVER/STATE 3)",
      found: `${leaders.length === 0 ? "no leader" : `${leaders.length} leaders`} as ${view.askedAt} reports: ${describeServers(view.servers)}`,
      next:
        leaders.length === 0
          ? "Wait for the election to finish or start enough servers for a quorum, then run the deploy again."
          : "Two leaders means a split cluster: check SERVER_ID in each oned.conf and oned.log on every server (docs/opennebula.md §6 row 11), then run the deploy again.",
    });
  }
  const index = [...ids].find(([, id]) => id === leaders[0].id)?.[0];
  if (index === undefined) {
    throw new StepRefusal(step, {
      zone,
      expected: `the leader to be one of the front-ends in federation.yaml (${all.map((s) => `${hostPort(s.config)} id ${ids.get(s.index)}`).join(", ")})`,
      found: `leader ${leaders[0].name} with SERVER_ID ${leaders[0].id}`,
      next: "List every Raft server of the zone under frontends, then run the deploy again.",
    });
  }
  return all.find((s) => s.index === index)!;
}

/** The zone's Raft view judged against federation.yaml's front-ends (checks/raft-health.ts). */
export function judgeCluster(view: RaftView, ids: ReadonlyMap<number, number>, zone: ZoneConfig): RaftHealth {
  return judgeRaft(
    view.servers,
    [...ids].map(([index, serverId]) => ({ frontend: hostPort(zone.frontends[index]), serverId })),
  );
}

/**
 * What a wait waits out: `any-problem` (start: an election takes a moment, followers catch up) or
 * only `catching-up`, followers further behind the leader's COMMIT than the bound (verify, the
 * checks): anything else is judged at once.
 */
export type RaftPatience = "any-problem" | "catching-up";

/** Polls Raft while the judgement is one `patience` waits out and `seconds` last; returns the last judgement. */
export async function waitForRaft(
  zone: ZoneConfig,
  all: readonly ConnectedServer[],
  ids: ReadonlyMap<number, number>,
  seconds: number,
  log: (l: string) => void,
  patience: RaftPatience = "any-problem",
): Promise<RaftHealth & { view?: RaftView }> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const view = await readRaftView(zone, all);
    const health = view ? judgeCluster(view, ids, zone) : { healthy: false, problem: "no oned answers onezone show" };
    const waitable = patience === "any-problem" || health.catchingUp === true;
    if (health.healthy || !waitable || Date.now() + RAFT_POLL_MS > until) return { ...health, view };
    log(`  Raft: ${health.problem}; waiting`);
    await new Promise((r) => setTimeout(r, RAFT_POLL_MS));
  }
}

/**
 * The checks' re-read (`onefed check`, preflight): an HA zone whose only problem is followers behind
 * the leader's COMMIT is read again until they catch up or `seconds` run out, and the facts then
 * hold that last view. Any other zone's facts are returned as they are.
 */
export async function settleRaftFacts(
  zone: ZoneConfig,
  facts: ZoneRaftFacts,
  open: (index: number) => Promise<OpenNebulaFrontend>,
  seconds: number,
): Promise<ZoneRaftFacts> {
  if (!facts.servers) return facts;
  const members = Object.entries(facts.serverIds).map(([frontend, serverId]) => ({ frontend, serverId }));
  if (!judgeRaft(facts.servers, members).catchingUp) return facts;
  const listed = zone.frontends.map((config, index) => ({ config, index })).filter((s) => facts.serverIds[hostPort(s.config)] !== undefined);
  const started = Date.now();
  try {
    const servers = await Promise.all(listed.map(async (s) => ({ ...s, frontend: await open(s.index) })));
    const ids = new Map(listed.map((s) => [s.index, facts.serverIds[hostPort(s.config)]]));
    const last = await waitForRaft(zone, servers, ids, seconds, () => undefined, "catching-up");
    const rereadSeconds = Math.round((Date.now() - started) / 1000);
    return last.view ? { ...facts, askedAt: last.view.askedAt, servers: last.view.servers, rereadSeconds } : { ...facts, rereadSeconds };
  } catch {
    // A read-only visit never fails on the re-read: the first reading, lag and all, is what the checks judge.
    return { ...facts, rereadSeconds: Math.round((Date.now() - started) / 1000) };
  }
}
