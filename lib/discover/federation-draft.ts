/**
 * The federation file drafted from a Discovery, in the layout `onefed sandbox up` writes (one flow
 * mapping per zone), with comments that say where each value came from. What discovery cannot
 * know is either a placeholder the schema refuses (so `onefed check` exits 2 until it is filled)
 * or a default an operator expects; both are listed for the operator (docs/discover.md).
 */
import { PackageManager, upgradeTypeFor } from "../model/federation";
import { Discovery, FrontendFindings, ZoneFindings } from "./findings";

/** federation.toVersion until the operator writes one: fails the schema's version pattern. */
export const TO_VERSION_PLACEHOLDER = "FILL IN: the version to upgrade to, e.g. 7.0.0";
/** database.passwordEnv of MySQL zones: a name only; `onefed check` cannot check those zones (exit 1) while it is not exported. */
export const DEFAULT_PASSWORD_ENV = "ONEFED_DB_PASSWORD";

export interface DraftOptions {
  /** federation.name. @default derived from the master zone's name */
  readonly name?: string;
  /** federation.toVersion. @default TO_VERSION_PLACEHOLDER */
  readonly toVersion?: string;
  /** ssh.user: the login discover used. */
  readonly user: string;
  /** ssh.privateKeyPath as written (relative to the file, or absolute). */
  readonly privateKeyPath: string;
  /** ssh.knownHostsPath as written: the known_hosts discover wrote. */
  readonly knownHostsPath: string;
  /** For the header comment: when discover read the federation (ISO). */
  readonly readAt: string;
}

export interface FederationDraft {
  /** federation.yaml's text. */
  readonly text: string;
  /** Values the operator must write before `onefed check` accepts the file. */
  readonly toFill: readonly string[];
  /** Values discover chose or found inconsistent, for the operator to confirm. */
  readonly notes: readonly string[];
}

const FEDERATION_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const MYSQL_KEYS = ["server", "user", "name"] as const;

/** YAML scalar: plain when that cannot be misread, double-quoted (JSON, valid YAML) otherwise. */
function scalar(value: string): string {
  return /^[A-Za-z_/.][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value) ? value : JSON.stringify(value);
}

/** The master zone's name as a federation name: `M-EU-FR` → `m-eu-fr`. */
export function federationNameFrom(zoneName: string): string {
  const name = zoneName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return FEDERATION_NAME.test(name) ? name : "federation";
}

function roleOf(zone: ZoneFindings, d: Discovery, notes: string[]): "master" | "slave" {
  const modes = [...new Set(zone.frontends.map((f) => f.federation.mode))];
  if (modes.length > 1)
    notes.push(`zone ${zone.id}: its front-ends disagree on oned.conf FEDERATION/MODE (${modes.join(", ")}); the role written is the first one's.`);
  if (modes[0] === "MASTER") return "master";
  if (modes[0] === "SLAVE") return "slave";
  const role = zone.id === d.masterZoneId ? "master" : "slave";
  notes.push(`zone ${zone.id}: FEDERATION/MODE is ${modes[0] || "empty"}, not MASTER or SLAVE (a zone that is not federated); written as ${role}.`);
  return role;
}

/** What the zone's front-ends agree on, or the first one's value with a note naming the others. */
function agreed<T>(zone: ZoneFindings, what: string, pick: (f: FrontendFindings) => T, notes: string[]): T {
  const values = zone.frontends.map(pick);
  const differ = zone.frontends.filter((_, i) => JSON.stringify(values[i]) !== JSON.stringify(values[0]));
  if (differ.length > 0) {
    const each = zone.frontends.map((f, i) => `${f.host}: ${JSON.stringify(values[i])}`).join(", ");
    notes.push(`zone ${zone.id}: the front-ends differ in ${what} (${each}); the file says the first one's.`);
  }
  return values[0];
}

interface ZoneDatabase {
  readonly backend: string;
  readonly server?: string;
  readonly port?: number;
  readonly user?: string;
  readonly name?: string;
}

