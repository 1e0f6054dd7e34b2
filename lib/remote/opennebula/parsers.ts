/**
 * Parsers for what the OpenNebula CLI prints over a non-interactive SSH session. They take exactly
 * the formats captured in test/fixtures/opennebula and throw ParseError on anything else.
 */
import { OnefedError } from "../../model/errors";
import { FedIndex, parseFedIndex } from "./fed-index";

export class ParseError extends OnefedError {
  constructor(what: string, detail: string, text: string) {
    super(`could not read the output of ${what}: ${detail}. Output was:\n${text.slice(0, 600)}`);
  }
}

export interface ZoneListRow {
  readonly current: boolean;
  readonly id: number;
  readonly name: string;
  readonly endpoint: string;
  /** FED_INDEX, exactly: a real index, no federated record yet, `-` (could not be asked) or standalone. */
  readonly fedIndex: FedIndex;
  /** `on`/`off` from 6.2; undefined before. */
  readonly enabled?: boolean;
}

/** `onezone list --csv`: header CURRENT,ID,NAME,ENDPOINT,FED_INDEX[,STAT]. */
export function parseZoneListCsv(text: string): ZoneListRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new ParseError("onezone list --csv", "no output", text);
  const header = parseCsvLine(lines[0]);
  const col = (name: string) => header.indexOf(name);
  for (const required of ["CURRENT", "ID", "NAME", "ENDPOINT", "FED_INDEX"]) {
    if (col(required) < 0) throw new ParseError("onezone list --csv", `no ${required} column`, text);
  }
  return lines.slice(1).map((line) => {
    const f = parseCsvLine(line);
    const fedIndex = parseFedIndex(f[col("FED_INDEX")]);
    if (!/^-?\d+$/.test(f[col("ID")]) || fedIndex === undefined) {
      throw new ParseError("onezone list --csv", `unexpected row ${JSON.stringify(line)}`, text);
    }
    const stat = col("STAT") >= 0 ? f[col("STAT")] : undefined;
    return {
      current: f[col("CURRENT")] === "*",
      id: Number(f[col("ID")]),
      name: f[col("NAME")],
      endpoint: f[col("ENDPOINT")],
      fedIndex,
      enabled: stat === undefined ? undefined : stat === "on",
    };
  });
}

/** Ruby CSV: fields may be quoted with "", a doubled quote escapes one. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2; // closing quote and comma
    } else {
      const end = line.indexOf(",", i);
      out.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

export interface ZoneServer {
  readonly id: number;
  readonly name: string;
  readonly endpoint: string;
  /** Raft role: 0 solo, 1 candidate, 2 follower, 3 leader; null when the server did not answer. */
  readonly raftState: number | null;
  readonly term: number | null;
  /** Raft COMMIT: followers in sync show the leader's value. */
  readonly commit: number | null;
  readonly logIndex: number | null;
  /** FEDLOG_INDEX, exactly; `unreachable` when the server did not answer. */
  readonly fedIndex: FedIndex;
}

/** Raft roles by STATE value (include/RaftManager.h); `error` when the server could not be asked. */
export const RAFT_ROLES = ["solo", "candidate", "follower", "leader"] as const;
export type RaftRole = (typeof RAFT_ROLES)[number] | "error";

export function raftRole(server: ZoneServer): RaftRole {
  return server.raftState === null ? "error" : (RAFT_ROLES[server.raftState] ?? "error");
}

export interface ZoneShow {
  readonly id: number;
  readonly name: string;
  /** /ZONE/STATE: 0 enabled, 1 disabled (6.2+). */
  readonly enabled: boolean;
  readonly endpoint: string;
  readonly servers: readonly ZoneServer[];
}

/** One zone of `onezone list -j` (the zone pool). */
export interface ZonePoolEntry {
  readonly id: number;
  readonly name: string;
  /** /ZONE/STATE: 0 enabled, 1 disabled (6.2+; absent before, which reads as enabled). */
  readonly enabled: boolean;
}

/** `onezone list -j`: ZONE_POOL/ZONE is an array (maxOccurs unbounded), or absent for an empty pool. */
export function parseZonePoolJson(text: string): ZonePoolEntry[] {
  let doc: { ZONE_POOL?: { ZONE?: unknown } };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError("onezone list -j", (err as Error).message, text);
  }
  if (!doc || typeof doc.ZONE_POOL !== "object" || doc.ZONE_POOL === null) throw new ParseError("onezone list -j", "no ZONE_POOL", text);
  const zones = ([] as Record<string, unknown>[]).concat((doc.ZONE_POOL.ZONE as Record<string, unknown>[] | undefined) ?? []);
  return zones.map((z) => {
    if (typeof z.ID !== "string" || typeof z.NAME !== "string") throw new ParseError("onezone list -j", "a ZONE without ID or NAME", text);
    return { id: Number(z.ID), name: z.NAME, enabled: String(z.STATE ?? "0") === "0" };
  });
}

