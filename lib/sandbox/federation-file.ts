/** D/federation.yaml: the sandbox as the runner's federation file (paths relative to the file). */
import { SandboxRegistry, ZoneEntry, allNodes } from "./registry";

/** A RHEL-like zone's package manager and its hypervisor nodes, after the zone's front-ends. */
function zoneExtras(z: ZoneEntry): string {
  const packages = z.packageManager ? `, packages: { manager: ${z.packageManager} }` : "";
  const nodes = (z.nodes ?? []).map((n) => `{ name: ${n.hostName}, host: ${n.host}, port: ${n.port} }`);
  return packages + (nodes.length > 0 ? `, nodes: [ ${nodes.join(", ")} ]` : "");
}

/** Renders federation.yaml in the sandbox's fixed, flow-style layout. */
export function renderFederationFile(reg: SandboxRegistry): string {
  const idWidth = Math.max(...reg.zones.map((z) => `${z.id},`.length)) + 1;
  const roleWidth = "master,".length + 1;
  const f = reg.federation;
  const zones = reg.zones.map((z) => {
    const frontends = z.frontends.map((fe) => `{ host: ${fe.host}, port: ${fe.port} }`).join(", ");
    return `  - { id: ${`${z.id},`.padEnd(idWidth)}name: ${z.name}, role: ${`${z.role},`.padEnd(roleWidth)}endpoint: "${z.endpoint}", frontends: [ ${frontends} ]${zoneExtras(z)} }`;
  });
  return [
    `federation: { name: ${f.name}, fromVersion: "${f.fromVersion}", toVersion: "${f.toVersion}" }`,
    "ssh: { user: onefed, privateKeyPath: ./keys/id_ed25519, knownHostsPath: ./known_hosts }",
    "backup: { localDirectory: ./artifacts }",
    "terraform: { stateFile: ./terraform.tfstate }",
    // Node packages are upgraded while the zone's hosts are disabled (the tool requires it).
    ...(allNodes(reg).length > 0 ? ["hosts: { manage: true }"] : []),
    "zones:",
    ...zones,
    "",
  ].join("\n");
}