function databaseOf(zone: ZoneFindings, notes: string[]): ZoneDatabase {
  // An HA zone on MySQL: every server has its own database server, so one zone-wide connection
  // could name only one of them; without one, onedb on each server reads its own oned.conf.
  const servers = [...new Set(zone.frontends.map((f) => f.database.server))];
  if (zone.frontends.every((f) => f.database.backend === "mysql") && servers.length > 1) {
    notes.push(
      `zone ${zone.id}: each front-end's oned.conf names its own MySQL server (${servers.join(", ")}); no connection is written, so onedb on each reads its own oned.conf.`,
    );
    return { backend: "mysql" };
  }
  const db = agreed(zone, "oned.conf's DB section", (f) => f.database, notes);
  if (db.backend !== "mysql") return { backend: db.backend };
  const missing = MYSQL_KEYS.filter((k) => db[k] === undefined);
  if (missing.length > 0) {
    notes.push(`zone ${zone.id}: oned.conf's MySQL DB section has no ${missing.join(", ")}; no connection is written, so onedb reads oned.conf.`);
    return { backend: "mysql" };
  }
  return { backend: "mysql", server: db.server, port: db.port ?? 0, user: db.user, name: db.name };
}

function renderDatabase(db: ZoneDatabase): string {
  if (db.backend !== "mysql") return `{ backend: ${scalar(db.backend)} }`;
  const connection = db.server !== undefined ? `server: ${scalar(db.server)}, port: ${db.port}, user: ${scalar(db.user!)}, name: ${scalar(db.name!)}, ` : "";
  return `{ backend: mysql, ${connection}passwordEnv: ${DEFAULT_PASSWORD_ENV} }`;
}

function zoneComments(zone: ZoneFindings): string[] {
  const fe = zone.frontends.map((f, i) => {
    const server = zone.serverIds.length > 0 ? `server ${zone.serverIds[i]}, ` : "";
    return `${f.host} (${server}SERVER_ID ${f.federation.serverId}, OpenNebula ${f.version}, ${f.packageManager}, DB ${f.database.backend})`;
  });
  const hosts = zone.hosts
    ? zone.hosts.length === 0
      ? "none"
      : zone.hosts.map((h) => `${h.name} (${h.stat})`).join(", ")
    : `could not be read (${zone.hostsError?.split("\n")[0]})`;
  return [
    `  # zone ${zone.id} (${zone.name}): ${fe.join("; ")}`,
    `  #   units: ${zone.frontends[0].units.join(", ") || "none"}`,
    `  #   registered hosts (onehost list): ${hosts}; not managed: see docs/discover.md to upgrade their node packages too`,
  ];
}

