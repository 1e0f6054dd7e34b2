/**
 * Builds a step's view of the federation on a Connector: the runner's opens SSH sessions, a unit
 * test's wraps scripted transports. Every machine is opened once per step, and the zone's speaking
 * front-end is resolved by the same rule either way (raft.ts primaryServer).
 */
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { ConnectedServer, primaryServer } from "./raft";
import { EMPTY_LEDGER, LedgerSnapshot } from "../model/ledger";
import { StepName } from "../model/steps";
import { StepContext } from "./step";
import { artifactPaths } from "../model/paths";
import { Connector, MachineOpeners } from "./connector";

/** `machines`: the runner's Connector (which it closes), or scripted openers for a unit test. */
export function buildStepContext(
  config: FederationConfig,
  zone: ZoneConfig,
  step: StepName | "rollback",
  log: (line: string) => void,
  machines: Connector | MachineOpeners,
  /** The ledger as read when the step started. @default EMPTY_LEDGER */
  ledger: LedgerSnapshot = EMPTY_LEDGER,
): StepContext {
  const connector = machines instanceof Connector ? machines : Connector.scripted(machines);
  const serverOf = (z: ZoneConfig, index: number) => connector.frontend(z, index);
  // Every handshake is started before any is awaited: an HA zone's servers connect in parallel.
  const serversOf = async (z: ZoneConfig): Promise<ConnectedServer[]> => {
    const all = await Promise.all(z.frontends.map((_, i) => serverOf(z, i)));
    return all.map((frontend, index) => ({ index, config: z.frontends[index], frontend }));
  };
  const primaries = new Map<number, Promise<ConnectedServer>>();
  const frontendOf = async (z: ZoneConfig) => {
    if (!primaries.has(z.id))
      primaries.set(
        z.id,
        primaryServer(config, z, () => serversOf(z), step, ledger),
      );
    return (await primaries.get(z.id)!).frontend;
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
    node: (n: NodeConfig, z: ZoneConfig = zone) => connector.node(z, n),
    ledger,
    rerun: step === "rollback" ? "run `onefed rollback` again" : "run the deploy again",
  };
}
