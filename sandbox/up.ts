/**
 * `sandboxUp`: prepares the host, writes a new sandbox (or reuses the one in dir), hands the
 * front-ends' files to the login user, proves that user can work there, and starts every sshd.
 * Idempotent: on a running sandbox it only restarts front-ends whose sshd is gone.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SandboxError } from "./errors";
import { writeKnownHosts } from "./keys";
import { EMULATOR_SELF_TEST, ENV_FRONTEND, ENV_SANDBOX_DIR, SANDBOX_USER } from "./contract";
import { SandboxLayout } from "./layout";
import { machineProfile } from "./frontend-shell";
import { emulatorEntry, haZones, mysqlZonesOf, planSandbox, prepareSandbox, rhelZones, timingEntry } from "./prepare";
import { timingProblem } from "./timing-profile";
import { UserIds, ensureHostDirs, ensureRoot, ensureTools, ensureUser } from "./prerequisites";
import { FrontendEntry, SandboxRegistry, allMachines, dbBackendOf, readRegistry, packageManagerOf, serverIdOf } from "./registry";
import { checkPortFree, runningSshdPid, startSshd } from "./sshd";
import { SandboxZoneSpec, zoneSpecOf } from "./topology";
import { runningJumpHostPid, startJumpHost } from "./jump-host";
import { ensureMariaDb, runningMariaDbPid, startMariaDb, stopMariaDb } from "./mariadb";
import { MYSQL, readMysqlPassword } from "./mysql";
import { SandboxInfo, SandboxUpOptions } from "./types";

/** Explicitly given options must match the existing sandbox: silently ignoring them would mislead. */
function checkSameShape(reg: SandboxRegistry, o: SandboxUpOptions): void {
  const diffs = [
    o.slaves !== undefined && o.slaves !== reg.zones.length - 1 ? `slaves ${reg.zones.length - 1}` : "",
    o.from !== undefined && o.from !== reg.federation.fromVersion ? `from ${reg.federation.fromVersion}` : "",
    o.to !== undefined && o.to !== reg.federation.toVersion ? `to ${reg.federation.toVersion}` : "",
    o.addressBase !== undefined && o.addressBase !== reg.addressBase ? `address base ${reg.addressBase}` : "",
    o.port !== undefined && o.port !== reg.port ? `port ${reg.port}` : "",
    o.federationName !== undefined && o.federationName !== reg.federation.name ? `name ${reg.federation.name}` : "",
    o.ha !== undefined && haZones(o).join(",") !== haOf(reg).join(",") ? `HA zones ${haOf(reg).join(",") || "none"}` : "",
    o.servers !== undefined && haOf(reg).length > 0 && o.servers !== serversOf(reg) ? `${serversOf(reg)} servers per HA zone` : "",
    o.nodes !== undefined && o.nodes !== nodesOf(reg) ? `${nodesOf(reg)} nodes per zone` : "",
    (o.dnfZones !== undefined || o.yumZones !== undefined) && managersText(rhelZones(o)) !== managersText(managersOf(reg))
      ? `RHEL zones ${managersText(managersOf(reg)) || "none"}`
      : "",
    o.mysqlZones !== undefined && mysqlZonesOf(o).join(",") !== mysqlOf(reg).join(",") ? `MySQL zones ${mysqlOf(reg).join(",") || "none"}` : "",
    o.zones !== undefined && layoutText(o.zones) !== layoutText(reg.zones.map(zoneSpecOf)) ? `zones ${layoutText(reg.zones.map(zoneSpecOf))}` : "",
    o.jumpHost !== undefined && o.jumpHost !== (reg.jumpHost !== undefined) ? (reg.jumpHost ? "a jump host" : "no jump host") : "",
  ].filter(Boolean);
  if (diffs.length > 0) {
    throw new SandboxError(`${reg.dir} already holds a sandbox with ${diffs.join(", ")}; take it down first (onefed sandbox down --dir ${reg.dir})`);
  }
}

/** "0 M-EU-FR 1 apt sqlite [], …": an explicit layout, for comparing and for messages. */
function layoutText(zones: readonly SandboxZoneSpec[]): string {
  return zones
    .map((z) => `${z.id} ${z.name} ${z.servers ?? 1} ${z.packageManager ?? "apt"} ${z.dbBackend ?? "sqlite"} [${(z.nodes ?? []).join(" ")}]`)
    .join(", ");
}

function haOf(reg: SandboxRegistry): number[] {
  return reg.zones.filter((z) => z.ha).map((z) => z.id);
}

function mysqlOf(reg: SandboxRegistry): number[] {
  return reg.zones.filter((z) => z.dbBackend === "mysql").map((z) => z.id);
}

