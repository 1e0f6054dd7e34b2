/**
 * `onezone list -j`: the serving oned's zone pool, with each zone's /ZONE/STATE (enabled or
 * disabled), read from the same zone_pool as `onezone show <id> -j` (docs/opennebula.md §5.1,
 * §5.2). Unlike the table and the CSV, `-j` asks no zone for its FED_INDEX, and unlike `show` no
 * server for its Raft status: one local call answers for every zone.
 */
import { ParseError } from "./parsers";

export interface ZoneState {
  readonly id: number;
  readonly name: string;
  /** /ZONE/STATE `0` (or absent, before 6.2): enabled; `1`: disabled. The same rule as parseZoneShowJson. */
  readonly enabled: boolean;
}

/** Every value is a JSON string; a pool of one zone may not be wrapped in an array (no XSD), an empty pool is `{}`. */
export function parseZonePoolJson(text: string): ZoneState[] {
  let doc: { ZONE_POOL?: { ZONE?: unknown } };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError("onezone list -j", (err as Error).message, text);
  }
  if (!doc || typeof doc !== "object" || !doc.ZONE_POOL || typeof doc.ZONE_POOL !== "object") throw new ParseError("onezone list -j", "no ZONE_POOL", text);
  const zones = ([] as unknown[]).concat(doc.ZONE_POOL.ZONE ?? []);
  return zones.map((z) => {
    const zone = z as Record<string, unknown>;
    if (typeof zone.ID !== "string" || !/^\d+$/.test(zone.ID) || typeof zone.NAME !== "string")
      throw new ParseError("onezone list -j", "a ZONE without ID or NAME", text);
    return { id: Number(zone.ID), name: zone.NAME, enabled: String(zone.STATE ?? "0") === "0" };
  });
}
