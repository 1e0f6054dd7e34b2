/** After the freeze is lifted: versions, DB, services and zone state per zone; FED_INDEX equal again (on the master). */
import { compareVersions, dbVersionOf } from "../../model/version";
import { unprovable, waitForSync } from "./fed-sync";
import { serverIds, waitForRaft } from "../raft";
import { laggingAdvice } from "../../checks/raft-health";
import { StepRefusal } from "../step-refusal";
import { installedStartUnits } from "../services";
import { StepRun } from "../step";
import { hostPort, isHaZone } from "../../model/federation";

export const verify: StepRun = {
  name: "verify",
  async run(ctx) {
    const { zone, config } = ctx;
    const fe = await ctx.frontend();
    const all = await ctx.servers();
    const problems: string[] = [];
    const target = dbVersionOf(config.toVersion);
    let units: string[] = [];
    for (const s of all) {
      const where = all.length > 1 ? `${hostPort(s.config)} ` : "";
      // Version, DB and unit files asked together: one round trip (docs/round-trips.md).
      const [installed, db, startUnits] = await Promise.all([
        s.frontend.installedVersion(),
        s.frontend.dbVersion(),
        installedStartUnits(s.frontend, config.toVersion),
      ]);
      if (compareVersions(installed, config.toVersion) !== 0) problems.push(`${where}installed ${installed}`);
      if (db.status !== "up-to-date" || db.shared !== target || db.local !== target) problems.push(`${where}DB ${db.status} ${db.shared}/${db.local}`);
      units = startUnits;
      const states = await s.frontend.unitStates(units);
      const down = units.filter((u) => states[u] !== "active");
      if (down.length > 0) problems.push(`${where}not running: ${down.join(", ")}`);
    }
    let advice = "";
    if (isHaZone(zone)) {
      // A follower a little behind on a busy zone is given the sync wait to catch up; anything else is judged at once.
      const health = await waitForRaft(zone, all, await serverIds(config, zone, all, "verify"), config.timeouts.syncWaitSeconds, ctx.log, "catching-up");
      if (!health.healthy) problems.push(`Raft ${health.problem}`);
      if (health.catchingUp) advice = `${laggingAdvice(health.lagging ?? [])}. `;
    }
    if (!(await fe.zoneShow(zone.id)).enabled) problems.push("zone still DISABLED");
    let fed = "";
    // Type B only: zones upgraded zone by zone are not expected to wait for each other.
    if (zone.role === "master" && config.upgradeType === "B" && problems.length === 0) {
      const verdict = await waitForSync(fe, config, (l) => ctx.log(l));
      const missing = unprovable(verdict);
      if (missing) {
        problems.push(`federation: ${missing.found}`);
        advice = `${missing.next}. `;
      } else if (!verdict.inSync) problems.push(`FED_INDEX differs: ${verdict.indexes}`);
      else fed = `, federation at FED_INDEX ${verdict.index}`;
    }
    if (problems.length > 0) {
      throw new StepRefusal("verify", {
        zone,
        frontend: all.length > 1 ? undefined : fe.target,
        expected: `OpenNebula ${config.toVersion}, DB ${target}/${target} up to date, ${units.join(", ")} active${all.length > 1 ? " on every server, one Raft leader with the followers in sync" : ""}, zone ENABLED${zone.role === "master" ? ", FED_INDEX equal on every zone" : ""}`,
        found: problems.join("; "),
        next: `${advice}Fix what is listed, then run the deploy again (only the verify steps re-run).`,
      });
    }
    const ha = all.length > 1 ? `, ${all.length} servers with one leader` : "";
    return { status: "done", summary: `${config.toVersion}, DB ${target}/${target}, ${units.length} services active${ha}, zone enabled${fed}` };
  },
};
