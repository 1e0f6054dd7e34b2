/** Opens a zone's front-end (or hypervisor host) over SSH and wraps it in its OpenNebula adapter. */
import * as fs from "fs";
import { FederationConfig, NodeConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { OnefedError } from "../model/errors";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { SshTargetLabel } from "../remote/ssh/errors";
import { Deadline } from "../remote/ssh/deadline";
import { readKnownHosts } from "../remote/ssh/known-hosts";
import { SshSession } from "../remote/ssh/ssh-session";

export async function connectFrontend(
  config: FederationConfig,
  zone: ZoneConfig,
  deadline: Deadline,
  log: (line: string) => void,
  /** Which of the zone's front-ends (HA zones have several). @default 0 */
  index = 0,
): Promise<{ frontend: OpenNebulaFrontend; session: SshSession }> {
  const fe = zone.frontends[index];
  const dbPassword = databasePassword(zone);
  const target = { host: fe.host, port: fe.port, zone: zoneLabel(zone) };
  const session = await openSession(config, target, deadline);
  return { session, frontend: new OpenNebulaFrontend(session, target, zone.packages.manager, log, dbPassword, zone.database.connection) };
}

/** Opens one of the zone's hypervisor hosts (same user, key and pinned known_hosts as the front-ends). */
export async function connectNode(
  config: FederationConfig,
  zone: ZoneConfig,
  node: NodeConfig,
  deadline: Deadline,
  log: (line: string) => void,
): Promise<{ node: HypervisorNode; session: SshSession }> {
  const target = { host: node.host, port: node.port, zone: `${zoneLabel(zone)} host ${node.name}` };
  const session = await openSession(config, target, deadline);
  return { session, node: new HypervisorNode(session, target, zone.packages.manager, log) };
}

async function openSession(config: FederationConfig, target: SshTargetLabel, deadline: Deadline): Promise<SshSession> {
  let privateKey: Buffer;
  let knownHosts;
  try {
    privateKey = fs.readFileSync(config.ssh.privateKeyPath);
    knownHosts = readKnownHosts(config.ssh.knownHostsPath);
  } catch (err) {
    throw new OnefedError(`cannot read the SSH key or known_hosts file: ${(err as Error).message}. Check ssh.privateKeyPath and ssh.knownHostsPath.`);
  }
  return SshSession.connect({
    target,
    user: config.ssh.user,
    privateKey,
    knownHosts,
    knownHostsPath: config.ssh.knownHostsPath,
    connectTimeoutSeconds: config.ssh.connectTimeoutSeconds,
    keepaliveIntervalSeconds: config.ssh.keepaliveIntervalSeconds,
    deadline,
  });
}

/** The MySQL password from the variable (zones[].)database.passwordEnv names; checked before any connection. */
export function databasePassword(zone: Pick<ZoneConfig, "database">): string | undefined {
  const name = zone.database.passwordEnv;
  if (!name) return undefined;
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new OnefedError(
      `database.passwordEnv names ${name}, but ${name} is not set in the environment of the automation host. Export it (from your secret store) before the deploy; it reaches onedb on stdin only. Nothing was changed.`,
      2,
    );
  }
  return value;
}
