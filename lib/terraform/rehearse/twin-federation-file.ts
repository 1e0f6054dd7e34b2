/**
 * The twin's federation file: the real file's upgrade settings over the sandbox's machines. What
 * decides the plan's steps and order (versions, upgrade type, freeze, hosts.manage, timeouts,
 * engine, zone ids, names, roles, front-end count, nodes) comes from the
 * real file; what reaches machines (addresses, endpoints, login, known_hosts, DB connection and
 * password variable, repository, backup directories) and where state and artifacts go comes from the sandbox, so the
 * rehearsal can never reach a real front-end nor touch the real state.
 */
import { parse as parseYaml } from "yaml";

type Doc = Record<string, unknown>;

const asDoc = (v: unknown): Doc => (v && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : {});
const asList = (v: unknown): Doc[] => (Array.isArray(v) ? v.map(asDoc) : []);

/** The real file's zone settings that shape the plan and reach no machine. */
const ZONE_KEPT = ["stepTimeoutSeconds"] as const;
/** The real file's ssh settings that reach no machine (the login itself is the sandbox's). */
const SSH_KEPT = ["connectTimeoutSeconds", "keepaliveIntervalSeconds"] as const;

function pick(from: Doc, keys: readonly string[]): Doc {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

/**
 * Merges the real federation file (its text) with the file the sandbox wrote for the twin (its
 * text) into the twin's federation document. Zones are matched by id; a zone the sandbox lacks
 * keeps nothing (the step-graph comparison then refuses the rehearsal).
 */
export function twinFederationDocument(realText: string, sandboxText: string): Doc {
  const real = asDoc(parseYaml(realText));
  const sandbox = asDoc(parseYaml(sandboxText));
  const sandboxZones = new Map(asList(sandbox.zones).map((z) => [Number(z.id), z]));
  const doc: Doc = {
    ...real,
    ssh: { ...pick(asDoc(real.ssh), SSH_KEPT), ...asDoc(sandbox.ssh) },
    // Both backup directories are the sandbox's: a real remote path may not exist inside the twin's front-ends.
    backup: sandbox.backup,
    terraform: sandbox.terraform,
    zones: asList(real.zones).map((z) => ({ ...(sandboxZones.get(Number(z.id)) ?? {}), ...pick(z, ZONE_KEPT) })),
  };
  // The sandbox's database settings (stand-in server, its password variable) and repositories replace the real ones.
  delete doc.database;
  delete doc.packages;
  if (sandbox.database !== undefined) doc.database = sandbox.database;
  return doc;
}
