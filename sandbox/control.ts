/**
 * Test controls on a sandbox: inject failures, replace a host key, change a front-end's state
 * directly, make a zone lag, and move the federation forward with new federated records.
 */
import * as fs from "fs";
import { machineUnits, packageVersionFor } from "./catalog";
import { ENV_FRONTEND, ENV_FRONTEND_ROOT, ENV_SANDBOX_DIR, ONE_FILES, SandboxHostKeyType } from "./contract";
import { EmulatorContext } from "./emulator/context";
import { replicateFromMaster } from "./emulator/federation";
import { SandboxError } from "./errors";
import { updateState } from "./frontend-state";
import { DEFAULT_INJECTED_EXIT, DEFAULT_INJECTED_STDERR, addInjection } from "./injections";
import { generateKey, writeKnownHosts } from "./keys";
import { SandboxLayout } from "./layout";
import { writeFederated } from "./one-db";
import { raftAppend, raftView, updateRaft } from "./raft";
import { SandboxRegistry, ZoneEntry, allMachines, nodeOf, packageManagerOf, readRegistry, serverIdOf, zoneOf } from "./registry";
import { startSshd, stopSshd } from "./sshd";
import { machineProfile } from "./frontend-shell";
import { FailureInjection, FrontendStatePatch } from "./types";

/** A sandbox's layout and registry; with `fe`, that machine must exist. */
export function openSandbox(dir: string, fe?: string): { layout: SandboxLayout; reg: SandboxRegistry } {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir}`);
  const names = allMachines(reg).map((f) => f.name);
  if (fe !== undefined && !names.includes(fe)) throw new SandboxError(`no front-end or node ${fe} in ${layout.dir} (have ${names.join(", ")})`);
  return { layout, reg };
}

/** An emulator context for a front-end, from the host (its paths under D instead of the namespace). */
function hostContext(layout: SandboxLayout, fe: string): EmulatorContext {
  return new EmulatorContext({ [ENV_SANDBOX_DIR]: layout.dir, [ENV_FRONTEND]: fe, [ENV_FRONTEND_ROOT]: layout.frontendRoot(fe) });
}

/**
 * Makes the next `times` commands on a front-end whose command line contains `match` fail before
 * they run; with `partial`, run and die part-way instead (`onedb restore`: a fraction of its statements).
 */
export function injectFailure(dir: string, f: FailureInjection): void {
  const { layout } = openSandbox(dir, f.frontend);
  const times = f.times ?? 1;
  if (!f.match) throw new SandboxError("an injection needs a non-empty match");
  if (!Number.isInteger(times) || times < 1) throw new SandboxError(`times must be a positive integer (got ${f.times})`);
  const exitCode = f.exitCode ?? DEFAULT_INJECTED_EXIT;
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new SandboxError(`exit code must be 0..255 (got ${f.exitCode})`);
  if (f.partial !== undefined && !(f.partial >= 0 && f.partial <= 1)) throw new SandboxError(`a partial run's fraction must be from 0 to 1 (got ${f.partial})`);
  addInjection(layout, f.frontend, {
    match: f.match,
    times,
    exitCode,
    stderr: f.stderr ?? DEFAULT_INJECTED_STDERR,
    ...(f.partial !== undefined ? { partial: f.partial } : {}),
  });
}

/** Gives a front-end a new host key of one type and restarts its sshd; known_hosts keeps the old key. @default type "ed25519" */
export async function rekeyFrontend(dir: string, frontend: string, type: SandboxHostKeyType = "ed25519"): Promise<void> {
  const { layout, reg } = openSandbox(dir, frontend);
  const fe = allMachines(reg).find((f) => f.name === frontend)!;
  await stopSshd(layout, frontend);
  generateKey(layout.hostKey(frontend, type), `${frontend}-host-rekeyed`, type);
  await startSshd(layout, fe, machineProfile(reg, frontend));
}

/**
 * Rewrites known_hosts pinning every machine's current host key of one type (undoes the effect of
 * a rekey; with "ecdsa" or "rsa", pins only that type). @default type "ed25519"
 */
export function refreshKnownHosts(dir: string, type: SandboxHostKeyType = "ed25519"): void {
  const { layout, reg } = openSandbox(dir);
  writeKnownHosts(layout, reg, type);
}

/** Changes a front-end's (or a node's) state directly (no command log entry). */
export function setFrontendState(dir: string, frontend: string, patch: FrontendStatePatch): void {
  const { layout, reg } = openSandbox(dir, frontend);
  const onePath = (p: string): string => layout.hostPath(frontend, p);
  const isNode = nodeOf(reg, frontend) !== undefined;
  updateState(layout, frontend, (st) => {
    if (patch.packageVersion !== undefined) {
      const version = packageVersionFor(packageManagerOf(zoneOf(reg, frontend)!), patch.packageVersion);
      for (const p of Object.keys(st.packages)) st.packages[p] = version;
      st.services = Object.fromEntries(machineUnits(isNode, st.packages, version).map((u) => [u, st.services[u] ?? "inactive"]));
    }
    for (const [name, state] of Object.entries(patch.services ?? {})) {
      const unit = /\.(service|timer)$/.test(name) ? name : `${name}.service`;
      if (!(unit in st.services)) throw new SandboxError(`${frontend} has no unit ${unit} (has ${Object.keys(st.services).join(", ")})`);
      st.services[unit] = state;
      if (unit === "opennebula.service") {
        for (const f of [ONE_FILES.lock, ONE_FILES.pid]) {
          if (state === "active") fs.writeFileSync(onePath(f), "1\n");
          else fs.rmSync(onePath(f), { force: true });
        }
      }
    }
    if (patch.configVersion !== undefined) st.configVersion = patch.configVersion;
    if (patch.replicationBlocked !== undefined) st.replicationBlocked = patch.replicationBlocked;
    if (patch.reachable !== undefined) st.reachable = patch.reachable;
    if (patch.raftLagging !== undefined) st.raftLagging = patch.raftLagging;
  });
  // Raft reacts at once to a server's oned coming or going.
  const zone = reg.zones.find((z) => z.frontends.some((f) => f.name === frontend));
  if (zone?.ha) raftView(layout, zone);
}

