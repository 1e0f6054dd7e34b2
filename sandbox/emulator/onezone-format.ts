/**
 * How the onezone CLI prints zones without a terminal (docs/opennebula.md §5.1, §5.2 and the samples):
 * the fixed-width table, Ruby CSV, Nokogiri-style XML and the XML→hash JSON.
 */
import { ZoneRecord } from "../db-schema";

/** A zone row as `onezone list` shows it. */
export interface ZoneListRow extends ZoneRecord {
  /** Whether the CLI endpoint equals the zone ENDPOINT (the `*`). */
  readonly current: boolean;
  /** FED_INDEX column ("715438", "-"). */
  readonly fedIndex: string;
}

interface Column {
  readonly header: string;
  readonly width: number;
  readonly right: boolean;
  /** `adjust` columns widen instead of cutting. */
  readonly adjust: boolean;
  readonly value: (z: ZoneListRow) => string;
}

/** onezone.yaml's columns, widths and alignments. */
const COLUMNS: Record<string, Column> = {
  CURRENT: { header: "C", width: 1, right: true, adjust: false, value: (z) => (z.current ? "*" : "") },
  ID: { header: "ID", width: 4, right: true, adjust: true, value: (z) => String(z.id) },
  NAME: { header: "NAME", width: 15, right: false, adjust: false, value: (z) => z.name },
  ENDPOINT: { header: "ENDPOINT", width: 45, right: false, adjust: false, value: (z) => z.endpoint },
  FED_INDEX: { header: "FED_INDEX", width: 10, right: false, adjust: false, value: (z) => z.fedIndex },
  STAT: { header: "STAT", width: 4, right: false, adjust: false, value: (z) => (z.state === 0 ? "on" : "off") },
};

/** Default column list (6.2+). */
export const DEFAULT_COLUMNS = ["CURRENT", "ID", "NAME", "ENDPOINT", "FED_INDEX", "STAT"];

/** Default columns of a CLI release: STAT (and zone STATE) exist from 6.2 (§5.1 version table). */
export function defaultColumns(withState: boolean): string[] {
  return withState ? DEFAULT_COLUMNS : DEFAULT_COLUMNS.filter((c) => c !== "STAT");
}

/** Validates a `-l` list; returns the unknown names (STAT is unknown before 6.2). */
export function unknownColumns(cols: readonly string[], withState = true): string[] {
  return cols.filter((c) => !COLUMNS[c] || (c === "STAT" && !withState));
}

/** The non-TTY table: fixed widths, values cut, data rows right-trimmed, header not. */
export function formatTable(rows: readonly ZoneListRow[], cols: readonly string[], header: boolean): string {
  const defs = cols.map((c) => COLUMNS[c]);
  const widths = defs.map((d) => (d.adjust ? Math.max(d.width, ...rows.map((r) => d.value(r).length)) : d.width));
  const cell = (text: string, i: number): string => {
    const t = defs[i].adjust ? text : text.slice(0, widths[i]);
    return defs[i].right ? t.padStart(widths[i]) : t.padEnd(widths[i]);
  };
  const lines: string[] = [];
  if (header) lines.push(defs.map((d, i) => cell(d.header, i)).join(" "));
  for (const r of rows)
    lines.push(
      defs
        .map((d, i) => cell(d.value(r), i))
        .join(" ")
        .trimEnd(),
    );
  return lines.map((l) => `${l}\n`).join("");
}