/** The front-ends of MySQL zones: each runs its own MariaDB server. */
function mysqlFrontends(reg: SandboxRegistry): FrontendEntry[] {
  return reg.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends);
}

function serversOf(reg: SandboxRegistry): number {
  return reg.zones.find((z) => z.ha)?.frontends.length ?? 0;
}

function nodesOf(reg: SandboxRegistry): number {
  return reg.zones[0]?.nodes?.length ?? 0;
}

function managersOf(reg: SandboxRegistry): Record<number, "dnf" | "yum"> {
  return Object.fromEntries(reg.zones.filter((z) => z.packageManager).map((z) => [z.id, z.packageManager!]));
}

/** "100 dnf, 101 yum" in zone order, for comparing and for messages. */
function managersText(m: Record<number, "dnf" | "yum">): string {
  return Object.keys(m)
    .map(Number)
    .sort((a, b) => a - b)
    .map((id) => `${id} ${m[id]}`)
    .join(", ");
}

function chownTree(p: string, ids: UserIds): void {
  fs.chownSync(p, ids.uid, ids.gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), ids);
}

/** The login user owns what sessions write: machine trees, states, logs, databases. Host keys stay root's. */
function handOver(layout: SandboxLayout, reg: SandboxRegistry, ids: UserIds): void {
  chownTree(layout.raftDir, ids);
  // The emulated onedb of MySQL zones reads it to authenticate and to audit the process list.
  if (mysqlOf(reg).length > 0) fs.chownSync(layout.mysqlPassword, ids.uid, ids.gid);
  for (const fe of allMachines(reg)) {
    fs.chownSync(layout.frontendDir(fe.name), ids.uid, ids.gid);
    chownTree(layout.frontendRoot(fe.name), ids);
    fs.chownSync(layout.etcUpper(fe.name), ids.uid, ids.gid);
    for (const f of [layout.state(fe.name), layout.commandLog(fe.name)]) fs.chownSync(f, ids.uid, ids.gid);
  }
}

/** Runs the emulator's self-test as the login user: catches unreadable builds and untraversable parents. */
function selfTest(reg: SandboxRegistry, ids: UserIds): void {
  const fe = reg.zones[0].frontends[0].name;
  const r = spawnSync(reg.node, [reg.emulator, EMULATOR_SELF_TEST], {
    uid: ids.uid,
    gid: ids.gid,
    cwd: "/",
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", [ENV_SANDBOX_DIR]: reg.dir, [ENV_FRONTEND]: fe },
  });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").pop();
    throw new SandboxError(
      `user ${SANDBOX_USER} cannot use the sandbox (${why}). Every parent directory of ${reg.dir} and of ${reg.emulator} ` +
        "must be world-executable and the build world-readable; choose another --dir (e.g. under /tmp) or fix the permissions",
    );
  }
}

/**
 * The timing profile is no part of the shape: `up --timing` on an existing sandbox switches it
 * (every later command reads sandbox.json), so one sandbox can run fast tests and a realistic demo.
 */
function retime(layout: SandboxLayout, reg: SandboxRegistry, o: SandboxUpOptions, log: (line: string) => void): SandboxRegistry {
  if (o.timing === undefined && o.timingScale === undefined) return reg;
  const problem = timingProblem(o.timing ?? reg.timing?.profile ?? "fast", o.timingScale);
  if (problem) throw new SandboxError(problem);
  const { timing: _old, ...rest } = reg;
  const next: SandboxRegistry = { ...rest, ...timingEntry({ timing: o.timing ?? reg.timing?.profile, timingScale: o.timingScale ?? reg.timing?.scale }) };
  if (JSON.stringify(next.timing) === JSON.stringify(reg.timing)) return reg;
  fs.writeFileSync(layout.registry, JSON.stringify(next, null, 2) + "\n");
  log(`timing profile: ${next.timing ? `realistic, scale ${next.timing.scale}` : "fast"}`);
  return next;
}

