/**
 * Test controls for the situations a real federation creates and a kind sandbox would not
 * (docs/sandbox.md, Test controls): a CLI credential that is wrong or missing, an oned that accepts
 * connections but never answers, a zone ENDPOINT whose path oned does not serve, a migrator
 * missing from a front-end.
 */
import * as fs from "fs";
import { dbVersionsOf, migratorName, migratorSteps } from "./catalog";
import { ENV_FRONTEND, ENV_FRONTEND_ROOT, ENV_SANDBOX_DIR, ONEADMIN_CREDENTIAL, ONE_FILES } from "./contract";
import { openSandbox } from "./control";
import { EmulatorContext } from "./emulator/context";
import { replicateFromMaster } from "./emulator/federation";
import { SandboxError } from "./errors";
import { chownLikeParent, updateState } from "./frontend-state";
import { readZones, writeFederated } from "./one-db";
import { raftAppend } from "./raft";
import { allFrontends } from "./registry";
import { sqlQuote } from "./sqlite";
import { zoneBody } from "./db-schema";

/** What a front-end's oneadmin credential file holds: `valid` (as `up` writes it), `wrong` (a stale password), `missing`. */
export type CliCredential = "valid" | "wrong" | "missing";

/** The wrong credential: oneadmin with a password no oned accepts. */
const WRONG_CREDENTIAL = "oneadmin:not-the-password";

/** Rewrites (or removes) /var/lib/one/.one/one_auth on a front-end: the credential its CLIs and onedb use. */
export function setCliCredential(dir: string, frontend: string, credential: CliCredential): void {
  const { layout, reg } = openSandbox(dir, frontend);
  if (!allFrontends(reg).some((f) => f.name === frontend)) throw new SandboxError(`${frontend} is a node: only front-ends have OpenNebula credentials`);
  const file = layout.hostPath(frontend, ONE_FILES.oneAuth);
  if (credential === "missing") return fs.rmSync(file, { force: true });
  if (credential !== "valid" && credential !== "wrong") throw new SandboxError(`a credential is valid, wrong or missing (got ${JSON.stringify(credential)})`);
  fs.writeFileSync(file, `${credential === "valid" ? ONEADMIN_CREDENTIAL : WRONG_CREDENTIAL}\n`, { mode: 0o600 });
  chownLikeParent(file);
}

/**
 * Makes a front-end's oned hang (on) or answer again (off): it accepts XML-RPC connections and never
 * answers, so `onezone list` waits 5 s for its zone's FED_INDEX and prints `-`, a CLI talking to it
 * waits for its client timeout (30 s, ONE_XMLRPC_TIMEOUT), and the master's records do not reach it.
 */
export function setOnedHung(dir: string, frontend: string, hung: boolean): void {
  const { layout, reg } = openSandbox(dir, frontend);
  if (!allFrontends(reg).some((f) => f.name === frontend)) throw new SandboxError(`${frontend} is a node: it runs no oned`);
  updateState(layout, frontend, (st) => {
    if (hung) st.hung = true;
    else delete st.hung;
  });
  if (!hung) advanceAfterChange(dir);
}

/**
 * Sets the path of a zone's ENDPOINT (`/RPC2` as oned serves it, `/` or `/RPC` as a typo leaves it):
 * a federated change the master writes (one record) and replicates. oned answers any path but
 * /RPC2 with HTTP 404, so the zone's FED_INDEX becomes `-` everywhere.
 */
export function setZoneEndpointPath(dir: string, zoneId: number, urlPath: string): string {
  const { layout, reg } = openSandbox(dir);
  const zone = reg.zones.find((z) => z.id === zoneId);
  if (!zone) throw new SandboxError(`no zone ${zoneId} (the zones are ${reg.zones.map((z) => z.id).join(", ")})`);
  if (!/^\/[^\s?#]*$/.test(urlPath) && urlPath !== "") throw new SandboxError(`a path starts with / and has no spaces (got ${JSON.stringify(urlPath)})`);
  const ctx = masterContext(layout.dir, reg.zones.find((z) => z.role === "master")!.frontends[0].name);
  const master = ctx.leaderOf(ctx.masterZone().id);
  if (!master || !ctx.onedActive(master.name)) throw new SandboxError("the master's oned is not running: nothing can change a zone's ENDPOINT");
  const row = readZones(ctx.dbOf(master.name)).find((z) => z.id === zoneId);
  if (!row) throw new SandboxError(`zone ${zoneId} is not in the master's zone_pool`);
  const endpoint = row.endpoint.replace(/^([a-z]+:\/\/[^/]*)(\/.*)?$/i, `$1${urlPath}`);
  writeFederated(ctx.dbOf(master.name), [`UPDATE zone_pool SET body=${sqlQuote(zoneBody({ ...row, endpoint }))} WHERE oid=${zoneId}`]);
  raftAppend(layout, ctx.masterZone(), 1);
  replicateFromMaster(ctx);
  return endpoint;
}

/** The migrators a front-end's next `onedb upgrade` would run for `from` → `to`, as "local/6.10.0_to_7.0.0.rb". */
export function migratorsFor(from: string, to: string): string[] {
  const [a, b] = [dbVersionsOf(from), dbVersionsOf(to)];
  return (["shared", "local"] as const).flatMap((kind) => migratorSteps(kind, a[kind], b[kind]).map(([x, y]) => migratorName(kind, x, y)));
}

/**
 * Removes a migrator from a front-end (as a missing opennebula-migration package leaves it), or puts
 * them all back (`name` undefined). `onedb upgrade` then stops its chain there, reports "missing
 * migration descriptors", restores its own backup and exits 255.
 */
export function setMigratorMissing(dir: string, frontend: string, name?: string): void {
  const { layout, reg } = openSandbox(dir, frontend);
  if (!allFrontends(reg).some((f) => f.name === frontend)) throw new SandboxError(`${frontend} is a node: it has no onedb`);
  const known = migratorsFor(reg.federation.fromVersion, reg.federation.toVersion);
  if (name !== undefined && !known.includes(name))
    throw new SandboxError(`no migrator ${name} between ${reg.federation.fromVersion} and ${reg.federation.toVersion} (have ${known.join(", ")})`);
  updateState(layout, frontend, (st) => {
    if (name === undefined) delete st.missingMigrators;
    else st.missingMigrators = [...new Set([...(st.missingMigrators ?? []), name])];
  });
}

function masterContext(dir: string, fe: string): EmulatorContext {
  const { layout } = openSandbox(dir, fe);
  return new EmulatorContext({ [ENV_SANDBOX_DIR]: layout.dir, [ENV_FRONTEND]: fe, [ENV_FRONTEND_ROOT]: layout.frontendRoot(fe) });
}

/** A slave that answers again catches up on the master's next request: make it now, if the master runs. */
function advanceAfterChange(dir: string): void {
  const { reg } = openSandbox(dir);
  const ctx = masterContext(dir, reg.zones.find((z) => z.role === "master")!.frontends[0].name);
  const master = ctx.leaderOf(ctx.masterZone().id);
  if (master && ctx.onedActive(master.name)) replicateFromMaster(ctx);
}
