/** Preflight: the front-end answers over SSH with a pinned key and runs the declared version. */
import { compareVersions, dbVersionOf } from "../config/version";
import { zoneLabel } from "../config/federation-config";
import { installedVersionCommand } from "../opennebula/packages";
import { renderCommand } from "../opennebula/remote-command";
import { onedb, onezone } from "../opennebula/commands";
import { StepRefusal } from "./refusal";
import { StepDefinition } from "./step";

export const preflight: StepDefinition = {
  name: "preflight",
  description: "connect with the pinned host key; check installed and DB versions; on the master, check the zones it knows",
  appliesTo: () => true,
  plan: (zone, config) => [
    renderCommand(installedVersionCommand(config.packages.manager)),
    renderCommand(onedb.version()),
    ...(zone.role === "master" ? [renderCommand(onezone.listCsv())] : []),
    `expect ${config.fromVersion}`,
  ],
  async run(ctx) {
    const { zone, config } = ctx;
    const fe = await ctx.frontend();
    const frontend = zone.frontends[0];
    const installed = await fe.installedVersion();
    if (compareVersions(installed, config.toVersion) === 0) {
      return { status: "already-done", summary: `${installed} already installed (an earlier run upgraded this zone); nothing to check before the stop` };
    }
    if (compareVersions(installed, config.fromVersion) !== 0) {
      throw new StepRefusal("preflight", {
        zone,
        frontend,
        expected: `OpenNebula ${config.fromVersion} installed (federation.fromVersion)`,
        found: `${installed}`,
        next: "Fix federation.fromVersion, or bring this zone to the declared version first; no zone has been touched.",
      });
    }
    const db = await fe.dbVersion();
    if (db.status !== "up-to-date" || db.shared !== dbVersionOf(config.fromVersion)) {
      throw new StepRefusal("preflight", {
        zone,
        frontend,
        expected: `onedb version to report an up-to-date database at shared ${dbVersionOf(config.fromVersion)}`,
        found: `${db.status} (shared ${db.shared ?? "?"}, local ${db.local ?? "?"})`,
        next: "Repair the database (onedb version, onedb upgrade) before a federation upgrade; no zone has been touched.",
      });
    }
    if (zone.role === "master") {
      const known = await fe.zoneList();
      const problems: string[] = [];
      for (const z of config.zones) {
        const row = known.find((r) => r.id === z.id);
        if (!row) problems.push(`${zoneLabel(z)} is missing on the master`);
        else if (row.name !== z.name || row.endpoint !== z.endpoint) problems.push(`zone ${z.id} is ${row.name} at ${row.endpoint} on the master`);
      }
      for (const r of known) if (!config.zones.some((z) => z.id === r.id)) problems.push(`the master knows zone ${r.id} (${r.name}) that the file lacks`);
      if (problems.length > 0) {
        throw new StepRefusal("preflight", {
          zone,
          frontend,
          expected: "the master's zone list to match the federation file (ids, names, endpoints)",
          found: problems.join("; "),
          next: "Update federation.yaml to describe the federation as it is; no zone has been touched.",
        });
      }
    }
    return { status: "done", summary: `${installed} installed, DB ${db.shared}/${db.local} up to date` };
  },
};
