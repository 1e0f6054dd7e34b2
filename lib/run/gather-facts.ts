/**
 * Read-only visit of every front-end: versions, DB, services, free disk, zone state, each HA
 * server's SERVER_ID and its zone's Raft view, and the master's zone list with FED_INDEX. Nothing
 * here changes anything on a zone.
 */
import { FederationConfig, hostPort, isHaZone, NodeConfig, ZoneConfig } from "../model/federation";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { unitsToStop } from "../remote/opennebula/services";
import { FederationFacts, FrontendFacts, NodeFacts, ZoneRaftFacts } from "../checks/facts";
import type { MachineOpeners } from "./connector";
import { settleRaftFacts } from "./raft";

async function nodeFacts(zone: ZoneConfig, node: NodeConfig, machines: MachineOpeners): Promise<NodeFacts> {
  const base = { zoneId: zone.id, name: node.name, host: hostPort(node) };
  try {
    return { ...base, nodeVersion: await (await machines.node(zone, node)).nodeVersion(node.hypervisor) };
  } catch (err) {
    return { ...base, error: message(err) };
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function frontendFacts(zone: ZoneConfig, index: number, config: FederationConfig, machines: MachineOpeners): Promise<FrontendFacts> {
  const ha = isHaZone(zone);
  const frontend = hostPort(zone.frontends[index]);
  let fe: OpenNebulaFrontend;
  try {
    fe = await machines.frontend(zone, index);
  } catch (err) {
    return { zoneId: zone.id, frontend, error: message(err) };
  }
  try {
    // Independent questions are asked together, so they share round trips (docs/round-trips.md):
    // the free space's `df` goes out with the unit states, once the directory's ancestors are known.
    const free = fe.freeBytes(config.backup.remoteDirectory);
    free.catch(() => undefined); // awaited below; an earlier failure must not leave it unhandled
    const [installedVersion, db, installedUnits, serverId, database] = await Promise.all([
      fe.installedVersion(),
      fe.dbVersion(),
      fe.installedUnits(),
      ha ? fe.federationSettings().then((f) => f.serverId) : undefined,
      fe.databaseSettings(),
    ]);
    const dbName = ha && zone.database.backend === "mysql" ? (database.name ?? "opennebula") : undefined;
    const services = await fe.unitStates(unitsToStop(installedVersion).filter((u) => installedUnits.has(u)));
    // onezone needs the local oned; a stopped zone simply has no answer here.
    const show = services["opennebula"] === "active" ? await fe.zoneShow(zone.id) : undefined;
    const freeBytes = await free;
    return {
      zoneId: zone.id,
      frontend,
      installedVersion,
      db,
      services,
      freeBytes,
      zoneEnabled: show?.enabled,
      serverId,
      dbBackend: database.backend,
      dbName,
      raftServers: ha ? show?.servers : undefined,
    };
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

/**
 * Gathers facts from `zones` (default: every zone) and their listed hypervisor hosts; the master's
 * zone list only when the master is among them. A machine that cannot be opened is a fact too.
 */
export async function gatherFacts(config: FederationConfig, machines: MachineOpeners, zones: readonly ZoneConfig[] = config.zones): Promise<FederationFacts> {
  const [frontends, nodes] = await Promise.all([
    Promise.all(zones.flatMap((z) => z.frontends.map((_, i) => frontendFacts(z, i, config, machines)))),
    Promise.all(zones.flatMap((z) => z.nodes.map((n) => nodeFacts(z, n, machines)))),
  ]);
  // Followers only behind the leader's COMMIT get the sync wait to catch up before the checks judge them.
  const raft = await Promise.all(
    zones.filter(isHaZone).map((z) => settleRaftFacts(z, raftFacts(z, frontends), (i) => machines.frontend(z, i), config.timeouts.syncWaitSeconds)),
  );
  const gatheredAt = new Date().toISOString();
  const masterServers = frontends.filter((f) => f.zoneId === config.master.id);
  if (masterServers.length === 0)
    return { gatheredAt, frontends, nodes, raft, masterZoneListError: "not gathered (the master is not among the zones checked)" };
  // Any running server of the master zone serves the list (an HA follower asks the same zones).
  const running = masterServers.findIndex((f) => !f.error && f.services?.["opennebula"] === "active");
  let masterZoneList;
  let masterZoneListError;
  if (running >= 0) {
    try {
      masterZoneList = await (await machines.frontend(config.master, running)).zoneList();
    } catch (err) {
      masterZoneListError = message(err);
    }
  } else {
    masterZoneListError = masterServers.some((f) => f.error) ? "the master's front-end could not be checked" : "oned is not running on the master";
  }
  return { gatheredAt, frontends, nodes, raft, masterZoneList, masterZoneListError };
}
