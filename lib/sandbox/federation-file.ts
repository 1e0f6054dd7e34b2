/** D/federation.yaml: the sandbox as the runner's federation file (paths relative to the file). */
import { SandboxRegistry } from "./registry";

/** Renders federation.yaml in the sandbox's fixed, flow-style layout. */
export function renderFederationFile(reg: SandboxRegistry): string {
  const idWidth = Math.max(...reg.zones.map((z) => `${z.id},`.length)) + 1;
  const roleWidth = "master,".length + 1;
  const f = reg.federation;
  const zones = reg.zones.map((z) => {
    const frontends = z.frontends.map((fe) => `{ host: ${fe.host}, port: ${fe.port} }`).join(", ");
    return `  - { id: ${`${z.id},`.padEnd(idWidth)}name: ${z.name}, role: ${`${z.role},`.padEnd(roleWidth)}endpoint: "${z.endpoint}", frontends: [ ${frontends} ] }`;
  });
  return [
    `federation: { name: ${f.name}, fromVersion: "${f.fromVersion}", toVersion: "${f.toVersion}" }`,
    "ssh: { user: onefed, privateKeyPath: ./keys/id_ed25519, knownHostsPath: ./known_hosts }",
    "backup: { localDirectory: ./artifacts }",
    "terraform: { stateFile: ./terraform.tfstate }",
    "zones:",
    ...zones,
    "",
  ].join("\n");
}
