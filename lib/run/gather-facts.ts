/**
 * Read-only visit of every front-end: versions, DB, services, free disk, zone state, each HA
 * server's SERVER_ID and its zone's Raft view, and the master's zone list with FED_INDEX. Nothing
 * here changes anything on a zone.
 */
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { unitsToStop } from "../remote/opennebula/services";
import { FederationFacts, FrontendFacts, NodeFacts, ZoneRaftFacts } from "../checks/facts";

/** Connects to one front-end of a zone (pinned host key); rejects when it cannot. */
export type ConnectServer = (zone: ZoneConfig, index: number) => Promise<OpenNebulaFrontend>;
/** Connects to one of a zone's listed hypervisor hosts (pinned host key); rejects when it cannot. */
export type ConnectNode = (zone: ZoneConfig, node: NodeConfig) => Promise<HypervisorNode>;

async function nodeFacts(zone: ZoneConfig, node: NodeConfig, connect: ConnectNode): Promise<NodeFacts> {
  const base = { zoneId: zone.id, name: node.name, host: `${node.host}:${node.port}` };
  try {
    return { ...base, nodeVersion: await (await connect(zone, node)).nodeVersion(node.hypervisor) };
  } catch (err) {
    return { ...base, error: message(err) };
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function frontendFacts(zone: ZoneConfig, index: number, config: FederationConfig, connect: ConnectServer): Promise<FrontendFacts> {
  const ha = zone.frontends.length > 1;
  const frontend = `${zone.frontends[index].host}:${zone.frontends[index].port}`;
  let fe: OpenNebulaFrontend;
  try {
    fe = await connect(zone, index);
  } catch (err) {
    return { zoneId: zone.id, frontend, error: message(err) };
  }
  try {
    const installedVersion = await fe.installedVersion();
    const db = await fe.dbVersion();
    const installedUnits = await fe.installedUnits();
    const services = await fe.unitStates(unitsToStop(installedVersion).filter((u) => installedUnits.has(u)));
    const freeBytes = await fe.freeBytes(config.backup.remoteDirectory);
    // onezone needs the local oned; a stopped zone simply has no answer here.
    const show = services["opennebula"] === "active" ? await fe.zoneShow(zone.id) : undefined;
    const serverId = ha ? (await fe.federationSettings()).serverId : undefined;
    const dbName = ha && zone.database.backend === "mysql" ? await fe.dbName() : undefined;
    return { zoneId: zone.id, frontend, installedVersion, db, services, freeBytes, zoneEnabled: show?.enabled, serverId, dbName, raftServers: ha ? show?.servers : undefined };
  } catch (err) {
    return { zoneId: zone.id, frontend, error: message(err) };
  }
}

/** An HA zone's Raft view: the first server whose oned answered `onezone show`. */
function raftFacts(zone: ZoneConfig, frontends: readonly FrontendFacts[]): ZoneRaftFacts {
  const mine = frontends.filter((f) => f.zoneId === zone.id);
  const answered = mine.find((f) => f.raftServers);
  return {
    zoneId: zone.id,
    serverIds: Object.fromEntries(mine.filter((f) => f.serverId !== undefined).map((f) => [f.frontend, f.serverId!])),
    askedAt: answered?.frontend,
    servers: answered?.raftServers,
  };
}

/** Gathers facts from `zones` (default: every zone); the master's zone list only when the master is among them. */
export async function gatherFacts(config: FederationConfig, connect: ConnectServer, zones: readonly ZoneConfig[] = config.zones, connectNode?: ConnectNode): Promise<FederationFacts> {
  const [frontends, nodes] = await Promise.all([
    Promise.all(zones.flatMap((z) => z.frontends.map((_, i) => frontendFacts(z, i, config, connect)))),
    connectNode ? Promise.all(zones.flatMap((z) => z.nodes.map((n) => nodeFacts(z, n, connectNode)))) : Promise.resolve([]),
  ]);
  const raft = zones.filter((z) => z.frontends.length > 1).map((z) => raftFacts(z, frontends));
  const gatheredAt = new Date().toISOString();
  const masterServers = frontends.filter((f) => f.zoneId === config.master.id);
  if (masterServers.length === 0) return { gatheredAt, frontends, nodes, raft, masterZoneListError: "not gathered (the master is not among the zones checked)" };
  // Any running server of the master zone serves the list (an HA follower asks the same zones).
  const running = masterServers.findIndex((f) => !f.error && f.services?.["opennebula"] === "active");
  let masterZoneList;
  let masterZoneListError;
  if (running >= 0) {
    try {
      masterZoneList = await (await connect(config.master, running)).zoneList();
    } catch (err) {
      masterZoneListError = message(err);
    }
  } else {
    masterZoneListError = masterServers.some((f) => f.error) ? "the master's front-end could not be checked" : "oned is not running on the master";
  }
  return { gatheredAt, frontends, nodes, raft, masterZoneList, masterZoneListError };
}
