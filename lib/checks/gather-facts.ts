/**
 * Read-only visit of every front-end: versions, DB, services, free disk, zone state, and the
 * master's zone list with FED_INDEX. Nothing here changes anything on a zone.
 */
import { FederationConfig, ZoneConfig } from "../config/federation-config";
import { OpenNebulaFrontend } from "../opennebula/frontend";
import { unitsToStop } from "../opennebula/services";
import { FederationFacts, FrontendFacts } from "./facts";

/** Connects to a zone's front-end (pinned host key); rejects when it cannot. */
export type ConnectZone = (zone: ZoneConfig) => Promise<OpenNebulaFrontend>;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function frontendFacts(zone: ZoneConfig, config: FederationConfig, connect: ConnectZone): Promise<FrontendFacts> {
  const frontend = `${zone.frontends[0].host}:${zone.frontends[0].port}`;
  let fe: OpenNebulaFrontend;
  try {
    fe = await connect(zone);
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
    const zoneEnabled = services["opennebula"] === "active" ? (await fe.zoneShow(zone.id)).enabled : undefined;
    return { zoneId: zone.id, frontend, installedVersion, db, services, freeBytes, zoneEnabled };
  } catch (err) {
    return { zoneId: zone.id, frontend, error: message(err) };
  }
}

/** Gathers facts from `zones` (default: every zone); the master's zone list only when the master is among them. */
export async function gatherFacts(config: FederationConfig, connect: ConnectZone, zones: readonly ZoneConfig[] = config.zones): Promise<FederationFacts> {
  const frontends = await Promise.all(zones.map((z) => frontendFacts(z, config, connect)));
  const masterFacts = frontends.find((f) => f.zoneId === config.master.id);
  if (!masterFacts) return { gatheredAt: new Date().toISOString(), frontends, masterZoneListError: "not gathered (the master is not among the zones checked)" };
  let masterZoneList;
  let masterZoneListError;
  if (masterFacts && !masterFacts.error && masterFacts.services?.["opennebula"] === "active") {
    try {
      masterZoneList = await (await connect(config.master)).zoneList();
    } catch (err) {
      masterZoneListError = message(err);
    }
  } else {
    masterZoneListError = masterFacts?.error ? "the master's front-end could not be checked" : "oned is not running on the master";
  }
  return { gatheredAt: new Date().toISOString(), frontends, masterZoneList, masterZoneListError };
}
