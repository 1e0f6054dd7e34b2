/**
 * Zones' enabled/disabled STATE as one front-end's oned holds them, from one `onezone list -j`
 * (lib/remote/opennebula/zone-pool.ts): the same zone_pool and the same /ZONE/STATE field as
 * `onezone show <id> -j`, without show's Raft status call to each of the zone's servers. A zone the
 * pool lacks is asked alone with `onezone show`, so it fails exactly as it always did.
 */
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";

/** Each zone of `ids` → enabled (true) or disabled (false), as `fe`'s oned reports it. */
export async function zoneStatesOn(fe: OpenNebulaFrontend, ids: readonly number[]): Promise<Map<number, boolean>> {
  const pool = new Map((await fe.zoneStates()).map((z) => [z.id, z.enabled]));
  return withLacking(fe, ids, pool);
}

/** `pool` completed with the zones of `ids` it lacks, each asked alone (in parallel, as one round trip where they batch). */
export async function withLacking(fe: OpenNebulaFrontend, ids: readonly number[], pool: Map<number, boolean>): Promise<Map<number, boolean>> {
  const lacking = ids.filter((id) => !pool.has(id));
  const shows = await Promise.all(lacking.map((id) => fe.zoneShow(id)));
  lacking.forEach((id, i) => pool.set(id, shows[i].enabled));
  return pool;
}

/** One zone's STATE as `fe`'s oned reports it: enabled (true) or disabled (false). */
export async function zoneEnabledOn(fe: OpenNebulaFrontend, id: number): Promise<boolean> {
  return (await zoneStatesOn(fe, [id])).get(id)!;
}
