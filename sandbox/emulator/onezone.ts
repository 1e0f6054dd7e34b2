/**
 * `onezone list|show|enable|disable|set` (docs/opennebula.md §4.5, §5.1–§5.3). The CLI talks to the oned
 * at its endpoint (the front-end's own zone unless --endpoint/ONE_XMLRPC say otherwise); that oned
 * serves its copy of zone_pool, and FED_INDEX asks every zone's own oned.
 */
import * as fs from "fs";
import * as path from "path";
import { EmulatorContext } from "./context";
import { COMMON_OPTIONS, CommonOptions, commonOptions, OptionSpec, parseCliOptions } from "./cli-options";
import { err, out, puts } from "./io";
import { ZONE_PROBE_TIMEOUT_SECONDS, clientEndpoint, connect, readerOf, writerOf } from "./oned-link";
import { cliConnect } from "./one-auth";
import { fedIndexAt, fedLogIndexText, lastFedIndexOf, replicateFromMaster } from "./federation";
import { RaftById, ServerRaft, defaultColumns, formatCsv, formatTable, poolJson, poolXml, unknownColumns, zoneJson, zoneText, zoneXml } from "./onezone-format";
import { ZoneRecord } from "../db-schema";
import { readZones, writeFederated, zoneStateStatement } from "../one-db";
import { raftAppend } from "../raft";
import { FrontendEntry } from "../registry";
import { compareVersions, seriesOf } from "../catalog";
import { ONE_FILES } from "../contract";

/** First release with zone STATE and `onezone enable|disable` (docs/opennebula.md §4.5). */
const ZONE_STATE_SINCE = "6.2";

interface Options extends CommonOptions {
  temporary: boolean;
  list?: string[];
}

const OPTIONS: OptionSpec = {
  flags: { ...COMMON_OPTIONS.flags, "-k": "temporary", "--temporary": "temporary" },
  values: { ...COMMON_OPTIONS.values, "-f": "filter" },
};

/** Emulated `onezone`. */
export function onezone(ctx: EmulatorContext, argv: string[]): number {
  const parsed = parseCliOptions(argv, OPTIONS);
  if ("invalid" in parsed) {
    err(`invalid option: ${parsed.invalid}\n`);
    return 255;
  }
  const { args } = parsed;
  const columns = parsed.values.get("list");
  const o: Options = {
    ...commonOptions(parsed),
    temporary: parsed.flags.has("temporary"),
    list: columns === undefined ? undefined : columns.split(",").map((c) => c.trim().toUpperCase()),
  };
  const [verb, ...rest] = args;
  // The CLI of the installed release decides which commands and columns exist (§4.5, §5.1).
  const cliRelease = ctx.installedVersion() ?? ctx.registry.federation.fromVersion;
  const cliHasState = hasZoneState(cliRelease);
  const supported = cliHasState ? ["list", "show", "enable", "disable", "set"] : ["list", "show", "set"];
  if (!verb || !supported.includes(verb)) {
    const where = cliHasState || !["enable", "disable"].includes(verb) ? "the sandbox" : `OpenNebula ${cliRelease} (onezone ${verb} exists from 6.2)`;
    err(
      verb ? `onezone: command '${verb}' is not available in ${where} (supported: ${supported.join(", ")})\n` : "Usage: onezone COMMAND [args..] [options..]\n",
    );
    return 255;
  }
  const endpoint = clientEndpoint(ctx, o.endpoint);
  const conn = cliConnect(ctx, endpoint, FIRST_CALL[verb]);
  if ("error" in conn) {
    err(`${conn.error}\n`);
    return 255;
  }
  const served = conn.fe;
  if (served.zoneId === ctx.master().zoneId) replicateFromMaster(ctx);
  const zones = readZones(ctx.dbOf(readerOf(ctx, served).name));
  // XML/JSON come from the serving oned: its release decides whether ZONE has STATE.
  const view: View = { cli: cliHasState, server: hasZoneState(ctx.installedVersion(served.name) ?? cliRelease) };

  switch (verb) {
    case "list":
      return list(ctx, zones, endpoint, o, view);
    case "show":
      return show(ctx, zones, rest[0], o, view);
    case "set":
      return setZone(ctx, zones, rest[0], o);
    default:
      return enableDisable(ctx, served, zones, verb as "enable" | "disable", rest[0], o);
  }
}

