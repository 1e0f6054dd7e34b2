/**
 * Rules a schema cannot express. Each is a pure function from the whole config to the problems it
 * finds (empty when fine), so they are evaluated together and reported at once.
 */
import * as fs from "fs";
import { compareVersions, COVERED_SERIES, isCoveredSeries, seriesOf, ZONE_DISABLE_SINCE } from "../model/version";
import { FederationConfig, zoneLabel } from "../model/federation";
import { isTimeZone } from "../model/maintenance-window";
import type { FederationFile } from "./schema";

export type ConfigRule = (config: FederationConfig) => string[];

/** From 5.12 onedb reads oned.conf; older sources need connection options this tool does not pass (docs/opennebula.md §2.3). */
export const MIN_FROM_VERSION = "5.12.0";

const exactlyOneMaster: ConfigRule = (c) => {
  const masters = c.zones.filter((z) => z.role === "master");
  if (masters.length === 1) return [];
  if (masters.length === 0) return ["zones: no zone has role master; exactly one zone must be the federation master"];
  return [`zones: ${masters.length} zones have role master (${masters.map(zoneLabel).join(", ")}); exactly one may`];
};

const uniqueIds: ConfigRule = (c) => duplicates(c.zones.map((z) => String(z.id))).map((id) => `zones: zone id ${id} is used more than once`);

const uniqueNames: ConfigRule = (c) => duplicates(c.zones.map((z) => z.name)).map((n) => `zones: zone name ${n} is used more than once`);

const uniqueEndpoints: ConfigRule = (c) =>
  duplicates(c.zones.map((z) => z.endpoint)).map((e) => `zones: endpoint ${e} is used by more than one zone; each zone has its own`);

const uniqueFrontends: ConfigRule = (c) =>
  duplicates(c.zones.flatMap((z) => z.frontends.map((f) => `${f.host}:${f.port}`))).map((hp) => `zones: front-end ${hp} is listed in more than one place`);

const versionsGoUp: ConfigRule = (c) => {
  const problems: string[] = [];
  if (compareVersions(c.toVersion, c.fromVersion) <= 0) {
    problems.push(`federation.toVersion: ${c.toVersion} is not above federation.fromVersion ${c.fromVersion}; downgrades and no-op runs are refused`);
  } else if (c.upgradeType === "A" && seriesOf(c.toVersion) !== seriesOf(c.fromVersion)) {
    problems.push(
      `federation.upgradeType: A (zone by zone) cannot take ${c.fromVersion} → ${c.toVersion}: the shared DB version changes across series, so slaves need the master's federated backup (type B); remove upgradeType or set B`,
    );
  }
  for (const [field, v] of [
    ["fromVersion", c.fromVersion],
    ["toVersion", c.toVersion],
  ] as const) {
    if (compareVersions(v, MIN_FROM_VERSION) >= 0 && !isCoveredSeries(v)) {
      problems.push(
        `federation.${field}: ${v} is in series ${seriesOf(v)}, which this tool does not cover (its DB versions, packages and services are known for ${COVERED_SERIES.join(", ")}); development and future releases are refused rather than guessed`,
      );
    }
  }
  if (compareVersions(c.fromVersion, MIN_FROM_VERSION) < 0) {
    problems.push(
      `federation.fromVersion: ${c.fromVersion} is older than ${MIN_FROM_VERSION}; before 5.12 onedb cannot read oned.conf and needs connection options this tool does not pass`,
    );
  }
  return problems;
};

const freezeFits: ConfigRule = (c) => {
  const problems: string[] = [];
  if (c.freeze.method === "onezone-disable" && compareVersions(c.fromVersion, ZONE_DISABLE_SINCE) < 0) {
    problems.push(`freeze.method: onezone-disable needs ${ZONE_DISABLE_SINCE} or later, but fromVersion is ${c.fromVersion}; use firewall (or leave it auto)`);
  }
  if (c.freeze.method === "none" && !c.freeze.acknowledgeNoFreeze) {
    problems.push("freeze.method: none leaves federated writes open during the upgrade; set freeze.acknowledgeNoFreeze: true to accept that");
  }
  return problems;
};

