/** `sandboxStatus`: what every front-end and node looks like right now, read from its files and database. */
import * as fs from "fs";
import { NODE_PACKAGE, releaseOfDeb } from "./catalog";
import { SandboxError } from "./errors";
import { formatChain } from "./firewall";
import { readState } from "./frontend-state";
import { ONEADMIN_CREDENTIAL, ONE_FILES } from "./contract";
import { SandboxLayout } from "./layout";
import { HOST_DISABLED } from "./db-schema";
import { lastFedIndex, readDbVersions, readHosts, readZones } from "./one-db";
import { RaftView, raftView } from "./raft";
import { isOnedbExposure, readLeaks } from "./password-leaks";
import {
  FrontendEntry,
  NodeEntry,
  SandboxPackageManager,
  SandboxRegistry,
  ZoneEntry,
  dbBackendOf,
  packageManagerOf,
  readRegistry,
  serverIdOf,
} from "./registry";
import { runningSshdPid } from "./sshd";
import { frontendStore } from "./mysql";
import { readJumpForwards, runningJumpHostPid } from "./jump-host";
import { diskFullMounts } from "./disk-full";
import { FrontendStatus, NodeStatus, RaftStatus, SandboxStatus } from "./types";

function countLines(file: string): number {
  try {
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
}

/** What a front-end's oneadmin credential file holds. */
function credentialOf(layout: SandboxLayout, fe: string): FrontendStatus["credential"] {
  try {
    return fs.readFileSync(layout.hostPath(fe, ONE_FILES.oneAuth), "utf8").trimEnd() === ONEADMIN_CREDENTIAL ? "valid" : "wrong";
  } catch {
    return "missing";
  }
}

function frontendStatus(layout: SandboxLayout, fe: FrontendEntry, raft: RaftView | undefined, manager: SandboxPackageManager, store: string): FrontendStatus {
  const st = readState(layout, fe.name);
  const pid = runningSshdPid(layout, fe.name);
  const dbFile = store;
  let db = { shared: "", local: "", isSlave: false };
  let zoneStates: Record<string, "ENABLED" | "DISABLED"> = {};
  let fedIndex = -1;
  let hosts: FrontendStatus["hosts"] = [];
  try {
    const v = readDbVersions(dbFile);
    db = { shared: v.shared.version, local: v.local.version, isSlave: v.isSlave };
    zoneStates = Object.fromEntries(readZones(dbFile, { readonly: true }).map((z) => [String(z.id), z.state === 0 ? "ENABLED" : "DISABLED"]));
    fedIndex = lastFedIndex(dbFile, { readonly: true }) ?? -1;
    hosts = readHosts(dbFile, { readonly: true }).map((h) => ({ id: h.id, name: h.name, state: h.state === HOST_DISABLED ? "off" : "on" }));
  } catch {
    /* a missing or broken database shows as empty versions */
  }
  const role: RaftStatus = raft ? (raft.servers.find((s) => s.fe.name === fe.name)?.role ?? "error") : "solo";
  return {
    name: fe.name,
    serverId: serverIdOf(fe),
    packageManager: manager,
    raft: role,
    host: fe.host,
    port: fe.port,
    sshdRunning: pid !== undefined,
    sshdPid: pid ?? null,
    packageVersion: st.packages["opennebula"] ? releaseOfDeb(st.packages["opennebula"]) : "",
    configVersion: st.configVersion,
    db,
    services: Object.fromEntries(Object.entries(st.services).map(([u, s]) => [u.replace(/\.service$/, ""), s])),
    lockFile: fs.existsSync(layout.hostPath(fe.name, ONE_FILES.lock)),
    zoneStates,
    fedIndex,
    commandCount: countLines(layout.commandLog(fe.name)),
    replicationBlocked: st.replicationBlocked,
    reachable: st.reachable,
    raftLagging: st.raftLagging === true,
    hung: st.hung === true,
    credential: credentialOf(layout, fe.name),
    missingMigrators: st.missingMigrators ?? [],
    firewall: formatChain(st.firewall ?? []),
    hosts,
    ...(st.hostsSyncedAt ? { hostsSyncedAt: st.hostsSyncedAt } : {}),
    passwordLeaks: readLeaks(layout, fe.name).filter((l) => !isOnedbExposure(l)).length,
    onedbPasswordExposures: readLeaks(layout, fe.name).filter(isOnedbExposure).length,
    onedbPasswordAuths: st.onedbPasswordAuths ?? 0,
    holds: (st.holds ?? []).map((h) => ({ id: h.id, match: h.match, state: h.state, ...(h.command !== undefined ? { command: h.command } : {}) })),
    diskFull: pid === undefined ? [] : diskFullMounts(pid),
  };
}

/** Status of every zone and front-end (JSON-able). */
export async function sandboxStatus(dir: string): Promise<SandboxStatus> {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir} (run \`onefed sandbox up --dir ${dir}\`)`);
  return {
    dir: layout.dir,
    federation: { ...reg.federation },
    timing: reg.timing ? { profile: reg.timing.profile, scale: reg.timing.scale } : { profile: "fast" },
    ...(reg.zones.some((z) => z.dbBackend === "mysql") ? { mysqlPasswordFile: layout.mysqlPassword } : {}),
    ...(reg.jumpHost ? { jumpHost: { ...reg.jumpHost, sshdPid: runningJumpHostPid(layout) ?? null, forwards: readJumpForwards(layout.dir).length } } : {}),
    zones: reg.zones.map((z) => zoneStatus(layout, reg, z)),
  };
}

function zoneStatus(layout: SandboxLayout, reg: SandboxRegistry, z: ZoneEntry): SandboxStatus["zones"][number] {
  const raft = z.ha ? raftView(layout, z) : undefined;
  return {
    id: z.id,
    name: z.name,
    role: z.role,
    endpoint: z.endpoint,
    ha: z.ha === true,
    dbBackend: dbBackendOf(z),
    ...(z.vip ? { vip: z.vip } : {}),
    ...(raft ? { raft: { term: raft.record.term, leader: raft.record.leader, logIndex: raft.record.logIndex, splitBrain: raft.record.splitBrain } } : {}),
    frontends: z.frontends.map((fe) => frontendStatus(layout, fe, raft, packageManagerOf(z), frontendStore(layout, reg, fe.name))),
    nodes: (z.nodes ?? []).map((n) => nodeStatus(layout, n, packageManagerOf(z))),
  };
}

function nodeStatus(layout: SandboxLayout, node: NodeEntry, manager: SandboxPackageManager): NodeStatus {
  const st = readState(layout, node.name);
  const pid = runningSshdPid(layout, node.name);
  return {
    name: node.name,
    hostName: node.hostName,
    host: node.host,
    port: node.port,
    sshdRunning: pid !== undefined,
    sshdPid: pid ?? null,
    packageManager: manager,
    packageVersion: st.packages[NODE_PACKAGE] ? releaseOfDeb(st.packages[NODE_PACKAGE]) : "",
    libvirt: st.services["libvirtd.service"] ?? "inactive",
    commandCount: countLines(layout.commandLog(node.name)),
  };
}
