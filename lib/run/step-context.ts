/**
 * Builds a step's view of the federation from two ways of opening machines: the runner passes SSH
 * connections, unit tests pass scripted transports. Every machine is opened once per step, and
 * the zone's speaking front-end is resolved by the same rule either way (ha-cluster.ts).
 */
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { ConnectedServer, primaryServer } from "./raft";
import { StepName } from "../model/steps";
import { StepContext } from "./step";
import { artifactPaths } from "../model/paths";

export interface MachineOpeners {
  /** Opens a zone's front-end by its position in federation.yaml. */
  readonly frontend: (zone: ZoneConfig, index: number) => Promise<OpenNebulaFrontend>;
  /** Opens one of a zone's listed hypervisor hosts. */
  readonly node: (zone: ZoneConfig, node: NodeConfig) => Promise<HypervisorNode>;
}

export function buildStepContext(config: FederationConfig, zone: ZoneConfig, step: StepName, log: (line: string) => void, open: MachineOpeners): StepContext {
  const frontends = new Map<string, Promise<OpenNebulaFrontend>>();
  const serverOf = (z: ZoneConfig, index: number) => {
    const key = `${z.id}/${index}`;
    if (!frontends.has(key)) frontends.set(key, open.frontend(z, index));
    return frontends.get(key)!;
  };
  // Every handshake is started before any is awaited: an HA zone's servers connect in parallel.
  const serversOf = async (z: ZoneConfig): Promise<ConnectedServer[]> => {
    const all = await Promise.all(z.frontends.map((_, i) => serverOf(z, i)));
    return all.map((frontend, index) => ({ index, config: z.frontends[index], frontend }));
  };
  const primaries = new Map<number, Promise<ConnectedServer>>();
  const frontendOf = async (z: ZoneConfig) => {
    if (!primaries.has(z.id)) primaries.set(z.id, primaryServer(config, z, () => serversOf(z), step));
    return (await primaries.get(z.id)!).frontend;
  };
  const nodes = new Map<string, Promise<HypervisorNode>>();
  const node = (n: NodeConfig, z: ZoneConfig = zone) => {
    const key = `${n.host}:${n.port}`;
    if (!nodes.has(key)) nodes.set(key, open.node(z, n));
    return nodes.get(key)!;
  };
  return {
    config,
    zone,
    artifact: artifactPaths(config),
    log,
    frontend: () => frontendOf(zone),
    servers: () => serversOf(zone),
    frontendOf,
    serverOf,
    serversOf,
    node,
  };
}
