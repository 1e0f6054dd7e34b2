/**
 * Preflight, once for the whole federation: first connect to every front-end (host keys checked
 * during the handshake, before any command runs anywhere), then check each zone in parallel —
 * installed and DB versions as declared, and on the master, the zones it knows.
 */
import { compareVersions, dbVersionOf } from "../config/version";
import { FederationConfig, ZoneConfig, zoneLabel } from "../config/federation-config";
import { OpenNebulaFrontend } from "../opennebula/frontend";
import { installedVersionCommand } from "../opennebula/packages";
import { renderCommand } from "../opennebula/remote-command";
import { onedb, onezone } from "../opennebula/commands";
import { OnefedError } from "../errors";
import { StepRefusal } from "./refusal";
import { StepDefinition } from "./step";

async function checkZone(fe: OpenNebulaFrontend, zone: ZoneConfig, config: FederationConfig): Promise<string> {
  const frontend = zone.frontends[0];
  const installed = await fe.installedVersion();
  if (compareVersions(installed, config.toVersion) === 0) return `${zoneLabel(zone)}: ${installed} already installed (resuming)`;
  if (compareVersions(installed, config.fromVersion) !== 0) {
    throw new StepRefusal("preflight", {
      zone,
      frontend,
      expected: `OpenNebula ${config.fromVersion} installed (federation.fromVersion)`,
      found: `${installed}`,
      next: "Fix federation.fromVersion, or bring this zone to the declared version first; no zone has been changed.",
    });
  }
  const db = await fe.dbVersion();
  if (db.status !== "up-to-date" || db.shared !== dbVersionOf(config.fromVersion)) {
    throw new StepRefusal("preflight", {
      zone,
      frontend,
      expected: `onedb version to report an up-to-date database at shared ${dbVersionOf(config.fromVersion)}`,
      found: `${db.status} (shared ${db.shared ?? "?"}, local ${db.local ?? "?"})`,
      next: "Repair the database (onedb version, onedb upgrade) before a federation upgrade; no zone has been changed.",
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
        next: "Update federation.yaml to describe the federation as it is; no zone has been changed.",
      });
    }
  }
  return `${zoneLabel(zone)}: ${installed}, DB ${db.shared}/${db.local}`;
}

export const preflight: StepDefinition = {
  name: "preflight",
  description: "connect to every front-end with pinned host keys, then check installed and DB versions and the master's zone list",
  scope: "federation",
  appliesTo: (zone) => zone.role === "master",
  plan: (_zone, config) => [
    `connect ${config.zones.flatMap((z) => z.frontends.map((f) => `${f.host}:${f.port}`)).join(" ")}`,
    renderCommand(installedVersionCommand(config.packages.manager)),
    renderCommand(onedb.version()),
    renderCommand(onezone.listCsv()),
    `expect ${config.fromVersion}`,
  ],
  async run(ctx) {
    const { config } = ctx;
    // Every handshake first: an unknown or changed host key anywhere stops the run before any command.
    const connected = await Promise.allSettled(config.zones.map((z) => ctx.frontendOf(z)));
    const failed = connected.find((c): c is PromiseRejectedResult => c.status === "rejected");
    if (failed) throw failed.reason;
    const frontends = connected.map((c) => (c as PromiseFulfilledResult<OpenNebulaFrontend>).value);
    const results = await Promise.allSettled(config.zones.map((z, i) => checkZone(frontends[i], z, config)));
    const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
    if (refusals.length === 1) throw refusals[0];
    // Report every zone's problem in one run, so the operator fixes them all at once.
    if (refusals.length > 1) throw new OnefedError(refusals.map((e) => (e instanceof Error ? e.message : String(e))).join("\n\n"));
    const lines = results.map((r) => (r as PromiseFulfilledResult<string>).value);
    for (const l of lines) ctx.log(l);
    return { status: "done", summary: `${config.zones.length} zones reachable with pinned keys and at ${config.fromVersion}` };
  },
};
