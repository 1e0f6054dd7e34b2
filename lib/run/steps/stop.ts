/**
 * Stop every OpenNebula service of the zone and prove it: units inactive, oned's lock gone. An HA
 * zone stops its followers first and the leader last (docs/opennebula.md §3.2 step 2): the last server
 * down holds the newest committed state, and no follower can win an election meanwhile. The
 * leader is recorded first, since nobody can ask Raft once the zone is down.
 */
import { describeServers, raftLeaders } from "../../checks/raft-health";
import { ConnectedServer, liveLeader, readRaftView, serverIds } from "../raft";
import { haRecord, haRecordOf } from "../records/ha-record";
import { JsonValue } from "../../model/ledger";
import { proveFrozen } from "../frozen";
import { StepRefusal } from "../step-refusal";
import { stopServer } from "../services";
import { StepContext, StepRun, StepOutcome } from "../step";
import { hostPort, isHaZone } from "../../model/federation";

export const stop: StepRun = {
  name: "stop",
  restoreLocal(ctx, evidence) {
    const recorded = haRecordOf(evidence);
    if (recorded && !haRecord(ctx.config, ctx.zone).exists()) haRecord(ctx.config, ctx.zone).write(recorded);
  },
  async run(ctx) {
    await proveFrozen(ctx, "stop");
    if (!isHaZone(ctx.zone)) {
      const stopped = await stopServer(await ctx.frontend(), ctx.config, ctx.zone, "stop");
      return stopped ? { status: "done", summary: `stopped ${stopped.join(", ")}` } : { status: "already-done", summary: "every service already stopped" };
    }
    return stopCluster(ctx);
  },
};

async function stopCluster(ctx: StepContext): Promise<StepOutcome> {
  const { config, zone } = ctx;
  const all = await ctx.servers();
  const ids = await serverIds(config, zone, all, "stop");
  // serverIds() wrote the record if there was none.
  const store = haRecord(config, zone);
  const record = store.read()!;
  const view = await readRaftView(zone, all);
  let leader: ConnectedServer | undefined;
  if (view && raftLeaders(view.servers).length > 0) {
    leader = liveLeader(zone, all, ids, view, "stop");
  } else if (record.leader) {
    // A resumed stop: the followers are down already, so Raft has no quorum and no leader.
    leader = all.find((s) => hostPort(s.config) === record.leader!.frontend);
  }
  if (!leader) {
    throw new StepRefusal("stop", {
      zone,
      expected: "one Raft leader to stop last (and to upgrade first)",
      found: view ? `no leader as ${view.askedAt} reports: ${describeServers(view.servers)}` : "no oned answers and no leader was recorded",
      next: "Start the zone's servers and let Raft elect a leader (onezone show), then run the deploy again; onefed will not guess which server holds the newest database.",
    });
  }
  const term = view?.servers.find((s) => s.id === ids.get(leader!.index))?.term ?? null;
  if (record.leader?.frontend !== hostPort(leader.config)) {
    store.write({ ...record, leader: { frontend: hostPort(leader.config), server_id: ids.get(leader.index)!, term, recorded_at: new Date().toISOString() } });
  }
  ctx.log(`leader ${hostPort(leader.config)} (SERVER_ID ${ids.get(leader.index)}) stops last`);
  const done: string[] = [];
  for (const s of [...all.filter((x) => x !== leader), leader]) {
    const stopped = await stopServer(s.frontend, config, zone, "stop");
    if (stopped) done.push(`${s === leader ? "leader" : "follower"} ${hostPort(s.config)}`);
  }
  // The leader goes into the ledger too: a runner without the automation host's record still knows it.
  const evidence = { ha_record: store.read() as unknown as JsonValue };
  return done.length === 0
    ? { status: "already-done", summary: `every service already stopped on ${all.length} servers`, evidence }
    : { status: "done", summary: `stopped ${done.join(", then ")}`, evidence };
}
