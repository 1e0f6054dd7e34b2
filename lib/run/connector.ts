/**
 * Opens the machines a step works on: a zone's front-ends and hypervisor hosts, over SSH, each
 * wrapped in its OpenNebula adapter. The Connector opens each one once and closes them all at the end
 * (a step process), or borrows them from the warm runner's pool, which outlives the step.
 */
import { FederationConfig, hostPort, NodeConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { OnefedError } from "../model/errors";
import { PROCESS_SECRETS } from "../model/secrets";
import { CommandObserver } from "../remote/opennebula/command-observer";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { SshTargetLabel } from "../remote/ssh/errors";
import { Deadline } from "../remote/ssh/deadline";
import { readKnownHosts } from "../remote/ssh/known-hosts";
import { SshSession } from "../remote/ssh/ssh-session";
import { ExecScope } from "../remote/ssh/exec-scope";
import { SessionPool } from "../remote/ssh/session-pool";
import { Transport } from "../remote/opennebula/remote-machine";
import { routeTo } from "./ssh-routes";

/** How machines are opened: over SSH in a run (Connector.overSsh), by a script in unit tests. */
export interface MachineOpeners {
  /** Opens a zone's front-end by its position in federation.yaml. */
  frontend(zone: ZoneConfig, index: number): Promise<OpenNebulaFrontend>;
  /** Opens one of a zone's listed hypervisor hosts. */
  node(zone: ZoneConfig, node: NodeConfig): Promise<HypervisorNode>;
}

/** A machine being opened: its adapter, and the SSH session to close at the end (none when scripted). */
type Opening<T> = Promise<{ readonly machine: T; readonly session?: SshSession }>;

/**
 * A step's (or the drift check's) machines: each front-end (by zone and position) and each
 * hypervisor host (by host:port) is opened on first use and only once, also when several callers
 * ask at the same time, and close() closes every one of them.
 */
export class Connector implements MachineOpeners {
  /** Over SSH with each zone's login and jump hosts and the pinned known_hosts; every handshake within `deadline`; `observer` follows every command. */
  static overSsh(config: FederationConfig, deadline: Deadline, log: (line: string) => void, observer?: CommandObserver): Connector {
    return new Connector(
      (zone, index) => connectFrontend(config, zone, deadline, log, index, observer).then((c) => ({ machine: c.frontend, session: c.session })),
      (zone, node) => connectNode(config, zone, node, deadline, log, observer).then((c) => ({ machine: c.node, session: c.session })),
    );
  }

  /**
   * Over the warm runner's shared connections: every command of the step runs within `scope` (its
   * deadline, its stop); the connections stay open for the next step, and a dead one is opened anew.
   */
  static pooled(config: FederationConfig, pool: SessionPool, scope: ExecScope, log: (line: string) => void, observer?: CommandObserver): Connector {
    const borrow = async (zone: ZoneConfig, target: SshTargetLabel): Promise<Transport> => {
      const session = () => pool.get(`${zone.id}/${target.host}:${target.port}`, () => openSession(config, zone, target, scope.deadline));
      // Connected now, not at the first command: an unreachable machine or a changed host key fails here, as over a step's own session.
      await session();
      // The machine's facts, kept between steps until an action there (lib/remote/ssh/fact-cache.ts);
      // read per route, forgotten by an action through any route to the same address.
      const facts = pool.facts(`${target.host}:${target.port}`);
      const route = `${zone.id}/${target.host}:${target.port}`;
      return {
        exec: async (line, stdin, onLine) => (await session()).exec(line, stdin, onLine, scope),
        upload: async (local, remote) => (await session()).upload(local, remote, scope),
        download: async (remote, local) => (await session()).download(remote, local, scope),
        facts: { read: (key, live, kind) => facts.read(`${route} ${key}`, live, kind), action: (run, changes) => facts.action(run, changes) },
      };
    };
    return new Connector(
      async (zone, index) => {
        databasePassword(zone); // checked before any connection
        return { machine: frontendOver(await borrow(zone, frontendTarget(zone, index)), zone, index, log, observer) };
      },
      async (zone, node) => {
        const target = nodeTarget(zone, node);
        return { machine: new HypervisorNode(await borrow(zone, target), target, zone.packages.manager, log, observer) };
      },
    );
  }

  /** Over scripted openers (unit tests): nothing to close. */
  static scripted(open: MachineOpeners): Connector {
    return new Connector(
      (zone, index) => open.frontend(zone, index).then((machine) => ({ machine })),
      (zone, node) => open.node(zone, node).then((machine) => ({ machine })),
    );
  }

  private readonly frontends = new Map<string, Opening<OpenNebulaFrontend>>();
  private readonly nodes = new Map<string, Opening<HypervisorNode>>();

  private constructor(
    private readonly openFrontend: (zone: ZoneConfig, index: number) => Opening<OpenNebulaFrontend>,
    private readonly openNode: (zone: ZoneConfig, node: NodeConfig) => Opening<HypervisorNode>,
  ) {}

  /** A zone's front-end by its position in federation.yaml, opened on first use. */
  async frontend(zone: ZoneConfig, index: number): Promise<OpenNebulaFrontend> {
    const key = `${zone.id}/${index}`;
    if (!this.frontends.has(key)) this.frontends.set(key, this.openFrontend(zone, index));
    return (await this.frontends.get(key)!).machine;
  }

  /** One of a zone's listed hypervisor hosts, opened on first use. */
  async node(zone: ZoneConfig, node: NodeConfig): Promise<HypervisorNode> {
    const key = hostPort(node);
    if (!this.nodes.has(key)) this.nodes.set(key, this.openNode(zone, node));
    return (await this.nodes.get(key)!).machine;
  }

  /** Closes every session, once those still connecting have settled; one that failed to open has nothing to close. */
  async close(): Promise<void> {
    const openings: Array<Opening<unknown>> = [...this.frontends.values(), ...this.nodes.values()];
    await Promise.all(
      openings.map((o) =>
        o.then(
          (c) => c.session?.close(),
          () => undefined,
        ),
      ),
    );
  }
}

/** One front-end over SSH, outside any Connector: the caller closes the session. */
export async function connectFrontend(
  config: FederationConfig,
  zone: ZoneConfig,
  deadline: Deadline,
  log: (line: string) => void,
  /** Which of the zone's front-ends (HA zones have several). @default 0 */
  index = 0,
  /** Follows every command as it runs (the step's console lines, logs and events). @default none */
  observer?: CommandObserver,
): Promise<{ frontend: OpenNebulaFrontend; session: SshSession }> {
  databasePassword(zone); // checked before any connection
  const session = await openSession(config, zone, frontendTarget(zone, index), deadline);
  return { session, frontend: frontendOver(session, zone, index, log, observer) };
}

function frontendTarget(zone: ZoneConfig, index: number): SshTargetLabel {
  const fe = zone.frontends[index];
  return { host: fe.host, port: fe.port, zone: zoneLabel(zone) };
}

function nodeTarget(zone: ZoneConfig, node: NodeConfig): SshTargetLabel {
  return { host: node.host, port: node.port, zone: `${zoneLabel(zone)} host ${node.name}` };
}

/** A front-end's adapter over a transport (its own session, or a pooled one). */
function frontendOver(transport: Transport, zone: ZoneConfig, index: number, log: (line: string) => void, observer?: CommandObserver): OpenNebulaFrontend {
  return new OpenNebulaFrontend(transport, frontendTarget(zone, index), zone.packages.manager, log, databasePassword(zone), zone.database.connection, observer);
}

/** Opens one of the zone's hypervisor hosts (same login, jump hosts and pinned known_hosts as the front-ends). */
async function connectNode(
  config: FederationConfig,
  zone: ZoneConfig,
  node: NodeConfig,
  deadline: Deadline,
  log: (line: string) => void,
  observer?: CommandObserver,
): Promise<{ node: HypervisorNode; session: SshSession }> {
  const target = nodeTarget(zone, node);
  const session = await openSession(config, zone, target, deadline);
  return { session, node: new HypervisorNode(session, target, zone.packages.manager, log, observer) };
}

/**
 * Logs in to a machine of the zone: through each of the zone's jump hosts in turn (each verified
 * against known_hosts like a front-end), then to the machine over the last hop's forwarding.
 */
async function openSession(config: FederationConfig, zone: ZoneConfig, target: SshTargetLabel, deadline: Deadline): Promise<SshSession> {
  const route = routeTo(config, zone);
  let knownHosts;
  try {
    knownHosts = readKnownHosts(config.ssh.knownHostsPath);
  } catch (err) {
    throw new OnefedError(`cannot read the SSH key or known_hosts file: ${(err as Error).message}. Check ssh.privateKeyPath and ssh.knownHostsPath.`);
  }
  const common = {
    knownHosts,
    knownHostsPath: config.ssh.knownHostsPath,
    connectTimeoutSeconds: config.ssh.connectTimeoutSeconds,
    keepaliveIntervalSeconds: config.ssh.keepaliveIntervalSeconds,
    deadline,
  };
  let via: SshSession | undefined;
  // Each hop's session owns the one before it: closing the machine's session closes the chain.
  for (const hop of route.hops) via = await SshSession.connect({ ...common, target: hop.target, credentials: hop.credentials, via });
  return SshSession.connect({ ...common, target, credentials: route.credentials, via });
}

/**
 * The MySQL password from the variable (zones[].)database.passwordEnv names; checked before any
 * connection, and registered as a secret of the process from the moment it is read.
 */
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
  PROCESS_SECRETS.add(value);
  return value;
}

/**
 * Registers every zone's DB password that is set, before any step talks to any machine: whatever
 * zone a message comes from, no password the environment gave this process leaves it.
 */
export function registerDatabasePasswords(config: FederationConfig): void {
  for (const z of config.zones) if (z.database.passwordEnv) PROCESS_SECRETS.add(process.env[z.database.passwordEnv]);
}
