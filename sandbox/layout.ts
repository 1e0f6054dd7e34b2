/**
 * Where everything lives inside a sandbox directory D. Shared by the host side and the emulator
 * (which runs once per remote command), so it stays dependency-free.
 */
import * as path from "path";

/** Login user of every sandbox front-end. */
export const SANDBOX_USER = "onefed";

/** Real OpenNebula paths each front-end gets its own copy of (bind-mounted in its namespace). */
export const FRONTEND_MOUNTS = ["/etc/one", "/var/lib/one", "/var/lock/one", "/var/log/one", "/var/run/one", "/etc/apt/sources.list.d"] as const;

/** dnf/yum repository directory: a RHEL-family machine's own copy replaces the apt sources. */
export const YUM_REPOS_DIR = "/etc/yum.repos.d";

/** Every path any machine may get its own copy of. */
export const ALL_MOUNTS: readonly string[] = [...FRONTEND_MOUNTS, YUM_REPOS_DIR];

/** The private paths of a machine: the OpenNebula ones, plus the package manager's repository directory. */
export function mountsOf(manager: "apt" | "dnf" | "yum"): string[] {
  return manager === "apt" ? [...FRONTEND_MOUNTS] : [...FRONTEND_MOUNTS.filter((m) => m !== "/etc/apt/sources.list.d"), YUM_REPOS_DIR];
}

/** Default FED_INDEX every zone starts at (the samples' value). */
export const DEFAULT_FED_INDEX = 715438;

/** Paths of one sandbox directory. */
export class SandboxLayout {
  /** Absolute sandbox directory. */
  public readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** The registry every tool reads to resolve zones, endpoints and front-ends. */
  get registry(): string {
    return path.join(this.dir, "sandbox.json");
  }
  /** The federation file for the runner. */
  get federationFile(): string {
    return path.join(this.dir, "federation.yaml");
  }
  /** Client key pair directory (also holds authorized_keys). */
  get keysDir(): string {
    return path.join(this.dir, "keys");
  }
  /** Client private key (OpenSSH format). */
  get privateKey(): string {
    return path.join(this.keysDir, "id_ed25519");
  }
  /** sshd's AuthorizedKeysFile. */
  get authorizedKeys(): string {
    return path.join(this.keysDir, "authorized_keys");
  }
  /** Every front-end's host key, for the runner. */
  get knownHosts(): string {
    return path.join(this.dir, "known_hosts");
  }
  /** Where the runner keeps local artifacts (federation.yaml backup.localDirectory). */
  get artifacts(): string {
    return path.join(this.dir, "artifacts");
  }
  /** sshd's ForceCommand. */
  get frontendShell(): string {
    return path.join(this.dir, "bin", "frontend-shell");
  }
  /** Directory of the emulated command shims, first on PATH in every session. */
  get emulatedBin(): string {
    return path.join(this.dir, "bin", "emulated");
  }
  /** Directory of one machine: `frontends/<fe>`, or `nodes/<node>` for a hypervisor node. */
  frontendDir(fe: string): string {
    return path.join(this.dir, isNodeName(fe) ? "nodes" : "frontends", fe);
  }
  /** The front-end's own tree, bind-mounted over the real OpenNebula paths. */
  frontendRoot(fe: string): string {
    return path.join(this.frontendDir(fe), "root");
  }
  /** A real OpenNebula path of a front-end as seen from the host, e.g. ("zone0-server0", "/var/lib/one/one.db"). */
  hostPath(fe: string, onePath: string): string {
    return path.join(this.frontendRoot(fe), onePath);
  }
  /** The front-end's state.json (packages, services, onecfg, injections). */
  state(fe: string): string {
    return path.join(this.frontendDir(fe), "state.json");
  }
  /** Lock guarding state.json read-modify-write. */
  stateLock(fe: string): string {
    return path.join(this.frontendDir(fe), "state.lock");
  }
  /** Exists while the front-end has pending injections, so the shell checks only then. */
  injectionsMarker(fe: string): string {
    return path.join(this.frontendDir(fe), "injections.pending");
  }
  /** Append-only JSON lines of every command (exec and sftp). */
  commandLog(fe: string): string {
    return path.join(this.frontendDir(fe), "commands.log");
  }
  /** The front-end's sshd_config. */
  sshdConfig(fe: string): string {
    return path.join(this.frontendDir(fe), "sshd_config");
  }
  /** The front-end's ed25519 host key. */
  hostKey(fe: string): string {
    return path.join(this.frontendDir(fe), "ssh_host_ed25519_key");
  }
  /** sshd PidFile. */
  sshdPid(fe: string): string {
    return path.join(this.frontendDir(fe), "sshd.pid");
  }
  /** sshd's stderr (-e). */
  sshdLog(fe: string): string {
    return path.join(this.frontendDir(fe), "sshd.log");
  }
  /** Lower layer put over /usr/bin on RHEL-family machines: whiteouts that hide the host's apt and dpkg tools. */
  usrBinHide(fe: string): string {
    return path.join(this.frontendDir(fe), "usr-bin-hide");
  }
  /** Upper layer of the front-end's /etc overlay: new entries under /etc (e.g. a copy of /etc/one). */
  etcUpper(fe: string): string {
    return path.join(this.frontendDir(fe), "etc-overlay", "upper");
  }
  /** Work directory of that overlay. */
  etcWork(fe: string): string {
    return path.join(this.frontendDir(fe), "etc-overlay", "work");
  }
  /** Per-zone Raft state of the HA zones (owned by the login user). */
  get raftDir(): string {
    return path.join(this.dir, "raft");
  }
  /** An HA zone's Raft record: leader, term, log index, test switches. */
  raftState(zoneId: number): string {
    return path.join(this.raftDir, `zone${zoneId}.json`);
  }
  /** Lock guarding that record's read-modify-write. */
  raftLock(zoneId: number): string {
    return path.join(this.raftDir, `zone${zoneId}.lock`);
  }
  /** The password of the MySQL-configured zones' stand-in server (mode 0600, one line); only with such zones. */
  get mysqlPassword(): string {
    return path.join(this.dir, "mysql-password");
  }
  /** JSON lines: processes whose command line held the MySQL password while onedb ran on this front-end. */
  passwordLeaks(fe: string): string {
    return path.join(this.frontendDir(fe), "password-leaks.log");
  }
  /** The front-end's SQLite database, seen from the host. */
  db(fe: string): string {
    return this.hostPath(fe, "/var/lib/one/one.db");
  }
}

/** Front-end name of a zone's server: `zone<id>-server<n>`. */
export function frontendName(zoneId: number, server = 0): string {
  return `zone${zoneId}-server${server}`;
}

/** Machine name of a zone's hypervisor node: `zone<id>-node<n>`. */
export function nodeName(zoneId: number, n: number): string {
  return `zone${zoneId}-node${n}`;
}

/** A node's NAME in its zone's host pool: `kvm-<zone id>-<n>`. */
export function nodeHostName(zoneId: number, n: number): string {
  return `kvm-${zoneId}-${n}`;
}

/** Whether a machine name is a hypervisor node's. */
export function isNodeName(name: string): boolean {
  return /^zone\d+-node\d+$/.test(name);
}