/** `onezone show <id> -j`: every value is a string; single elements may not be wrapped in arrays. */
export function parseZoneShowJson(text: string): ZoneShow {
  let doc: { ZONE?: Record<string, unknown> };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError("onezone show -j", (err as Error).message, text);
  }
  const z = doc.ZONE;
  if (!z || typeof z.ID !== "string" || typeof z.NAME !== "string") throw new ParseError("onezone show -j", "no ZONE/ID or ZONE/NAME", text);
  const pool = (z.SERVER_POOL ?? {}) as { SERVER?: unknown };
  const servers = ([] as Record<string, string>[]).concat((pool.SERVER as Record<string, string>[] | undefined) ?? []);
  const num = (v: string | undefined) => (v === undefined || v === "-" || v === "" ? null : Number(v));
  const fed = (v: string | undefined): FedIndex => {
    const parsed = parseFedIndex(v === undefined || v === "" ? "-" : v);
    if (!parsed) throw new ParseError("onezone show -j", `unexpected FEDLOG_INDEX ${JSON.stringify(v)}`, text);
    return parsed;
  };
  return {
    id: Number(z.ID),
    name: z.NAME,
    enabled: String(z.STATE ?? "0") === "0",
    endpoint: String((z.TEMPLATE as Record<string, unknown> | undefined)?.ENDPOINT ?? ""),
    servers: servers.map((s) => ({
      id: Number(s.ID),
      name: s.NAME,
      endpoint: s.ENDPOINT,
      raftState: num(s.STATE),
      term: num(s.TERM),
      commit: num(s.COMMIT),
      logIndex: num(s.LOG_INDEX),
      fedIndex: fed(s.FEDLOG_INDEX),
    })),
  };
}

export interface HostListRow {
  readonly id: number;
  readonly name: string;
  /** STAT `on` (monitored/enabled); anything else (off, dsbl, err, …) is not. */
  readonly enabled: boolean;
  readonly stat: string;
}

/** `onehost list --csv`: header with ID, NAME and STAT columns. */
export function parseHostListCsv(text: string): HostListRow[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new ParseError("onehost list --csv", "no output", text);
  const header = parseCsvLine(lines[0]);
  const [id, name, stat] = ["ID", "NAME", "STAT"].map((c) => header.indexOf(c));
  if (id < 0 || name < 0 || stat < 0) throw new ParseError("onehost list --csv", "no ID, NAME or STAT column", text);
  return lines.slice(1).map((line) => {
    const f = parseCsvLine(line);
    if (!/^\d+$/.test(f[id])) throw new ParseError("onehost list --csv", `unexpected row ${JSON.stringify(line)}`, text);
    return { id: Number(f[id]), name: f[name], stat: f[stat], enabled: f[stat] === "on" };
  });
}

export type DbVersionStatus = "up-to-date" | "not-bootstrapped" | "upgrade-needed" | "db-newer-than-software";

export interface DbVersion {
  readonly status: DbVersionStatus;
  readonly shared?: string;
  readonly local?: string;
}

const DB_STATUS: Record<number, DbVersionStatus> = {
  0: "up-to-date",
  1: "not-bootstrapped",
  2: "upgrade-needed",
  3: "db-newer-than-software",
};

/** `onedb version [-v]` (6.0+): the exit code carries the verdict, the text the versions. */
export function parseDbVersion(stdout: string, exitCode: number): DbVersion {
  const status = DB_STATUS[exitCode];
  if (!status) throw new ParseError("onedb version", `exit code ${exitCode} is not one of 0, 1, 2, 3`, stdout);
  const shared = /^Shared(?: tables version)?:\s+(\S+)/m.exec(stdout)?.[1];
  const local = /^Local(?: tables version)?:\s+(\S+)/m.exec(stdout)?.[1];
  if (status !== "not-bootstrapped" && (!shared || !local)) throw new ParseError("onedb version", "no Shared/Local lines", stdout);
  return { status, shared, local };
}

