/**
 * `onehost list|show|enable|disable|sync` (docs/opennebula.md §2.1 steps 2, 12, 13; §4.5). The CLI talks to
 * the oned at its endpoint (like onezone); that oned serves its own zone's host pool, a local
 * (not federated) table. Writes (one.host.status) are refused while that zone is disabled; `sync`
 * is a CLI-side operation (a pool read, then rsync to the hosts), so it only needs oned to answer.
 */
import { EmulatorContext } from "./context";
import { COMMON_OPTIONS, CommonOptions, commonOptions, OptionSpec, parseCliOptions } from "./cli-options";
import { err, out, puts } from "./io";
import { clientEndpoint, readerOf, writerOf } from "./oned-link";
import { cliConnect } from "./one-auth";
import { JsonValue, csvField, pretty } from "./onezone-format";
import { FrontendEntry } from "../registry";
import { HOST_DISABLED, HOST_MONITORED, HOST_TOTAL_CPU, HOST_TOTAL_MEM_KB, HostRecord } from "../db-schema";
import { readHosts, readZones, setHostState } from "../one-db";
import { raftAppend } from "../raft";

interface Options extends CommonOptions {
  force: boolean;
}

const OPTIONS: OptionSpec = {
  flags: { ...COMMON_OPTIONS.flags, "-f": "force", "--force": "force", "--rsync": "rsync" },
  values: { ...COMMON_OPTIONS.values, "--search": "search" },
};
const VERBS = ["list", "show", "enable", "disable", "sync"];
/** The XML-RPC method each command calls first (what an authentication failure names). */
const FIRST_CALL: Readonly<Record<string, string>> = {
  list: "one.hostpool.info",
  show: "one.host.info",
  enable: "one.host.status",
  disable: "one.host.status",
  sync: "one.hostpool.info",
};

