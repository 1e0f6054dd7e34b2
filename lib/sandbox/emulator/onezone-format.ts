/**
 * How the onezone CLI prints zones without a terminal (reference §5.1, §5.2 and the samples):
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
  for (const r of rows) lines.push(defs.map((d, i) => cell(d.value(r), i)).join(" ").trimEnd());
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

/** One `<ZONE>` element, indented (Nokogiri pretty print; template values in CDATA). */
export function zoneXml(z: ZoneRecord, indent = "", withState = true): string {
  const i = `${indent}  `;
  return (
    `${indent}<ZONE>\n${i}<ID>${z.id}</ID>\n${i}<NAME>${z.name}</NAME>\n${withState ? `${i}<STATE>${z.state}</STATE>\n` : ""}` +
    `${i}<TEMPLATE>\n${i}  <ENDPOINT><![CDATA[${z.endpoint}]]></ENDPOINT>\n${i}</TEMPLATE>\n${i}<SERVER_POOL/>\n${indent}</ZONE>\n`
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

function zoneHash(z: ZoneRecord, withState: boolean): JsonValue {
  const state: Record<string, JsonValue> = withState ? { STATE: String(z.state) } : {};
  return { ID: String(z.id), NAME: z.name, ...state, TEMPLATE: { ENDPOINT: z.endpoint }, SERVER_POOL: {} };
}

/** `onezone list -j` (ZONE is always an array: the XSD says maxOccurs=unbounded). */
export function poolJson(zones: readonly ZoneRecord[], withState = true): string {
  return `${pretty({ ZONE_POOL: zones.length === 0 ? {} : { ZONE: zones.map((z) => zoneHash(z, withState)) } }, "")}\n`;
}

/** `onezone show -j`. */
export function zoneJson(z: ZoneRecord, withState = true): string {
  return `${pretty({ ZONE: zoneHash(z, withState) }, "")}\n`;
}

/** `onezone show` text (solo zone: no server tables; no STATE line before 6.2). */
export function zoneText(z: ZoneRecord, withState = true): string {
  const field = (k: string, v: string): string => `${k.padEnd(18)}: ${v.padEnd(20)}\n`;
  return (
    `${`ZONE ${z.id} INFORMATION`.padEnd(80)}\n` +
    field("ID", String(z.id)) +
    field("NAME", z.name) +
    (withState ? field("STATE", z.state === 0 ? "ENABLED" : "DISABLED") : "") +
    "\n\n" +
    `${"ZONE TEMPLATE".padEnd(80)}\n` +
    `ENDPOINT="${z.endpoint}"\n`
  );
}