/** The XML-RPC method each command calls first (what an authentication failure names). */
const FIRST_CALL: Readonly<Record<string, string>> = {
  list: "one.zonepool.info",
  show: "one.zone.info",
  set: "one.zone.info",
  enable: "one.zone.enable",
  disable: "one.zone.enable",
};

/** Whether a release has zone STATE (enable/disable, STAT column): 6.2 and later. */
function hasZoneState(release: string): boolean {
  return compareVersions(seriesOf(release), ZONE_STATE_SINCE) >= 0;
}

/** Which side has zone STATE: the CLI (table, CSV, show text) and the serving oned (XML, JSON). */
interface View {
  readonly cli: boolean;
  readonly server: boolean;
}

/** Resolves an id or name like the CLI helper; returns an error text for unknown names. */
function resolveId(zones: readonly ZoneRecord[], ref: string | undefined): number | string {
  if (ref === undefined || ref === "") return "command requires one argument: range";
  if (/^\d+$/.test(ref)) return parseInt(ref, 10);
  const z = zones.find((x) => x.name === ref);
  return z ? z.id : `ZONE named ${ref} not found.`;
}

function list(ctx: EmulatorContext, zones: readonly ZoneRecord[], endpoint: string, o: Options, view: View): number {
  if (o.xml) return (out(poolXml(zones, view.server)), 0);
  if (o.json) return (out(poolJson(zones, view.server)), 0);
  const cols = o.list ?? defaultColumns(view.cli);
  const bad = unknownColumns(cols, view.cli);
  if (bad.length > 0) {
    err(`Unknown columns: ${bad.join(", ")}\n`);
    return 255;
  }
  // The CLI asks each zone in turn; the star marks the zone whose ENDPOINT the CLI uses.
  const rows = zones.map((z) => ({ ...z, current: z.endpoint.trim() === endpoint.trim(), fedIndex: fedIndexAt(ctx, z.endpoint) }));
  out(o.csv ? formatCsv(rows, cols, o.header) : formatTable(rows, cols, o.header));
  return 0;
}

function show(ctx: EmulatorContext, zones: readonly ZoneRecord[], ref: string | undefined, o: Options, view: View): number {
  const id = resolveId(zones, ref);
  if (typeof id === "string") return (err(`${id}\n`), 255);
  const z = zones.find((x) => x.id === id);
  if (!z) return (err(`[one.zone.info] Error getting zone [${id}].\n`), 255);
  const raft = serversRaft(ctx, z);
  out(o.xml ? zoneXml(z, "", view.server, raft) : o.json ? zoneJson(z, view.server, raft) : zoneText(z, view.cli, raft));
  return 0;
}

/**
 * Zone#info_extended: the CLI calls one.zone.raftstatus on every server endpoint; a server that
 * cannot be reached (oned stopped, unreachable, firewalled) gives "-" everywhere.
 */
