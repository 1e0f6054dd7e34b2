/** After the freeze is lifted: versions, DB, services and zone state per zone; FED_INDEX equal again (on the master). */
import { compareVersions, dbVersionOf } from "../config/version";
import { onedb, onezone, systemctl } from "../opennebula/commands";
import { unitsToStart } from "../opennebula/services";
import { renderCommand } from "../opennebula/remote-command";
import { waitForSync } from "./fed-sync";
import { StepRefusal } from "./refusal";
import { installedStartUnits } from "./services";
import { StepDefinition } from "./step";

export const verify: StepDefinition = {
  name: "verify",
  description: "installed and DB versions, services, zone enabled; on the master every FED_INDEX equal again",
  scope: "zone",
  appliesTo: () => true,
  plan: (zone, config) => [
    renderCommand(onedb.version()),
    renderCommand(systemctl.isActive(unitsToStart(config.toVersion))),
    renderCommand(onezone.showJson(zone.id)),
    ...(zone.role === "master" ? [renderCommand(onezone.listCsv())] : []),
    `expect ${config.toVersion}`,
  ],
  async run(ctx) {
    const { zone, config } = ctx;
    const fe = await ctx.frontend();
    const problems: string[] = [];
    const installed = await fe.installedVersion();
    if (compareVersions(installed, config.toVersion) !== 0) problems.push(`installed ${installed}`);
    const db = await fe.dbVersion();
    const target = dbVersionOf(config.toVersion);
    if (db.status !== "up-to-date" || db.shared !== target || db.local !== target) problems.push(`DB ${db.status} ${db.shared}/${db.local}`);
    const units = await installedStartUnits(fe, config.toVersion);
    const states = await fe.unitStates(units);
    const down = units.filter((u) => states[u] !== "active");
    if (down.length > 0) problems.push(`not running: ${down.join(", ")}`);
    if (!(await fe.zoneShow(zone.id)).enabled) problems.push("zone still DISABLED");
    let fed = "";
    // Type B only: zones upgraded zone by zone are not expected to wait for each other.
    if (zone.role === "master" && config.upgradeType === "B" && problems.length === 0) {
      const verdict = await waitForSync(fe, config, (l) => ctx.log(l));
      if (!verdict.inSync) problems.push(`FED_INDEX differs: ${verdict.indexes}`);
      else fed = `, federation at FED_INDEX ${verdict.index}`;
    }
    if (problems.length > 0) {
      throw new StepRefusal("verify", {
        zone,
        frontend: zone.frontends[0],
        expected: `OpenNebula ${config.toVersion}, DB ${target}/${target} up to date, ${units.join(", ")} active, zone ENABLED${zone.role === "master" ? ", FED_INDEX equal on every zone" : ""}`,
        found: problems.join("; "),
        next: "Fix what is listed, then run the deploy again (only the verify steps re-run).",
      });
    }
    return { status: "done", summary: `${installed}, DB ${db.shared}/${db.local}, ${units.length} services active, zone enabled${fed}` };
  },
};