/** Emulated `onehost`. */
export function onehost(ctx: EmulatorContext, argv: string[]): number {
  const parsed = parseCliOptions(argv, OPTIONS);
  if ("invalid" in parsed) {
    err(`invalid option: ${parsed.invalid}\n`);
    return 255;
  }
  const { args } = parsed;
  const o: Options = {
    ...commonOptions(parsed),
    force: parsed.flags.has("force"),
  };
  const [verb, ...rest] = args;
  if (!verb || !VERBS.includes(verb)) {
    err(
      verb ? `onehost: command '${verb}' is not available in the sandbox (supported: ${VERBS.join(", ")})\n` : "Usage: onehost COMMAND [args..] [options..]\n",
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
  const db = ctx.dbOf(readerOf(ctx, served).name);
  const hosts = readHosts(db);

  switch (verb) {
    case "list":
      if (o.json) return (out(`${pretty({ HOST_POOL: hosts.length === 0 ? {} : { HOST: hosts.map(hostHash) } }, "")}\n`), 0);
      out(o.csv ? formatCsv(hosts, o.header) : formatTable(hosts, o.header));
      return 0;
    case "show":
      return show(hosts, rest[0], o);
    case "sync": {
      // CLI side: reads the pool (needs oned, works in a disabled zone), then rsyncs the remotes
      // from the front-end it runs on. An HA follower needs its leader for that, like a write.
      const writer = writerOf(ctx, served, "one.hostpool.info");
      if ("error" in writer) return (err(`${writer.error}\n`), 255);
      ctx.update((s) => {
        s.hostsSyncedAt = new Date().toISOString();
      });
      return 0;
    }
    default: {
      const zoneDisabled = readZones(db).find((z) => z.id === served.zoneId)?.state === 1;
      // An HA follower forwards one.host.status to its leader (none: election mode).
      const writer = writerOf(ctx, served, "one.host.status");
      const targets = "error" in writer ? [] : applyTargets(ctx, writer.fe);
      let rc = 0;
      for (const part of (rest[0] ?? "").split(",")) {
        const id = resolveId(hosts, part);
        if (typeof id === "string") {
          err(`${id}\n`);
          rc = 255;
          continue;
        }
        if ("error" in writer) {
          err(`${writer.error}\n`);
          rc = 255;
          continue;
        }
        // Request::execute checks the zone before the method runs (RequestXRPC.cc).
        if (zoneDisabled) {
          err("[one.host.status] Cannot process request, zone disabled\n");
          rc = 255;
          continue;
        }
        const host = hosts.find((h) => h.id === id);
        if (!host) {
          err(`[one.host.status] Error getting host [${id}].\n`);
          rc = 255;
          continue;
        }
        const state = verb === "enable" ? HOST_MONITORED : HOST_DISABLED;
        if (host.state !== state) {
          for (const fe of targets) setHostState(ctx.dbOf(fe.name), host, state);
          raftAppend(ctx.layout, ctx.zoneById(served.zoneId)!, 1);
        }
        if (o.verbose) puts(`HOST ${id}: ${verb}`);
      }
      return rc;
    }
  }
}

/**
 * The databases a local write lands in: the writer's, and in an HA zone every other alive server's
 * (Raft applies the committed entry there too).
 */
function applyTargets(ctx: EmulatorContext, writer: FrontendEntry): FrontendEntry[] {
  const view = ctx.raft(writer.zoneId);
  return view ? [writer, ...view.servers.filter((s) => s.alive && s.fe.name !== writer.name).map((s) => s.fe)] : [writer];
}

/** Resolves an id or name like the CLI helper. */
function resolveId(hosts: readonly HostRecord[], ref: string | undefined): number | string {
  if (ref === undefined || ref === "") return "command requires one argument: range";
  if (/^\d+$/.test(ref)) return parseInt(ref, 10);
  const h = hosts.find((x) => x.name === ref);
  return h ? h.id : `HOST named ${ref} not found.`;
}

/** STAT column: `on` while monitored (enabled), `off` when disabled. */
export function hostStat(h: HostRecord): "on" | "off" {
  return h.state === HOST_DISABLED ? "off" : "on";
}

/** Ruby OpenNebulaHelper.unit_to_str for KiB amounts: "0K", "15.5G". */
function memory(kb: number): string {
  if (kb === 0) return "0K";
  const units = ["K", "M", "G", "T"];
  let v = kb;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)}${units[u]}`;
}

const COLUMNS = ["ID", "NAME", "CLUSTER", "TVM", "ALLOCATED_CPU", "ALLOCATED_MEM", "STAT"];

function values(h: HostRecord): string[] {
  return [String(h.id), h.name, "default", "0", `0 / ${HOST_TOTAL_CPU} (0%)`, `${memory(0)} / ${memory(HOST_TOTAL_MEM_KB)} (0%)`, hostStat(h)];
}

/** `--csv`: full header, untruncated values. */
function formatCsv(hosts: readonly HostRecord[], header: boolean): string {
  const lines = header ? [COLUMNS.join(",")] : [];
  for (const h of hosts) lines.push(values(h).map(csvField).join(","));
  return lines.map((l) => `${l}\n`).join("");
}

/** The non-TTY table (onehost.yaml widths; not checked against a real capture). */
function formatTable(hosts: readonly HostRecord[], header: boolean): string {
  const widths = [4, 15, 9, 3, 18, 18, 4];
  const right = [true, false, false, true, true, true, false];
  const cell = (t: string, i: number): string => (right[i] ? t.padStart(widths[i]) : t.slice(0, widths[i]).padEnd(widths[i]));
  const lines = header ? [COLUMNS.map(cell).join(" ")] : [];
  for (const h of hosts) lines.push(values(h).map(cell).join(" ").trimEnd());
  return lines.map((l) => `${l}\n`).join("");
}

function hostHash(h: HostRecord): JsonValue {
  const s = (n: number): string => String(n);
  return {
    ID: s(h.id),
    NAME: h.name,
    STATE: s(h.state),
    PREV_STATE: s(h.prevState),
    IM_MAD: "kvm",
    VM_MAD: "kvm",
    CLUSTER_ID: "0",
    CLUSTER: "default",
    HOST_SHARE: {
      MEM_USAGE: "0",
      CPU_USAGE: "0",
      TOTAL_MEM: s(HOST_TOTAL_MEM_KB),
      TOTAL_CPU: s(HOST_TOTAL_CPU),
      MAX_MEM: s(HOST_TOTAL_MEM_KB),
      MAX_CPU: s(HOST_TOTAL_CPU),
      RUNNING_VMS: "0",
    },
    VMS: {},
    TEMPLATE: { HYPERVISOR: "kvm" },
  };
}

const STATE_NAMES: Record<number, string> = { [HOST_MONITORED]: "MONITORED", [HOST_DISABLED]: "DISABLED" };

function show(hosts: readonly HostRecord[], ref: string | undefined, o: Options): number {
  const id = resolveId(hosts, ref);
  if (typeof id === "string") return (err(`${id}\n`), 255);
  const h = hosts.find((x) => x.id === id);
  if (!h) return (err(`[one.host.info] Error getting host [${id}].\n`), 255);
  if (o.json) return (out(`${pretty({ HOST: hostHash(h) }, "")}\n`), 0);
  if (o.xml) {
    out(
      `<HOST>\n  <ID>${h.id}</ID>\n  <NAME>${h.name}</NAME>\n  <STATE>${h.state}</STATE>\n  <PREV_STATE>${h.prevState}</PREV_STATE>\n` +
        "  <IM_MAD><![CDATA[kvm]]></IM_MAD>\n  <VM_MAD><![CDATA[kvm]]></VM_MAD>\n  <CLUSTER_ID>0</CLUSTER_ID>\n  <CLUSTER>default</CLUSTER>\n</HOST>\n",
    );
    return 0;
  }
  const field = (k: string, v: string): string => `${k.padEnd(24)}: ${v}\n`;
  out(
    `${`HOST ${h.id} INFORMATION`.padEnd(80)}\n` +
      field("ID", String(h.id)) +
      field("NAME", h.name) +
      field("CLUSTER", "default") +
      field("STATE", STATE_NAMES[h.state] ?? String(h.state)) +
      field("IM_MAD", "kvm") +
      field("VM_MAD", "kvm"),
  );
  return 0;
}