/** `dpkg-query -W -f='${Version}'` / `rpm -q --qf '%{VERSION}'`: "6.10.0-1" → "6.10.0". */
export function parsePackageVersion(stdout: string): string {
  const m = /^(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(stdout.trim());
  if (!m) throw new ParseError("the package query", "no version number", stdout);
  return m[1];
}

/** `systemctl is-active a b c`: one state per line, in argument order. */
export function parseIsActive(units: readonly string[], stdout: string): Record<string, string> {
  const states = stdout.split("\n").filter((l) => l.trim() !== "");
  if (states.length !== units.length) throw new ParseError("systemctl is-active", `${states.length} lines for ${units.length} units`, stdout);
  return Object.fromEntries(units.map((u, i) => [u, states[i].trim()]));
}

/** `systemctl list-unit-files --no-legend 'opennebula*'`: first column is the unit file name. */
export function parseUnitFiles(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((u) => u && /^opennebula[\w.-]*$/.test(u));
}

/** `df -P -B1 PATH` → available bytes on that file system. */
export function parseFreeBytes(stdout: string): number {
  const row = stdout.trim().split("\n")[1]?.trim().split(/\s+/);
  if (!row || row.length < 6 || !/^\d+$/.test(row[3])) throw new ParseError("df -P", "no data row", stdout);
  return Number(row[3]);
}

/** `sha256sum FILE` → the hex digest. */
export function parseSha256(stdout: string): string {
  const m = /^([0-9a-f]{64})\s/.exec(stdout);
  if (!m) throw new ParseError("sha256sum", "no digest", stdout);
  return m[1];
}

/** oned.conf's FEDERATION section: the values an HA upgrade must keep per server (docs/opennebula.md §3.1). */
export interface OnedFederation {
  readonly mode: string;
  readonly zoneId: number;
  /** -1 for a solo front-end; the Raft server id otherwise. */
  readonly serverId: number;
}

/** oned.conf (or just its FEDERATION section) → the FEDERATION = [ … ] values (comments ignored). */
export function parseOnedFederation(text: string): OnedFederation {
  const uncommented = text.replace(/#.*$/gm, "");
  const section = /^\s*FEDERATION\s*=\s*\[([^\]]*)\]/m.exec(uncommented)?.[1];
  if (section === undefined) throw new ParseError("oned.conf", "no FEDERATION = [ … ] section", text);
  const value = (key: string) => new RegExp(`(?:^|[\\s,])${key}\\s*=\\s*"?([^,"\\s]*)"?`, "m").exec(section)?.[1];
  const serverId = value("SERVER_ID");
  const zoneId = value("ZONE_ID");
  if (serverId === undefined || !/^-?\d+$/.test(serverId)) throw new ParseError("oned.conf", "no numeric FEDERATION/SERVER_ID", section);
  if (zoneId === undefined || !/^\d+$/.test(zoneId)) throw new ParseError("oned.conf", "no numeric FEDERATION/ZONE_ID", section);
  return { mode: (value("MODE") ?? "").toUpperCase(), zoneId: Number(zoneId), serverId: Number(serverId) };
}

/** `cat /etc/one/monitord.conf` → NETWORK/MONITOR_ADDRESS ("auto" or an address); undefined when absent. */
export function parseMonitorAddress(text: string): string | undefined {
  return /^\s*MONITOR_ADDRESS\s*=\s*"?([^",\s]*)"?/m.exec(text.replace(/#.*$/gm, ""))?.[1];
}

/** oned.conf's DB section as `onedConf.readDatabase` prints it: the connection settings, never PASSWD. */
export interface OnedDatabase {
  /** BACKEND as written, lower-cased: `sqlite`, `mysql` (or another, which onefed does not support). */
  readonly backend: string;
  readonly server?: string;
  readonly port?: number;
  readonly user?: string;
  /** DB_NAME. */
  readonly name?: string;
}

/** `KEY=value` lines of the allowed keys (BACKEND, SERVER, PORT, USER, DB_NAME) → the settings. */
export function parseOnedDatabase(text: string): OnedDatabase {
  const values = new Map<string, string>();
  for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
    const m = /^(BACKEND|SERVER|PORT|USER|DB_NAME)=(.*)$/.exec(line);
    if (!m) throw new ParseError("oned.conf's DB section", `unexpected line ${JSON.stringify(line)}`, text);
    if (!values.has(m[1])) values.set(m[1], m[2].trim());
  }
  const backend = values.get("BACKEND");
  if (!backend) throw new ParseError("oned.conf's DB section", "no uncommented DB = [ BACKEND = … ] section", text);
  const port = values.get("PORT");
  if (port !== undefined && !/^\d+$/.test(port)) throw new ParseError("oned.conf's DB section", `PORT ${JSON.stringify(port)} is not a number`, text);
  return {
    backend: backend.toLowerCase(),
    server: values.get("SERVER"),
    port: port === undefined ? undefined : Number(port),
    user: values.get("USER"),
    name: values.get("DB_NAME"),
  };
}

/** The package manager a machine's `packageTools.probe` found: the first of dpkg-query (apt), dnf, yum. */
export function parsePackageTools(stdout: string): "apt" | "dnf" | "yum" {
  const found = stdout.split("\n").map((l) => l.trim());
  if (found.includes("dpkg-query")) return "apt";
  if (found.includes("dnf")) return "dnf";
  if (found.includes("yum")) return "yum";
  throw new ParseError("the package tool probe", "none of dpkg-query, dnf or yum is on the PATH", stdout);
}
