/** D/federation.yaml: the sandbox as the runner's federation file (paths relative to the file). */
import { KEYS_DIR, SANDBOX_DB_PASSWORD_ENV, SANDBOX_DIR, SANDBOX_USER } from "./contract";
import { MYSQL } from "./mysql";
import { SandboxRegistry, ZoneEntry, allNodes } from "./registry";

/** The tool's database settings for MySQL zones; the password comes from the environment. */
const MYSQL_BACKEND = `backend: mysql, passwordEnv: ${SANDBOX_DB_PASSWORD_ENV}`;

/**
 * A MySQL zone's onedb connection: its front-end's own server. An HA zone's servers each have their
 * own, which one zone-wide setting cannot name: there onedb reads every server's oned.conf.
 */
function zoneConnection(z: ZoneEntry): string[] {
  return z.ha ? [] : [`server: ${z.frontends[0].host}, port: ${MYSQL.port}, user: ${MYSQL.user}, name: ${MYSQL.dbName}`];
}

/**
 * A RHEL-like zone's package manager, its hypervisor nodes, and a MySQL zone's database settings
 * (the backend too when not every zone is MySQL), after the zone's front-ends.
 */
function zoneExtras(z: ZoneEntry, allMysql: boolean): string {
  const settings = z.dbBackend === "mysql" ? [...(allMysql ? [] : [MYSQL_BACKEND]), ...zoneConnection(z)] : [];
  const database = settings.length > 0 ? `, database: { ${settings.join(", ")} }` : "";
  const packages = z.packageManager ? `, packages: { manager: ${z.packageManager} }` : "";
  const nodes = (z.nodes ?? []).map((n) => `{ name: ${n.hostName}, host: ${n.host}, port: ${n.port} }`);
  return database + packages + (nodes.length > 0 ? `, nodes: [ ${nodes.join(", ")} ]` : "");
}

/** A sandbox with a jump host reaches every machine through it. */
function jumpOf(reg: SandboxRegistry): string {
  return reg.jumpHost ? `, jump: [ { host: ${reg.jumpHost.host}, port: ${reg.jumpHost.port} } ]` : "";
}

/** Renders federation.yaml in the sandbox's fixed, flow-style layout. */
export function renderFederationFile(reg: SandboxRegistry): string {
  const idWidth = Math.max(...reg.zones.map((z) => `${z.id},`.length)) + 1;
  const roleWidth = "master,".length + 1;
  const f = reg.federation;
  const mysqlZones = reg.zones.filter((z) => z.dbBackend === "mysql").length;
  const allMysql = mysqlZones === reg.zones.length;
  const zones = reg.zones.map((z) => {
    const frontends = z.frontends.map((fe) => `{ host: ${fe.host}, port: ${fe.port} }`).join(", ");
    return `  - { id: ${`${z.id},`.padEnd(idWidth)}name: ${z.name}, role: ${`${z.role},`.padEnd(roleWidth)}endpoint: "${z.endpoint}", frontends: [ ${frontends} ]${zoneExtras(z, allMysql)} }`;
  });
  return [
    `federation: { name: ${f.name}, fromVersion: "${f.fromVersion}", toVersion: "${f.toVersion}" }`,
    `ssh: { user: ${SANDBOX_USER}, privateKeyPath: ./${SANDBOX_DIR.keys}/${KEYS_DIR.privateKey}, knownHostsPath: ./${SANDBOX_DIR.knownHosts}${jumpOf(reg)} }`,
    `backup: { localDirectory: ./${SANDBOX_DIR.artifacts} }`,
    "terraform: { stateFile: ./terraform.tfstate }",
    // Node packages are upgraded while the zone's hosts are disabled (the tool requires it).
    ...(allNodes(reg).length > 0 ? ["hosts: { manage: true }"] : []),
    ...(allMysql ? [`database: { ${MYSQL_BACKEND} }`] : []),
    "zones:",
    ...zones,
    "",
  ].join("\n");
}