/** One Ruby CSV field: empty strings are `""`, fields with separators are quoted. */
export function csvField(v: string): string {
  if (v === "") return '""';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `--csv`: full column names in the header, untruncated values. */
export function formatCsv(rows: readonly ZoneListRow[], cols: readonly string[], header: boolean): string {
  const lines: string[] = [];
  if (header) lines.push(cols.join(","));
  for (const r of rows) lines.push(cols.map((c) => csvField(COLUMNS[c].value(r))).join(","));
  return lines.map((l) => `${l}\n`).join("");
}

/** one.zone.raftstatus of one server as `onezone show` adds it ("-" everywhere when it cannot be asked). */
export interface ServerRaft {
  readonly STATE: string;
  readonly TERM: string;
  readonly VOTEDFOR: string;
  readonly COMMIT: string;
  readonly LOG_INDEX: string;
  readonly FEDLOG_INDEX: string;
}

/** Raft fields of each server by id (`onezone show` only; `list` prints the bare SERVER_POOL). */
export type RaftById = ReadonlyMap<number, ServerRaft>;

const RAFT_KEYS = ["STATE", "TERM", "VOTEDFOR", "COMMIT", "LOG_INDEX", "FEDLOG_INDEX"] as const;

function serverPoolXml(z: ZoneRecord, i: string, raft?: RaftById): string {
  const servers = z.servers ?? [];
  if (servers.length === 0) return `${i}<SERVER_POOL/>\n`;
  const j = `${i}    `;
  const one = (sv: NonNullable<ZoneRecord["servers"]>[number]): string => {
    const r = raft?.get(sv.id);
    return (
      `${i}  <SERVER>\n${j}<ENDPOINT><![CDATA[${sv.endpoint}]]></ENDPOINT>\n${j}<ID><![CDATA[${sv.id}]]></ID>\n${j}<NAME><![CDATA[${sv.name}]]></NAME>\n` +
      (r ? RAFT_KEYS.map((k) => `${j}<${k}>${r[k]}</${k}>\n`).join("") : "") +
      `${i}  </SERVER>\n`
    );
  };
  return `${i}<SERVER_POOL>\n${servers.map(one).join("")}${i}</SERVER_POOL>\n`;
}

/** One `<ZONE>` element, indented (Nokogiri pretty print; template and server attributes in CDATA, Raft fields plain). */
export function zoneXml(z: ZoneRecord, indent = "", withState = true, raft?: RaftById): string {
  const i = `${indent}  `;
  return (
    `${indent}<ZONE>\n${i}<ID>${z.id}</ID>\n${i}<NAME>${z.name}</NAME>\n${withState ? `${i}<STATE>${z.state}</STATE>\n` : ""}` +
    `${i}<TEMPLATE>\n${i}  <ENDPOINT><![CDATA[${z.endpoint}]]></ENDPOINT>\n${i}</TEMPLATE>\n${serverPoolXml(z, i, raft)}${indent}</ZONE>\n`
  );
}

/** `onezone list -x`. */
export function poolXml(zones: readonly ZoneRecord[], withState = true): string {
  return zones.length === 0 ? "<ZONE_POOL/>\n" : `<ZONE_POOL>\n${zones.map((z) => zoneXml(z, "  ", withState)).join("")}</ZONE_POOL>\n`;
}

export type JsonValue = string | JsonValue[] | { [k: string]: JsonValue };

/** JSON.pretty_generate of the CLI's XML hash: empty elements print as an opened and closed object. */
export function pretty(v: JsonValue, indent: string): string {
  const next = `${indent}  `;
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[\n${v.map((x) => next + pretty(x, next)).join(",\n")}\n${indent}]`;
  const keys = Object.keys(v);
  if (keys.length === 0) return `{\n${indent}}`;
  return `{\n${keys.map((k) => `${next}${JSON.stringify(k)}: ${pretty(v[k], next)}`).join(",\n")}\n${indent}}`;
}

function zoneHash(z: ZoneRecord, withState: boolean, raft?: RaftById): JsonValue {
  const state: Record<string, JsonValue> = withState ? { STATE: String(z.state) } : {};
  const servers = (z.servers ?? []).map((sv): JsonValue => ({ ENDPOINT: sv.endpoint, ID: String(sv.id), NAME: sv.name, ...(raft?.get(sv.id) ?? {}) }));
  // SERVER has maxOccurs=unbounded in the XSD: always an array.
  return { ID: String(z.id), NAME: z.name, ...state, TEMPLATE: { ENDPOINT: z.endpoint }, SERVER_POOL: servers.length === 0 ? {} : { SERVER: servers } };
}

/** `onezone list -j` (ZONE is always an array: the XSD says maxOccurs=unbounded). */
export function poolJson(zones: readonly ZoneRecord[], withState = true): string {
  return `${pretty({ ZONE_POOL: zones.length === 0 ? {} : { ZONE: zones.map((z) => zoneHash(z, withState)) } }, "")}\n`;
}

/** `onezone show -j`. */
export function zoneJson(z: ZoneRecord, withState = true, raft?: RaftById): string {
  return `${pretty({ ZONE: zoneHash(z, withState, raft) }, "")}\n`;
}

/** A CLIHelper::ShowTable without a terminal: header padded, values cut to their width, data rows right-trimmed. */
function showTable(cols: ReadonlyArray<readonly [string, number, boolean]>, rows: readonly string[][]): string {
  const cell = (t: string, i: number): string => {
    const [, width, right] = cols[i];
    const v = t.slice(0, width);
    return right ? v.padStart(width) : v.padEnd(width);
  };
  const lines = [cols.map(([h], i) => cell(h, i)).join(" "), ...rows.map((r) => r.map(cell).join(" ").trimEnd())];
  return lines.map((l) => `${l}\n`).join("");
}

/** The text table's Raft STATE: `error` for a server that could not be asked. */
const ROLE_NAMES: Record<string, string> = { "0": "solo", "1": "candidate", "2": "follower", "3": "leader" };

/** The `ZONE SERVERS` and `HA & FEDERATION SYNC STATUS` tables (docs/opennebula.md §5.2). */
function serverTables(z: ZoneRecord, raft?: RaftById): string {
  const servers = z.servers ?? [];
  const none: ServerRaft = { STATE: "-", TERM: "-", VOTEDFOR: "-", COMMIT: "-", LOG_INDEX: "-", FEDLOG_INDEX: "-" };
  return (
    `${"ZONE SERVERS".padEnd(80)}\n` +
    showTable(
      [
        ["ID", 2, true],
        ["NAME", 15, false],
        ["ENDPOINT", 63, false],
      ],
      servers.map((sv) => [String(sv.id), sv.name, sv.endpoint]),
    ) +
    "\n" +
    `${"HA & FEDERATION SYNC STATUS".padEnd(80)}\n` +
    showTable(
      [
        ["ID", 2, true],
        ["NAME", 15, false],
        ["STATE", 10, false],
        ["TERM", 10, false],
        ["INDEX", 10, false],
        ["COMMIT", 10, false],
        ["VOTE", 5, false],
        ["FED_INDEX", 10, false],
      ],
      servers.map((sv) => {
        const r = raft?.get(sv.id) ?? none;
        return [String(sv.id), sv.name, ROLE_NAMES[r.STATE] ?? "error", r.TERM, r.LOG_INDEX, r.COMMIT, r.VOTEDFOR, r.FEDLOG_INDEX];
      }),
    ) +
    "\n"
  );
}

/** `onezone show` text (no STATE line before 6.2; server tables only for a zone with servers). */
export function zoneText(z: ZoneRecord, withState = true, raft?: RaftById): string {
  const field = (k: string, v: string): string => `${k.padEnd(18)}: ${v.padEnd(20)}\n`;
  return (
    `${`ZONE ${z.id} INFORMATION`.padEnd(80)}\n` +
    field("ID", String(z.id)) +
    field("NAME", z.name) +
    (withState ? field("STATE", z.state === 0 ? "ENABLED" : "DISABLED") : "") +
    "\n\n" +
    ((z.servers ?? []).length > 0 ? serverTables(z, raft) : "") +
    `${"ZONE TEMPLATE".padEnd(80)}\n` +
    `ENDPOINT="${z.endpoint}"\n`
  );
}