function serversRaft(ctx: EmulatorContext, z: ZoneRecord): RaftById {
  const views = new Map<number, ReturnType<EmulatorContext["raft"]>>();
  const result = new Map<number, ServerRaft>();
  for (const sv of z.servers ?? []) {
    const conn = connect(ctx, sv.endpoint, ctx.self, ZONE_PROBE_TIMEOUT_SECONDS);
    const fe = "fe" in conn ? conn.fe : undefined;
    if (fe && !views.has(fe.zoneId)) views.set(fe.zoneId, ctx.raft(fe.zoneId));
    const r = fe ? views.get(fe.zoneId)?.servers.find((x) => x.fe.name === fe.name) : undefined;
    let fed = "-";
    try {
      if (r?.alive) fed = fedLogIndexText(lastFedIndexOf(ctx, r.fe));
    } catch {
      /* unreadable database: as if it could not be asked */
    }
    result.set(
      sv.id,
      r?.alive && fed !== "-"
        ? { STATE: r.state, TERM: r.term, VOTEDFOR: r.votedFor, COMMIT: r.commit, LOG_INDEX: r.logIndex, FEDLOG_INDEX: fed }
        : { STATE: "-", TERM: "-", VOTEDFOR: "-", COMMIT: "-", LOG_INDEX: "-", FEDLOG_INDEX: "-" },
    );
  }
  return result;
}

function setZone(ctx: EmulatorContext, zones: readonly ZoneRecord[], ref: string | undefined, o: Options): number {
  const id = resolveId(zones, ref);
  if (typeof id === "string") return (err(`${id}\n`), 255);
  const z = zones.find((x) => x.id === id);
  if (!z) return (err(`[one.zone.info] Error getting zone [${id}].\n`), 255);
  if (o.temporary) return (puts(`Type: export ONE_XMLRPC=${z.endpoint}`), 0);
  const file = ONE_FILES.endpoint;
  fs.mkdirSync(path.dirname(ctx.ownPath(file)), { recursive: true });
  fs.writeFileSync(ctx.ownPath(file), `${z.endpoint}\n`);
  puts(`Endpoint changed to "${z.endpoint}" in ${file}`);
  return 0;
}

/**
 * ZoneEnable: only through the target zone's own endpoint. An HA follower forwards the call to its
 * leader (none: election mode). The master writes zone_pool itself; a slave forwards the change to
 * the master (one.zone.updatedb), which must be running and enabled. The change then travels to
 * the slaves as a federated record.
 */
function enableDisable(
  ctx: EmulatorContext,
  served: FrontendEntry,
  zones: readonly ZoneRecord[],
  verb: "enable" | "disable",
  ref: string | undefined,
  o: Options,
): number {
  let rc = 0;
  for (const part of (ref ?? "").split(",")) {
    const id = resolveId(zones, part);
    if (typeof id === "string") {
      err(`${id}\n`);
      rc = 255;
      continue;
    }
    if (id !== served.zoneId) {
      err("[one.zone.enable] Enable/disable mode have to be set through the target zone endpoints\n");
      rc = 255;
      continue;
    }
    const writer = writerOf(ctx, served, "one.zone.enable");
    if ("error" in writer) {
      err(`${writer.error}\n`);
      rc = 255;
      continue;
    }
    const master = ctx.master();
    if (writer.fe.name !== master.name) {
      // one.zone.updatedb goes from this zone's oned (not the CLI) to the master's endpoint.
      const link = connect(ctx, ctx.masterZone().endpoint, writer.fe);
      if ("error" in link) {
        err(`[one.zone.enable] Error updating zone in federation master: ${link.error}\n`);
        rc = 255;
        continue;
      }
    }
    const masterZones = readZones(ctx.dbOf(master.name));
    const masterSelf = masterZones.find((z) => z.id === master.zoneId);
    if (writer.fe.name !== master.name && masterSelf?.state === 1) {
      err("[one.zone.enable] Cannot process request, zone disabled\n");
      rc = 255;
      continue;
    }
    const zone = masterZones.find((z) => z.id === id);
    if (!zone) {
      err(`[one.zone.enable] Error getting zone [${id}].\n`);
      rc = 255;
      continue;
    }
    const state = verb === "enable" ? 0 : 1;
    if (zone.state !== state) {
      writeFederated(ctx.dbOf(master.name), [zoneStateStatement(zone, state)]);
      raftAppend(ctx.layout, ctx.masterZone(), 1);
    }
    replicateFromMaster(ctx);
    if (o.verbose) puts(`ZONE ${id}: ${verb} zone`);
  }
  return rc;
}