function haZone(reg: SandboxRegistry, zoneId: number): ZoneEntry {
  const zone = reg.zones.find((z) => z.id === zoneId);
  const ha = reg.zones.filter((z) => z.ha).map((z) => z.id);
  if (!zone?.ha) throw new SandboxError(`zone ${zoneId} is not an HA zone (HA zones: ${ha.length > 0 ? ha.join(", ") : "none"})`);
  return zone;
}

/**
 * Makes `serverId` the leader of an HA zone (a new term unless it already leads). It must be
 * alive (oned running, reachable) and the zone must have a quorum.
 */
export function setRaftLeader(dir: string, zoneId: number, serverId: number): void {
  const { layout, reg } = openSandbox(dir);
  const zone = haZone(reg, zoneId);
  const fe = zone.frontends.find((f) => serverIdOf(f) === serverId);
  if (!fe) throw new SandboxError(`zone ${zoneId} has no server ${serverId} (servers 0..${zone.frontends.length - 1})`);
  updateRaft(layout, zone, (rec, alive) => {
    if (!alive.has(serverId)) throw new SandboxError(`${fe.name} cannot lead zone ${zoneId}: its oned is stopped or unreachable`);
    const quorum = Math.floor(zone.frontends.length / 2) + 1;
    if (alive.size < quorum) throw new SandboxError(`zone ${zoneId} has no quorum (${alive.size} of ${zone.frontends.length} servers alive, ${quorum} needed)`);
    if (rec.leader !== serverId) {
      rec.leader = serverId;
      rec.term += 1;
    }
  });
}

/** Split brain in an HA zone: while on, the lowest-id alive follower also reports itself leader. */
export function setRaftSplitBrain(dir: string, zoneId: number, on: boolean): void {
  const { layout, reg } = openSandbox(dir);
  updateRaft(layout, haZone(reg, zoneId), (rec) => {
    rec.splitBrain = on;
  });
}

/**
 * A follower's COMMIT against its LOG_INDEX (docs/sandbox.md, Raft): by default it trails by
 * DEFAULT_FOLLOWER_COMMIT_LAG, as on a live zone. `entries` sets the trail, for `seconds` (then it is
 * back to the default by itself) or for good without them; 0 is a quiet zone's follower, in step.
 * Only a follower trails: on the leader it takes effect once it follows.
 */
export function setRaftCommitLag(dir: string, frontend: string, entries: number, seconds?: number): void {
  const { layout, reg } = openSandbox(dir, frontend);
  const zone = reg.zones.find((z) => z.frontends.some((f) => f.name === frontend));
  if (!zone?.ha) throw new SandboxError(`${frontend} is not a server of an HA zone: only Raft followers report a COMMIT`);
  if (!Number.isInteger(entries) || entries < 0) throw new SandboxError(`entries must be a non-negative integer (got ${entries})`);
  if (seconds !== undefined && !(seconds > 0)) throw new SandboxError(`seconds must be positive (got ${seconds})`);
  updateState(layout, frontend, (st) => {
    st.raftCommitLag = seconds === undefined ? { entries } : { entries, until: Date.now() + seconds * 1000 };
  });
}

/**
 * The server that wins an HA zone's next election, if it is alive then (real election timers are
 * random: not always the lowest id); `null` goes back to the lowest alive id. Used once.
 */
export function setRaftNextLeader(dir: string, zoneId: number, serverId: number | null): void {
  const { layout, reg } = openSandbox(dir);
  const zone = haZone(reg, zoneId);
  if (serverId !== null && !zone.frontends.some((f) => serverIdOf(f) === serverId)) {
    throw new SandboxError(`zone ${zoneId} has no server ${serverId} (servers 0..${zone.frontends.length - 1})`);
  }
  updateRaft(layout, zone, (rec) => {
    if (serverId === null) delete rec.nextLeader;
    else rec.nextLeader = serverId;
  });
}

/** Makes a slave lag (blocked: the master stops replicating to it) or lets it catch up again. */
export function setReplicationBlocked(dir: string, frontend: string, blocked: boolean): void {
  setFrontendState(dir, frontend, { replicationBlocked: blocked });
  if (!blocked) advanceFederation(dir, 0);
}

/**
 * Writes `records` federated changes on the master (like users being updated), then lets the
 * master replicate: running, unblocked slaves follow, blocked ones fall behind by `records`.
 */
export function advanceFederation(dir: string, records = 1): void {
  const { layout, reg } = openSandbox(dir);
  const masterZone = reg.zones.find((z) => z.role === "master")!;
  const ctx = hostContext(layout, masterZone.frontends[0].name);
  const leader = ctx.leaderOf(masterZone.id);
  if (!leader) throw new SandboxError(`the master zone ${masterZone.id} has no Raft leader: nothing can write federated records`);
  const master = leader.name;
  if (!ctx.onedActive(master)) throw new SandboxError(`the master's oned (${master}) is not running: nothing can write federated records`);
  if (records > 0) {
    writeFederated(
      ctx.dbOf(master),
      Array.from({ length: records }, (_, i) => `UPDATE user_pool SET body=body WHERE oid=${i % 2}`),
    );
    raftAppend(layout, masterZone, records);
  }
  replicateFromMaster(ctx);
}
