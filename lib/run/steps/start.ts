/**
 * Start the target version's services and prove the DB matches the software (`onedb version`
 * exit 0) on every front-end. An HA zone then has to elect exactly one leader with every follower
 * in sync (docs/opennebula.md §3.2 steps 6–7) before the step counts as done.
 */
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";
import { serverIds, waitForRaft } from "../raft";
import { laggingAdvice } from "../../checks/raft-health";
import { StepRefusal } from "../step-refusal";
import { installedStartUnits } from "../services";
import { StepContext, StepRun } from "../step";
import { hostPort, isHaZone } from "../../model/federation";

export const start: StepRun = {
  name: "start",
  async run(ctx) {
    const all = await ctx.servers();
    // Every DB is checked before anything starts: a follower without the leader's DB must not join.
    const checks = await Promise.all(all.map((s) => checkDb(ctx, s.frontend)));
    const started: string[] = [];
    for (let i = 0; i < all.length; i++) {
      const units = await startServer(ctx, all[i].frontend, checks[i]);
      if (units.length > 0) started.push(all.length > 1 ? `${hostPort(all[i].config)} ${units.join(", ")}` : units.join(", "));
    }
    let raft = "";
    if (isHaZone(ctx.zone)) {
      const ids = await serverIds(ctx.config, ctx.zone, all, "start");
      const health = await waitForRaft(ctx.zone, all, ids, ctx.config.timeouts.syncWaitSeconds, ctx.log);
      if (!health.healthy) {
        throw new StepRefusal("start", {
          zone: ctx.zone,
          expected: `one Raft leader and ${all.length - 1} followers in sync within ${ctx.config.timeouts.syncWaitSeconds} s`,
          found: health.problem,
          next: health.catchingUp
            ? `${laggingAdvice(health.lagging ?? [])}; then run the deploy again.`
            : "Read /var/log/one/oned.log on every server (a wrong SERVER_ID after a configuration copy is the classic cause, docs/opennebula.md §6 row 11), fix it, then run the deploy again.",
        });
      }
      raft = "; Raft: one leader, followers in sync";
    }
    if (started.length === 0) return { status: "already-done", summary: `every service already running${raft}` };
    return { status: "done", summary: `started ${started.join("; ")}${raft}` };
  },
};

async function checkDb(ctx: StepContext, fe: OpenNebulaFrontend): Promise<string[]> {
  const [units, db] = await Promise.all([installedStartUnits(fe, ctx.config.toVersion), fe.dbVersion()]);
  if (db.status !== "up-to-date") {
    throw new StepRefusal("start", {
      zone: ctx.zone,
      frontend: fe.target,
      expected: "onedb version to exit 0 before oned starts",
      found: `${db.status} (shared ${db.shared}, local ${db.local})`,
      next: `Run this zone's ${isHaZone(ctx.zone) ? "upgrade and replicate steps" : "upgrade step"} first (run the deploy again).`,
    });
  }
  return units;
}

/** Starts what is down on one front-end; returns the units it started. */
async function startServer(ctx: StepContext, fe: OpenNebulaFrontend, units: readonly string[]): Promise<string[]> {
  const before = await fe.unitStates(units);
  const down = units.filter((u) => before[u] !== "active");
  if (down.length === 0) return [];
  await fe.startUnits(down);
  const after = await fe.unitStates(units);
  const failed = units.filter((u) => after[u] !== "active");
  if (failed.length > 0) {
    throw new StepRefusal("start", {
      zone: ctx.zone,
      frontend: fe.target,
      expected: `${units.join(", ")} active`,
      found: failed.map((u) => `${u} ${after[u]}`).join(", "),
      next: "Read journalctl -u <unit> and /var/log/one/oned.log on the front-end, fix the cause, then run the deploy again.",
    });
  }
  return down;
}