/** Brings the sandbox federation up (or finds it running) and returns where everything is. */
export async function sandboxUp(opts: SandboxUpOptions): Promise<SandboxInfo> {
  const t0 = Date.now();
  const log = opts.log ?? ((): void => undefined);
  ensureRoot();
  const layout = new SandboxLayout(opts.dir);
  let reg = readRegistry(layout);
  if (reg) checkSameShape(reg, opts);
  if (reg) reg = retime(layout, reg, opts, log);
  ensureTools(log);
  const ids = ensureUser(log);
  ensureHostDirs(log);
  const fresh = !reg;
  if (mysqlZonesOf(reg ? { mysqlZones: mysqlOf(reg) } : opts).length > 0) ensureMariaDb();
  if (!reg) {
    const planned = planSandbox(opts, process.execPath, emulatorEntry());
    // Fail on a taken address before writing anything.
    for (const fe of [...allMachines(planned), ...(planned.jumpHost ? [planned.jumpHost] : [])]) await checkPortFree(fe.host, fe.port);
    for (const fe of mysqlFrontends(planned)) await checkPortFree(fe.host, MYSQL.port);
    log(`creating sandbox in ${planned.dir}: ${planned.zones.length} zones, ${planned.federation.fromVersion} → ${planned.federation.toVersion}`);
    reg = prepareSandbox(opts);
    try {
      handOver(layout, reg, ids);
      selfTest(reg, ids);
    } catch (err) {
      fs.rmSync(layout.dir, { recursive: true, force: true });
      throw err;
    }
    writeKnownHosts(layout, reg);
  }
  const registry = reg;
  const dbStopped = mysqlFrontends(registry).filter((fe) => runningMariaDbPid(layout, fe.name) === undefined);
  for (const fe of dbStopped) if (!fresh) await checkPortFree(fe.host, MYSQL.port);
  try {
    await Promise.all(
      dbStopped.map(async (fe) => {
        const pid = await startMariaDb(layout, fe, ids, readMysqlPassword(layout), SANDBOX_USER);
        log(`mariadbd for ${fe.name} (pid ${pid}) listening on ${fe.host}:${MYSQL.port}`);
      }),
    );
  } catch (err) {
    if (fresh) {
      await Promise.all(mysqlFrontends(registry).map((fe) => stopMariaDb(layout, fe.name)));
      fs.rmSync(layout.dir, { recursive: true, force: true });
    }
    throw err;
  }
  const stopped = allMachines(registry).filter((fe) => runningSshdPid(layout, fe.name) === undefined);
  for (const fe of stopped) await checkPortFree(fe.host, fe.port);
  await Promise.all(
    stopped.map(async (fe) => {
      await startSshd(layout, fe, machineProfile(registry, fe.name));
      log(`sshd for ${fe.name} listening on ${fe.host}:${fe.port}`);
    }),
  );
  const jumpStopped = registry.jumpHost !== undefined && runningJumpHostPid(layout) === undefined;
  if (jumpStopped) {
    await checkPortFree(registry.jumpHost!.host, registry.jumpHost!.port);
    await startJumpHost(layout, registry);
    log(`jump host sshd listening on ${registry.jumpHost!.host}:${registry.jumpHost!.port} (forwards to the machines only)`);
  }
  const durationMs = Date.now() - t0;
  log(
    `sandbox ${fresh ? "up" : stopped.length > 0 || jumpStopped || dbStopped.length > 0 ? "restarted" : "already running"} in ${durationMs} ms; federation file ${layout.federationFile}`,
  );
  return {
    dir: layout.dir,
    federationFile: layout.federationFile,
    privateKeyPath: layout.privateKey,
    knownHostsPath: layout.knownHosts,
    user: SANDBOX_USER,
    alreadyRunning: !fresh && stopped.length === 0 && !jumpStopped && dbStopped.length === 0,
    ...(mysqlOf(registry).length > 0 ? { mysqlPasswordFile: layout.mysqlPassword } : {}),
    ...(registry.jumpHost ? { jumpHost: { ...registry.jumpHost, sshdPid: runningJumpHostPid(layout) ?? -1, log: layout.jumpHostFile("sshdLog") } } : {}),
    timing: registry.timing ? { ...registry.timing } : { profile: "fast" },
    durationMs,
    federation: { ...registry.federation },
    zones: registry.zones.map((z) => ({
      id: z.id,
      name: z.name,
      role: z.role,
      endpoint: z.endpoint,
      ha: z.ha === true,
      ...(z.vip ? { vip: z.vip } : {}),
      packageManager: packageManagerOf(z),
      dbBackend: dbBackendOf(z),
      frontends: z.frontends.map((fe) => ({
        name: fe.name,
        host: fe.host,
        port: fe.port,
        serverId: serverIdOf(fe),
        sshdPid: runningSshdPid(layout, fe.name) ?? -1,
        ...(z.dbBackend === "mysql" ? { mariadbPid: runningMariaDbPid(layout, fe.name) ?? -1 } : {}),
      })),
      nodes: (z.nodes ?? []).map((n) => ({ name: n.name, hostName: n.hostName, host: n.host, port: n.port, sshdPid: runningSshdPid(layout, n.name) ?? -1 })),
    })),
  };
}
