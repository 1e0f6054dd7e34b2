/**
 * Who and where an emulated command is: the sandbox directory and front-end come from the
 * environment the front-end shell sets; every other front-end is reached through sandbox.json.
 */
import * as fs from "fs";
import * as path from "path";
import { FrontendState, readState, updateState } from "../frontend-state";
import { ALL_MOUNTS, ENV_FRONTEND, ENV_FRONTEND_ROOT, ENV_SANDBOX_DIR, ONE_FILES } from "../contract";
import { SandboxLayout } from "../layout";
import { FrontendEntry, SandboxPackageManager, SandboxRegistry, ZoneEntry, allMachines, nodeOf, packageManagerOf, readRegistry } from "../registry";
import { machineUnits, releaseOfDeb } from "../catalog";
import { RaftView, raftView } from "../raft";
import { frontendStore, mariadbTargetOfFrontend } from "../mysql";

/** The emulated command's view of the sandbox. */
export class EmulatorContext {
  /** Sandbox paths. */
  public readonly layout: SandboxLayout;
  /** Topology. */
  public readonly registry: SandboxRegistry;
  /** The machine the command runs on (a front-end, or a node: see `isNode`). */
  public readonly self: FrontendEntry;
  /** Whether it is a hypervisor node (no oned, no OpenNebula CLI). */
  public readonly isNode: boolean;
  /** Its zone's package manager. */
  public readonly packageManager: SandboxPackageManager;
  /** Its zone. */
  public readonly zone: ZoneEntry;
  /** Root prefix of own paths outside the namespace; undefined inside it. */
  public readonly testRoot: string | undefined;
  /** Environment of the command. */
  public readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    const dir = env[ENV_SANDBOX_DIR];
    const fe = env[ENV_FRONTEND];
    if (!dir || !fe) throw new Error(`${ENV_SANDBOX_DIR} and ${ENV_FRONTEND} must be set (run through the sandbox front-end shell)`);
    this.layout = new SandboxLayout(dir);
    const reg = readRegistry(this.layout);
    if (!reg) throw new Error(`no sandbox in ${dir}`);
    this.registry = reg;
    const self = allMachines(reg).find((f) => f.name === fe);
    if (!self) throw new Error(`unknown front-end ${fe}`);
    this.self = self;
    this.isNode = nodeOf(reg, fe) !== undefined;
    this.zone = reg.zones.find((z) => z.id === self.zoneId)!;
    this.packageManager = packageManagerOf(this.zone);
    this.testRoot = env[ENV_FRONTEND_ROOT] || undefined;
    this.env = env;
  }

  /** An OpenNebula path on this front-end (the real path inside its namespace). */
  ownPath(onePath: string): string {
    return this.testRoot ? path.join(this.testRoot, onePath) : onePath;
  }

  /** An OpenNebula path on any front-end. */
  pathOn(fe: string, onePath: string): string {
    return fe === this.self.name ? this.ownPath(onePath) : this.layout.hostPath(fe, onePath);
  }

  /** A path the user typed: relative to the cwd; in tests, OpenNebula paths map into the test root. */
  userPath(p: string): string {
    const abs = path.resolve(p);
    if (this.testRoot && ALL_MOUNTS.some((m) => abs === m || abs.startsWith(`${m}/`))) return path.join(this.testRoot, abs);
    return abs;
  }

  /** Where a front-end's tables live (db-store.ts): its database file, or a MySQL zone's MariaDB database. */
  dbOf(fe: string = this.self.name): string {
    return mariadbTargetOfFrontend(this.layout, this.registry, fe) ? frontendStore(this.layout, this.registry, fe) : this.pathOn(fe, ONE_FILES.db);
  }

  /** A front-end's state. */
  state(fe: string = this.self.name): FrontendState {
    return readState(this.layout, fe);
  }

  /** Locked change of a front-end's state. */
  update<T>(fn: (s: FrontendState) => T, fe: string = this.self.name): T {
    return updateState(this.layout, fe, fn);
  }

  /** Installed OpenNebula release on a front-end, null when the package is absent. */
  installedVersion(fe: string = this.self.name): string | null {
    const deb = this.state(fe).packages["opennebula"];
    return deb ? releaseOfDeb(deb) : null;
  }

  /** Unit files on this machine for its installed packages (a node: libvirtd). */
  knownUnits(packages: Readonly<Record<string, string>> = this.state().packages, fallback?: string): string[] {
    return machineUnits(this.isNode, packages, fallback);
  }

  /** Whether a front-end's oned runs. */
  onedActive(fe: string = this.self.name): boolean {
    return this.state(fe).services["opennebula.service"] === "active";
  }

  /** The master zone. */
  masterZone(): ZoneEntry {
    return this.registry.zones.find((z) => z.role === "master")!;
  }

  /**
   * The master's front-end: the master zone's Raft leader, or its first server while an HA
   * master has none (then nothing answers there: callers check that its oned can be reached).
   */
  master(): FrontendEntry {
    return this.leaderOf(this.masterZone().id) ?? this.masterZone().frontends[0];
  }

  /** A zone by id. */
  zoneById(zoneId: number): ZoneEntry | undefined {
    return this.registry.zones.find((z) => z.id === zoneId);
  }

  /** An HA zone's Raft state right now (undefined for solo zones); evaluating it may hold an election. */
  raft(zoneId: number): RaftView | undefined {
    const zone = this.zoneById(zoneId);
    return zone?.ha ? raftView(this.layout, zone) : undefined;
  }

  /** Who serves a zone's endpoint: its only front-end, or an HA zone's leader (undefined without one). */
  leaderOf(zoneId: number): FrontendEntry | undefined {
    const zone = this.zoneById(zoneId);
    if (!zone) return undefined;
    return zone.ha ? raftView(this.layout, zone).leader : zone.frontends[0];
  }

  /** Whether a front-end is a server of an HA zone that does not lead it (a follower or a candidate). */
  isHaFollower(fe: FrontendEntry): boolean {
    const zone = this.zoneById(fe.zoneId);
    return zone?.ha === true && this.leaderOf(fe.zoneId)?.name !== fe.name;
  }

  /** Appends a line to one of this front-end's /var/log/one files. */
  log(file: string, line: string): void {
    try {
      fs.appendFileSync(this.ownPath(`/var/log/one/${file}`), line.endsWith("\n") ? line : `${line}\n`);
    } catch {
      /* logging never fails a command */
    }
  }
}