/** Drafts federation.yaml from what discover read; pure, so the file's shape is unit-tested. */
export function draftFederationFile(d: Discovery, options: DraftOptions): FederationDraft {
  const toFill: string[] = [];
  const notes: string[] = [];
  const master = d.zones.find((z) => z.id === d.masterZoneId) ?? d.zones[0];

  const fromVersion = master.frontends[0].version;
  const versions = d.zones.flatMap((z) => z.frontends.map((f) => ({ zone: z.id, host: f.host, version: f.version })));
  const others = versions.filter((v) => v.version !== fromVersion);
  if (others.length > 0) {
    notes.push(
      `federation.fromVersion is the master's ${fromVersion}, but ${others.map((o) => `zone ${o.zone} ${o.host} runs ${o.version}`).join(", ")}: onefed check reports them until every front-end runs the same version.`,
    );
  }
  if (options.toVersion === undefined)
    toFill.push("federation.toVersion: the version to upgrade to (discovery cannot know it); `onefed check` refuses the file (exit 2) until it is a version.");
  const name = options.name ?? federationNameFrom(master.name);
  if (options.name === undefined)
    notes.push(
      `federation.name "${name}" is derived from the master zone's name; it names the stack, the state and the ledger: change it now (--name), not after a deploy.`,
    );
  notes.push(
    `ssh: user ${options.user} and the key ${options.privateKeyPath} are the login discover used; the runner (onefed step) needs the same access to every front-end.`,
  );

  const zones = d.zones.map((z) => ({
    zone: z,
    role: roleOf(z, d, notes),
    manager: agreed<PackageManager>(z, "package manager", (f) => f.packageManager, notes),
    database: databaseOf(z, notes),
  }));
  for (const z of zones) {
    if (z.zone.frontends.some((f) => f.federation.zoneId !== z.zone.id)) {
      notes.push(
        `zone ${z.zone.id}: a front-end's oned.conf FEDERATION/ZONE_ID is ${z.zone.frontends.map((f) => f.federation.zoneId).join(", ")}, not the zone's id.`,
      );
    }
    if (z.database.backend !== "sqlite" && z.database.backend !== "mysql") {
      toFill.push(
        `zone ${z.zone.id}: DB backend ${z.database.backend} is not one onefed upgrades (sqlite or mysql); the file keeps it so that \`onefed check\` refuses it.`,
      );
    }
  }
  // A type B upgrade restores the master's federated dump into every slave, which only works on the
  // backend the dump came from; the loader refuses such a file, so the draft says so up front.
  const masterBackend = zones.find((z) => z.zone === master)?.database.backend;
  const otherBackend = zones.filter((z) => z.zone !== master && z.database.backend !== masterBackend);
  if (otherBackend.length > 0) {
    const typeB = options.toVersion === undefined || upgradeTypeFor(fromVersion, options.toVersion) === "B";
    const each = otherBackend.map((z) => `zone ${z.zone.id} is on ${z.database.backend}`).join(", ");
    (typeB ? toFill : notes).push(
      `the master zone ${master.id} is on DB backend ${masterBackend}, ${each}: a type B upgrade (across series) restores the master's federated backup into every slave, which onedb does only into the backend it came from; ` +
        `${typeB ? "`onefed check` refuses the file until" : "a type B upgrade needs"} every zone on one backend (onedb sqlite2mysql moves an SQLite zone to MySQL).`,
    );
  }
  const mysqlZones = zones.filter((z) => z.database.backend === "mysql");
  if (mysqlZones.length > 0) {
    toFill.push(
      `database.passwordEnv ${DEFAULT_PASSWORD_ENV}: discovery never reads the MySQL password; export ${DEFAULT_PASSWORD_ENV} with it (from your secret store) on the automation host, or change the name. Until it is set, \`onefed check\` cannot check those zones' front-ends (exit 1) and a deploy refuses to start (zones ${mysqlZones.map((z) => z.zone.id).join(", ")}).`,
    );
  }
  const dbTexts = zones.map((z) => renderDatabase(z.database));
  const oneDatabase = zones.every((z) => z.database.backend !== "sqlite") && new Set(dbTexts).size === 1;

  const zoneLines = zones.flatMap(({ zone, role, manager }, i) => {
    const frontends = zone.frontends.map((f) => `{ host: ${scalar(f.host)}, port: ${f.port} }`).join(", ");
    const database = !oneDatabase && zones[i].database.backend !== "sqlite" ? `, database: ${dbTexts[i]}` : "";
    const packages = manager !== "apt" ? `, packages: { manager: ${manager} }` : "";
    return [
      ...zoneComments(zone),
      `  - { id: ${zone.id}, name: ${scalar(zone.name)}, role: ${role}, endpoint: ${JSON.stringify(zone.endpoint)}, frontends: [ ${frontends} ]${database}${packages} }`,
    ];
  });
  const toVersion = options.toVersion ?? TO_VERSION_PLACEHOLDER;
  const text = [
    `# Written by \`onefed discover --master ${d.master.host}:${d.master.port}\` at ${options.readAt} (docs/discover.md).`,
    ...(toFill.length > 0 ? ["# Fill in before `onefed check` accepts this file:", ...toFill.map((t) => `#   - ${t}`)] : []),
    `federation: { name: ${scalar(name)}, fromVersion: "${fromVersion}", toVersion: ${JSON.stringify(toVersion)} }`,
    `ssh: { user: ${scalar(options.user)}, privateKeyPath: ${scalar(options.privateKeyPath)}, knownHostsPath: ${scalar(options.knownHostsPath)} }`,
    ...(oneDatabase ? [`database: ${dbTexts[0]}`] : []),
    "zones:",
    ...zoneLines,
    "",
  ].join("\n");
  return { text, toFill, notes };
}