const filesExist: ConfigRule = (c) => {
  const problems: string[] = [];
  for (const [field, file] of [...privateKeyFiles(c), ["ssh.knownHostsPath", c.ssh.knownHostsPath] as const]) {
    try {
      if (!fs.statSync(file).isFile()) problems.push(`${field}: ${file} is not a regular file`);
      else fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      problems.push(`${field}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  return problems;
};

/** Every private key file the runner will read, once each, named by the first place that uses it. */
function privateKeyFiles(c: FederationConfig): Array<readonly [string, string]> {
  const files = new Map<string, string>();
  const add = (where: string, file: string | undefined) => file !== undefined && !files.has(file) && files.set(file, where);
  add("ssh.privateKeyPath", c.ssh.privateKeyPath);
  c.ssh.jump.forEach((hop, i) => add(`ssh.jump[${i}].privateKeyPath`, hop.privateKeyPath));
  for (const z of c.zones) {
    add(`${zoneLabel(z)}.ssh.privateKeyPath`, z.ssh.privateKeyPath);
    z.ssh.jump.forEach((hop, i) => add(`${zoneLabel(z)}.ssh.jump[${i}].privateKeyPath`, hop.privateKeyPath));
  }
  return [...files].map(([file, where]) => [where, file] as const);
}

const nodesFit: ConfigRule = (c) => {
  const problems: string[] = [];
  const frontends = new Set(c.zones.flatMap((z) => z.frontends.map((f) => `${f.host}:${f.port}`)));
  for (const z of c.zones) {
    if (z.nodes.length > 0 && !c.hosts.manage) {
      problems.push(`${zoneLabel(z)}.nodes: node packages are upgraded while the hosts are disabled and before onehost sync; set hosts.manage: true`);
    }
    for (const n of duplicates(z.nodes.map((n) => n.name))) problems.push(`${zoneLabel(z)}.nodes: host ${n} is listed more than once`);
    for (const n of z.nodes.filter((n) => frontends.has(`${n.host}:${n.port}`)))
      problems.push(
        `${zoneLabel(z)}.nodes: ${n.name} (${n.host}:${n.port}) is also a front-end; list a front-end that is a hypervisor as a node of its own address only once`,
      );
  }
  for (const hp of duplicates(c.zones.flatMap((z) => z.nodes.map((n) => `${n.host}:${n.port}`))))
    problems.push(`zones: node ${hp} is listed in more than one place`);
  return problems;
};

/** MySQL connection settings are all or nothing, and only for MySQL (checked on the file as written). */
export function databaseFits(doc: FederationFile): string[] {
  const problems: string[] = [];
  const backendOf = (d: FederationFile["database"]) => d?.backend ?? doc.database?.backend ?? "sqlite";
  const check = (where: string, d: FederationFile["database"], inherited: FederationFile["database"]) => {
    if (!d) return;
    const given = (["server", "user", "name"] as const).filter((k) => d[k] !== undefined || inherited?.[k] !== undefined);
    const mysqlOnly = (["server", "port", "user", "name", "passwordEnv"] as const).filter((k) => d[k] !== undefined);
    if (backendOf(d) !== "mysql" && mysqlOnly.length > 0) problems.push(`${where}: ${mysqlOnly.join(", ")} only apply to backend mysql`);
    else if (given.length > 0 && given.length < 3) {
      problems.push(
        `${where}: onedb connection settings need server, user and name together (missing ${(["server", "user", "name"] as const).filter((k) => !given.includes(k)).join(", ")}); or give none and onedb reads oned.conf`,
      );
    }
  };
  check("database", doc.database, undefined);
  for (const z of doc.zones) check(`zone ${z.id} (${z.name}).database`, z.database, doc.database);
  return problems;
}

/** A webhook needs one place to find its URL (checked on the file as written). */
export function notifyTargetFits(doc: FederationFile): string[] {
  const n = doc.notify;
  if (!n) return [];
  if (n.url !== undefined && n.urlEnv !== undefined) return ["notify: url and urlEnv are both set; keep one (urlEnv when the URL itself is the secret)"];
  if (n.url === undefined && n.urlEnv === undefined) return ["notify: needs url, or urlEnv naming the environment variable that holds it"];
  return [];
}

/** A repository given both as a file and as a command is ambiguous (checked on the file as written). */
export function repositoryEitherOr(doc: FederationFile): string[] {
  const both = (p: FederationFile["packages"]) => p?.repositoryLine !== undefined && p?.repositoryCommand !== undefined;
  return [
    ...(both(doc.packages) ? ["packages: repositoryLine and repositoryCommand are both set; keep one (the command replaces writing the file)"] : []),
    ...doc.zones.filter((z) => both(z.packages)).map((z) => `zone ${z.id} (${z.name}).packages: repositoryLine and repositoryCommand are both set; keep one`),
  ];
}

/** The window's zone must be one Intl knows, and it must open for some time. */
const windowFits: ConfigRule = (c) => {
  const w = c.window;
  if (!w) return [];
  const problems: string[] = [];
  if (!isTimeZone(w.timezone))
    problems.push(`window.timezone: ${w.timezone} is not an IANA time zone this Node.js knows (e.g. Europe/Paris, America/New_York, UTC)`);
  // Not uniqueItems in the schema: the generated check would need TypeBox's hash at run time.
  for (const day of duplicates([...w.days])) problems.push(`window.days: ${day} is listed more than once`);
  if (w.start === w.end) problems.push(`window: start and end are both ${w.start}; an overnight window ends at another time (e.g. start 22:00, end 06:00)`);
  return problems;
};

/**
 * A type B upgrade restores the master's federated backup into every slave, and onedb restores a
 * backup only into the backend it was taken from: a MySQL dump fed to sqlite3 fails statement by
 * statement, and onedb's SQLite path reports success whatever sqlite3 returned (docs/opennebula.md).
 */
const backendsMatchForTypeB: ConfigRule = (c) => {
  if (c.upgradeType !== "B") return [];
  const master = c.zones.find((z) => z.role === "master");
  if (!master) return [];
  return c.zones
    .filter((z) => z.role !== "master" && z.database.backend !== master.database.backend)
    .map(
      (z) =>
        `${zoneLabel(z)}.database: backend ${z.database.backend}, but the master ${zoneLabel(master)} is on ${master.database.backend}. ` +
        `A type B upgrade restores the master's federated backup (a ${master.database.backend} dump) into every slave, and onedb restores a backup only into the backend it came from. ` +
        `Convert the zones to one backend first (onedb sqlite2mysql moves an SQLite zone to MySQL), or correct the file if it does not match the zones' oned.conf`,
    );
};

export const semanticRules: readonly ConfigRule[] = [
  nodesFit,
  exactlyOneMaster,
  uniqueIds,
  uniqueNames,
  uniqueEndpoints,
  uniqueFrontends,
  versionsGoUp,
  freezeFits,
  backendsMatchForTypeB,
  filesExist,
  windowFits,
];

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}
