/**
 * Where everything lives inside a sandbox directory D, as absolute paths: the names of
 * contract.ts joined under D. Shared by the host side and the emulator (which runs once per
 * remote command), so it imports nothing but `path` and the contract.
 */
import * as path from "path";
import {
  BIN_DIR,
  KEYS_DIR,
  MACHINE_DIR,
  ONE_FILES,
  SANDBOX_DIR,
  SandboxHostKeyType,
  emulatedDirName,
  hostKeyFileName,
  isNodeName,
  raftLockName,
  raftRecordName,
} from "./contract";

/** Paths of one sandbox directory. */
export class SandboxLayout {
  /** Absolute sandbox directory. */
  public readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** The registry every tool reads to resolve zones, endpoints and front-ends. */
  get registry(): string {
    return path.join(this.dir, SANDBOX_DIR.registry);
  }
  /** The federation file for the runner. */
  get federationFile(): string {
    return path.join(this.dir, SANDBOX_DIR.federationFile);
  }
  /** Client key pair directory (also holds authorized_keys). */
  get keysDir(): string {
    return path.join(this.dir, SANDBOX_DIR.keys);
  }
  /** Client private key (OpenSSH format). */
  get privateKey(): string {
    return path.join(this.keysDir, KEYS_DIR.privateKey);
  }
  /** sshd's AuthorizedKeysFile. */
  get authorizedKeys(): string {
    return path.join(this.keysDir, KEYS_DIR.authorizedKeys);
  }
  /** Every front-end's host key, for the runner. */
  get knownHosts(): string {
    return path.join(this.dir, SANDBOX_DIR.knownHosts);
  }
  /** Where the runner keeps local artifacts (federation.yaml backup.localDirectory). */
  get artifacts(): string {
    return path.join(this.dir, SANDBOX_DIR.artifacts);
  }
  /** sshd's ForceCommand. */
  get frontendShell(): string {
    return path.join(this.dir, SANDBOX_DIR.bin, BIN_DIR.frontendShell);
  }
  /** Directory of a Debian front-end's emulated command shims, first on PATH in its sessions. */
  get emulatedBin(): string {
    return this.shimDir("");
  }
  /** The shim directory of a machine profile (machine-profile.ts profileOf; "" for a Debian front-end). */
  shimDir(profile: string): string {
    return path.join(this.dir, SANDBOX_DIR.bin, emulatedDirName(profile));
  }
  /** The `sh` shim directory of guarded commands (contract.ts COMMAND_GUARD_PREFIX). */
  get guardedBin(): string {
    return path.join(this.dir, SANDBOX_DIR.bin, BIN_DIR.guarded);
  }
  /** What RHEL-family machines get instead of the host's apt and dpkg tools when overlayfs cannot hide them. */
  get commandNotFound(): string {
    return path.join(this.dir, SANDBOX_DIR.bin, BIN_DIR.commandNotFound);
  }
  /** Directory of one machine: `frontends/<fe>`, or `nodes/<node>` for a hypervisor node. */
  frontendDir(fe: string): string {
    return path.join(this.dir, isNodeName(fe) ? SANDBOX_DIR.nodes : SANDBOX_DIR.frontends, fe);
  }
  /** The front-end's own tree, bind-mounted over the real OpenNebula paths. */
  frontendRoot(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.root);
  }
  /** A real OpenNebula path of a front-end as seen from the host, e.g. ("zone0-server0", "/var/lib/one/one.db"). */
  hostPath(fe: string, onePath: string): string {
    return path.join(this.frontendRoot(fe), onePath);
  }
  /** The front-end's state.json (packages, services, onecfg, injections). */
  state(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.state);
  }
  /** Lock guarding state.json read-modify-write. */
  stateLock(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.stateLock);
  }
  /** Exists while the front-end has pending injections, so the shell checks only then. */
  injectionsMarker(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.injectionsPending);
  }
  /** Append-only JSON lines of every command (exec and sftp). */
  commandLog(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.commandLog);
  }
  /** The front-end's sshd_config. */
  sshdConfig(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.sshdConfig);
  }
  /** The front-end's host key of one type (`.pub` beside it). @default type "ed25519" */
  hostKey(fe: string, type: SandboxHostKeyType = "ed25519"): string {
    return path.join(this.frontendDir(fe), hostKeyFileName(type));
  }
  /** sshd PidFile. */
  sshdPid(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.sshdPid);
  }
  /** sshd's stderr (-e). */
  sshdLog(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.sshdLog);
  }
  /** Lower layer put over /usr/bin on RHEL-family machines: whiteouts that hide the host's apt and dpkg tools. */
  usrBinHide(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.usrBinHide);
  }
  /** Upper layer of the front-end's /etc overlay: new entries under /etc (e.g. a copy of /etc/one). */
  etcUpper(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.etcOverlay, "upper");
  }
  /** Work directory of that overlay. */
  etcWork(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.etcOverlay, "work");
  }
  /** Per-zone Raft state of the HA zones (owned by the login user). */
  get raftDir(): string {
    return path.join(this.dir, SANDBOX_DIR.raft);
  }
  /** An HA zone's Raft record: leader, term, log index, test switches. */
  raftState(zoneId: number): string {
    return path.join(this.raftDir, raftRecordName(zoneId));
  }
  /** Lock guarding that record's read-modify-write. */
  raftLock(zoneId: number): string {
    return path.join(this.raftDir, raftLockName(zoneId));
  }
  /** The password of the MySQL-configured zones' MariaDB account (mode 0600, one line); only with such zones. */
  get mysqlPassword(): string {
    return path.join(this.dir, SANDBOX_DIR.mysqlPassword);
  }
  /** JSON lines: processes whose command line held the MySQL password while onedb ran on this front-end. */
  passwordLeaks(fe: string): string {
    return path.join(this.frontendDir(fe), MACHINE_DIR.passwordLeaks);
  }
  /** The jump host's directory (sandboxes with a jump host). */
  get jumpHostDir(): string {
    return path.join(this.dir, SANDBOX_DIR.jumpHost);
  }
  /** A file of the jump host's sshd: its config, (ed25519) host key, pid or log (the names machines use). */
  jumpHostFile(file: "sshdConfig" | "hostKey" | "sshdPid" | "sshdLog"): string {
    return path.join(this.jumpHostDir, file === "hostKey" ? hostKeyFileName("ed25519") : MACHINE_DIR[file]);
  }
  /** The jump host's AuthorizedKeysFile: the client key, allowed to forward (unlike the machines' `restrict`). */
  get jumpHostAuthorizedKeys(): string {
    return path.join(this.jumpHostDir, KEYS_DIR.authorizedKeys);
  }
  /** The front-end's SQLite database, seen from the host (a MySQL zone's front-end has none: see store()). */
  db(fe: string): string {
    return this.hostPath(fe, ONE_FILES.db);
  }
  /** A file of a MySQL front-end's MariaDB server: its data directory, pid file, error log, socket, or the seed it loads once. */
  mariadb(fe: string, file: "data" | "pid" | "log" | "socket" | "seed"): string {
    const names = { data: "data", pid: "mariadbd.pid", log: "mariadbd.err", socket: "mysqld.sock", seed: "seed.sql" } as const;
    return path.join(this.frontendDir(fe), MACHINE_DIR.mariadb, names[file]);
  }
}
