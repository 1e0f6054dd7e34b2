/**
 * The federation as oned sees it: FED_INDEX of a zone (one.zone.raftstatus through its endpoint)
 * and the master's push of federated records to the slaves (FedReplicaManager).
 */
import { EmulatorContext } from "./context";
import { FrontendEntry } from "../registry";
import { ZONE_PROBE_TIMEOUT_SECONDS, connect } from "./oned-link";
import { onedLog } from "./oned";
import { lastFedIndex, probeFederation, replicate } from "../one-db";
import { raftAppend } from "../raft";

/** UINT64_MAX: what a federated zone with no federated record yet reports. */
const NO_RECORD = "18446744073709551615";

/** Last federated index per database seen by this (one-command) process; spares sqlite3 runs. */
const lastSeen = new Map<string, number>();

/** A front-end's last federated index (-1 without records), from this process's cache when it has it. */
export function lastFedIndexOf(ctx: EmulatorContext, fe: FrontendEntry): number {
  const db = ctx.dbOf(fe.name);
  const last = lastSeen.get(db) ?? lastFedIndex(db) ?? -1;
  lastSeen.set(db, last);
  return last;
}

/** FEDLOG_INDEX as raftstatus prints it: UINT64_MAX for a federated zone without records. */
export function fedLogIndexText(last: number): string {
  return last < 0 ? NO_RECORD : String(last);
}

/**
 * FED_INDEX column value for a zone endpoint: one.zone.raftstatus through a client with a 5 s
 * timeout, so a zone that accepts and never answers costs the CLI 5 s; "-" on any error (refused,
 * timed out, HTTP 404 for a path other than /RPC2).
 */
export function fedIndexAt(ctx: EmulatorContext, endpoint: string): string {
  const conn = connect(ctx, endpoint, ctx.self, ZONE_PROBE_TIMEOUT_SECONDS);
  if ("error" in conn) return "-";
  try {
    return fedLogIndexText(lastFedIndexOf(ctx, conn.fe));
  } catch {
    return "-";
  }
}

/**
 * Brings every running, reachable, unblocked slave with the master's shared version up to the
 * master's last federated record. Called whenever the master's oned serves a request. The master
 * is the master zone's leader; Raft spreads the records to its followers, and an HA slave zone
 * (which needs a leader to take them) to all its alive servers.
 */
export function replicateFromMaster(ctx: EmulatorContext): void {
  const masterZone = ctx.masterZone();
  const master = ctx.leaderOf(masterZone.id);
  if (!master || !ctx.onedActive(master.name)) return;
  const masterDb = ctx.dbOf(master.name);
  const m = probeFederation(masterDb);
  lastSeen.set(masterDb, m.last);
  for (const zone of ctx.registry.zones) {
    const leader = zone.ha && zone.id !== masterZone.id ? ctx.leaderOf(zone.id) : undefined;
    const targets = zone.id === masterZone.id ? zone.frontends.filter((fe) => fe.name !== master.name) : !zone.ha || leader ? zone.frontends : [];
    let appended = 0;
    for (const fe of targets) {
      const st = ctx.state(fe.name);
      // A hung oned takes no records either.
      if (!st.reachable || st.replicationBlocked || st.hung || st.services["opennebula.service"] !== "active") continue;
      const slaveDb = ctx.dbOf(fe.name);
      const s = probeFederation(slaveDb);
      lastSeen.set(slaveDb, s.last);
      if (s.shared !== m.shared || s.last >= m.last) continue;
      const result = replicate(masterDb, slaveDb, m.last, s.last);
      if (result.outcome === "replicated") {
        lastSeen.set(slaveDb, m.last);
        // What this copy itself appended, not what its view lacked: a concurrent replication may
        // already have appended some of those records (and counted them).
        if (fe.name === leader?.name) appended = result.appended;
      } else if (result.outcome === "gap" && master.name === ctx.self.name) onedLog(ctx, "E", `Missing federation record previous to: ${s.last + 1}`);
    }
    // The slave zone's leader appended the records to its own Raft log (the master's already counted them).
    if (leader) raftAppend(ctx.layout, zone, appended);
  }
}
