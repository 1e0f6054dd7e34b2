/** Start the target version's services and prove the DB matches the software (`onedb version` exit 0). */
import { onedb, systemctl } from "../opennebula/commands";
import { unitsToStart } from "../opennebula/services";
import { renderCommand } from "../opennebula/remote-command";
import { StepRefusal } from "./refusal";
import { installedStartUnits } from "./services";
import { StepDefinition } from "./step";

export const start: StepDefinition = {
  name: "start",
  description: "systemctl daemon-reload and start the target version's services; onedb version must exit 0",
  scope: "zone",
  appliesTo: () => true,
  plan: (_zone, config) => [renderCommand(systemctl.start(unitsToStart(config.toVersion))), renderCommand(onedb.version())],
  async run(ctx) {
    const { zone, config } = ctx;
    const fe = await ctx.frontend();
    const units = await installedStartUnits(fe, config.toVersion);
    const before = await fe.unitStates(units);
    const db = await fe.dbVersion();
    if (db.status !== "up-to-date") {
      throw new StepRefusal("start", {
        zone,
        frontend: zone.frontends[0],
        expected: "onedb version to exit 0 before oned starts",
        found: `${db.status} (shared ${db.shared}, local ${db.local})`,
        next: "Run this zone's upgrade step first (run the deploy again).",
      });
    }
    const down = units.filter((u) => before[u] !== "active");
    if (down.length === 0) return { status: "already-done", summary: "every service already running" };
    await fe.startUnits(down);
    const after = await fe.unitStates(units);
    const failed = units.filter((u) => after[u] !== "active");
    if (failed.length > 0) {
      throw new StepRefusal("start", {
        zone,
        frontend: zone.frontends[0],
        expected: `${units.join(", ")} active`,
        found: failed.map((u) => `${u} ${after[u]}`).join(", "),
        next: "Read journalctl -u <unit> and /var/log/one/oned.log on the front-end, fix the cause, then run the deploy again.",
      });
    }
    return { status: "done", summary: `started ${down.join(", ")}` };
  },
};
