/** D/federation.yaml: the sandbox as the runner's federation file (paths relative to the file). */
import { KEYS_DIR, SANDBOX_DB_PASSWORD_ENV, SANDBOX_DIR, SANDBOX_USER } from "./contract";
import { MYSQL } from "./mysql";
import { SandboxRegistry, ZoneEntry, allNodes } from "./registry";

/** The tool's database settings for the sandbox's MySQL stand-in; the password comes from the environment. */
const MYSQL_DATABASE = `database: { backend: mysql, server: ${MYSQL.server}, port: ${MYSQL.port}, user: ${MYSQL.user}, name: ${MYSQL.dbName}, passwordEnv: ${SANDBOX_DB_PASSWORD_ENV} }`;

/**
 * A RHEL-like zone's package manager, its hypervisor nodes, and (some zones MySQL-configured, not
 * all) a MySQL zone's database override, after the zone's front-ends.
 */
function zoneExtras(z: ZoneEntry, perZoneDatabase: boolean): string {
  const database = perZoneDatabase && z.dbBackend === "mysql" ? `, ${MYSQL_DATABASE}` : "";
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
    return `  - { id: ${`${z.id},`.padEnd(idWidth)}name: ${z.name}, role: ${`${z.role},`.padEnd(roleWidth)}endpoint: "${z.endpoint}", frontends: [ ${frontends} ]${zoneExtras(z, mysqlZones > 0 && !allMysql)} }`;
  });
  return [
    `federation: { name: ${f.name}, fromVersion: "${f.fromVersion}", toVersion: "${f.toVersion}" }`,
    `ssh: { user: ${SANDBOX_USER}, privateKeyPath: ./${SANDBOX_DIR.keys}/${KEYS_DIR.privateKey}, knownHostsPath: ./${SANDBOX_DIR.knownHosts}${jumpOf(reg)} }`,
    `backup: { localDirectory: ./${SANDBOX_DIR.artifacts} }`,
    "terraform: { stateFile: ./terraform.tfstate }",
    // Node packages are upgraded while the zone's hosts are disabled (the tool requires it).
    ...(allNodes(reg).length > 0 ? ["hosts: { manage: true }"] : []),
    ...(allMysql ? [MYSQL_DATABASE] : []),
    "zones:",
    ...zones,
    "",
  ].join("\n");
}
