/**
 * Runs one step on one zone: the program every step resource's local-exec calls. It loads the
 * same federation file as the synth, talks SSH, and exits non-zero with one paragraph on failure.
 */
import { FederationConfig, NodeConfig, ZoneConfig, zoneLabel } from "../config/federation-config";
import { HypervisorNode } from "../opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../opennebula/frontend";
import { Deadline } from "../ssh/deadline";
import { SshSession } from "../ssh/ssh-session";
import { artifactPaths } from "../steps/artifact";
import { STEPS } from "../steps/catalog";
import { StepContext, StepName, StepOutcome } from "../steps/step";
import { ConnectedServer, primaryServer } from "../steps/ha-cluster";
import { connectFrontend, connectNode } from "./ssh-frontend";

export interface RunStepOptions {
  readonly config: FederationConfig;
  readonly step: StepName;
  readonly zone: ZoneConfig;
  /** Progress output. @default stdout */
  readonly log?: (line: string) => void;
}

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const { config, zone } = opts;
  const definition = STEPS[opts.step];
  const prefix = `[${opts.step} ${zoneLabel(zone)}]`;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const deadline = new Deadline(zone.stepTimeoutSeconds);
  const started = Date.now();
  const connections = new Map<string, Promise<{ frontend: OpenNebulaFrontend; session: SshSession }>>();
  const serverOf = async (z: ZoneConfig, index: number) => {
    const key = `${z.id}/${index}`;
    if (!connections.has(key)) connections.set(key, connectFrontend(config, z, deadline, (line) => log(`${prefix} ${line.trimStart()}`), index));
    return (await connections.get(key)!).frontend;
  };
  // Every handshake is started before any is awaited: an HA zone's servers connect in parallel.
  const serversOf = async (z: ZoneConfig): Promise<ConnectedServer[]> => {
    const frontends = await Promise.all(z.frontends.map((_, i) => serverOf(z, i)));
    return frontends.map((frontend, index) => ({ index, config: z.frontends[index], frontend }));
  };
  const primaries = new Map<number, Promise<ConnectedServer>>();
  const frontendOf = async (z: ZoneConfig) => {
    if (!primaries.has(z.id)) primaries.set(z.id, primaryServer(config, z, () => serversOf(z), opts.step));
    return (await primaries.get(z.id)!).frontend;
  };
  const nodes = new Map<string, Promise<{ node: HypervisorNode; session: SshSession }>>();
  const node = async (n: NodeConfig) => {
    const key = `${n.host}:${n.port}`;
    if (!nodes.has(key)) nodes.set(key, connectNode(config, zone, n, deadline, (line) => log(`${prefix} ${line.trimStart()}`)));
    return (await nodes.get(key)!).node;
  };
  const ctx: StepContext = {
    config,
    zone,
    artifact: artifactPaths(config),
    log: (line) => log(`${prefix} ${line.trimStart()}`),
    frontend: () => frontendOf(zone),
    servers: () => serversOf(zone),
    frontendOf,
    serverOf,
    serversOf,
    node,
  };
  log(`${prefix} ${definition.description}`);
  try {
    const outcome = await definition.run(ctx);
    log(`${prefix} ${outcome.status === "already-done" ? "already done" : "done"}: ${outcome.summary} (${Date.now() - started} ms)`);
    return outcome;
  } finally {
    await Promise.all([...connections.values(), ...nodes.values()].map((c) => c.then((x) => x.session.close(), () => undefined)));
  }
}
