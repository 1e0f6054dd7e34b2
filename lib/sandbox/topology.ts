/**
 * The sandbox federation's shape: zone ids and names, loopback addresses and endpoints, derived
 * from the `up` options alone so that the same options always give the same federation.
 */
import { SandboxError } from "./errors";
import { frontendName } from "./layout";
import { ZoneEntry } from "./registry";

/** Names of the first zones, as in the samples; later slaves are S-XX-<id>. */
const NAMED: Record<number, string> = { 0: "M-EU-FR", 100: "S-EU-GE", 101: "S-US-CA" };

/** Zone id of the n-th zone (0 master, then 100, 101, …). */
export function zoneIdAt(index: number): number {
  return index === 0 ? 0 : 99 + index;
}

/** Zone name for a zone id. */
export function zoneNameOf(id: number): string {
  return NAMED[id] ?? `S-XX-${id}`;
}

/** The address `offset` steps after `base` inside 127.0.0.0/8 (carrying into higher octets). */
export function addressAt(base: string, offset: number): string {
  const parts = base.split(".").map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255) || parts[0] !== 127) {
    throw new SandboxError(`address base ${base} is not a 127.x.y.z loopback address`);
  }
  const n = ((parts[1] << 16) | (parts[2] << 8) | parts[3]) + offset;
  if (n > 0xfffffe) throw new SandboxError(`address base ${base} leaves no room for ${offset + 1} front-ends inside 127.0.0.0/8`);
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Zones (master first) with one front-end each. */
export function buildZones(slaves: number, addressBase: string, port: number): ZoneEntry[] {
  if (!Number.isInteger(slaves) || slaves < 0 || slaves > 250) throw new SandboxError(`slaves must be an integer from 0 to 250 (got ${slaves})`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SandboxError(`port must be an integer from 1 to 65535 (got ${port})`);
  return Array.from({ length: slaves + 1 }, (_, i) => {
    const id = zoneIdAt(i);
    const host = addressAt(addressBase, i);
    return {
      id,
      name: zoneNameOf(id),
      role: i === 0 ? "master" : "slave",
      endpoint: `http://${host}:2633/RPC2`,
      frontends: [{ name: frontendName(id), host, port, zoneId: id }],
    } as ZoneEntry;
  });
}
