/**
 * The sandbox's contract: the names its two sides must agree on. The host side (up, prepare, the
 * sshd configs and the front-end shell it writes, control, status, …) creates directories, files
 * and environments; the front-end shell and the emulators (emulator/*, one short-lived process per
 * remote command) find them again by the same names. Both import them from here instead of
 * spelling them twice; layout.ts joins them into absolute paths. docs/sandbox.md describes the
 * same layout for people.
 *
 * Imports nothing, not even node built-ins: the emulator loads it on every emulated command.
 */

// ---------------------------------------------------------------------------------------------
// Environment of every command a session runs

/** The sandbox directory D; the front-end shell exports it for every command. */
export const ENV_SANDBOX_DIR = "ONEFED_SANDBOX_DIR";
/** The machine (front-end or node) the command runs on; exported by the front-end shell. */
export const ENV_FRONTEND = "ONEFED_FRONTEND";
/** Set by the front-end shell once it has checked injections for the whole command line. */
export const ENV_INJECTIONS_CHECKED = "ONEFED_INJECTIONS_CHECKED";
/**
 * Outside the namespace only (tests, host-side helpers): prefix of the machine's own OpenNebula
 * paths, standing in for the mount namespace sshd sessions run in. Never set inside sessions.
 */
export const ENV_FRONTEND_ROOT = "ONEFED_SANDBOX_FRONTEND_ROOT";
/**
 * Set by the front-end shell for a command that a partial injection matched: the fraction (0..1) of
 * its work the command does before it dies as if killed (`onedb restore`: of the statements).
 */
export const ENV_PARTIAL = "ONEFED_SANDBOX_PARTIAL";
/** Any non-empty value: an emulated command that fails unexpectedly prints its stack, not only the message. */
export const ENV_DEBUG = "ONEFED_DEBUG";
/** Variable federation.yaml's passwordEnv names for the MySQL zones' password (what a deploy exports). */
export const SANDBOX_DB_PASSWORD_ENV = "ONEFED_SANDBOX_DB_PASSWORD";

// ---------------------------------------------------------------------------------------------
// The emulator's entry point: `node <emulator> <tool> [args…]`, or one of these modes

/**
 * `--injection-check <shell pid>`: run by the front-end shell before any command while an injection
 * or a hold is pending. A matching hold first: it blocks until the hold is released (or times out;
 * a killed hold never returns: the host kills the shell). Then a matching failure: it writes the
 * injected stderr to stderr, the injected exit code to stdout, and exits 1; the shell then exits
 * with that code. A matching partial injection: it prints `partial=<fraction>` and exits 0; the
 * shell exports ENV_PARTIAL for the command. Without a hit it prints nothing and exits 0.
 */
export const EMULATOR_INJECTION_CHECK = "--injection-check";
/** Run by `up` as the login user: proves that user can read and write what sessions need; prints `ok`. */
export const EMULATOR_SELF_TEST = "--self-test";

// ---------------------------------------------------------------------------------------------
// Inside a sandbox directory D

/** Entries of D. */
export const SANDBOX_DIR = {
  /** Topology, versions, emulator path (JSON, `format` REGISTRY_FORMAT): written by `up`, read by every emulated command. */
  registry: "sandbox.json",
  /** The runner's federation file. */
  federationFile: "federation.yaml",
  /** Client key pair and sshd's authorized_keys (see KEYS_DIR). */
  keys: "keys",
  /** Every machine's host key, for the runner. */
  knownHosts: "known_hosts",
  /** backup.localDirectory of the federation file. */
  artifacts: "artifacts",
  /** The front-end shell and the shim directories (see BIN_DIR). */
  bin: "bin",
  /** One directory per front-end (see MACHINE_DIR). */
  frontends: "frontends",
  /** One directory per hypervisor node (see MACHINE_DIR). */
  nodes: "nodes",
  /** HA zones' Raft records (raftRecordName) and their locks (raftLockName). */
  raft: "raft",
  /** MySQL zones only: the password of every MySQL front-end's MariaDB account, one line, mode 0600. */
  mysqlPassword: "mysql-password",
  /** Sandboxes with a jump host only: its sshd_config, host key, pid, log (MACHINE_DIR names) and authorized_keys. */
  jumpHost: "jump-host",
  /**
   * Exists while the front-end shells keep each ledger transaction's stdin (MACHINE_DIR.stdin): the
   * bench creates it for the deploy it replays, so the replay sends the same records (docs/bench.md).
   */
  recordStdin: "record-stdin",
} as const;

/** Entries of D/keys. */
export const KEYS_DIR = {
  /** Client private key (OpenSSH format; `.pub` beside it). */
  privateKey: "id_ed25519",
  /** sshd's AuthorizedKeysFile. */
  authorizedKeys: "authorized_keys",
} as const;

/** Entries of D/bin. */
export const BIN_DIR = {
  /** sshd's ForceCommand: logs the command, honours injections, runs it with the shims first on PATH. */
  frontendShell: "frontend-shell",
  /** Shims of a Debian front-end; other machine profiles get `emulated-<profile>` (emulatedDirName). */
  emulated: "emulated",
  /** What RHEL-family machines run instead of the host's apt and dpkg tools when overlayfs cannot hide them. */
  commandNotFound: "command-not-found",
  /** An `sh` first on PATH inside onefed's command guard only (see COMMAND_GUARD_PREFIX). */
  guarded: "guarded",
} as const;

/**
 * How onefed's command guard begins (lib/remote/opennebula/commands.ts commandGuard): a guarded
 * command is `sh -c '<guard script>' sh <lock> <note> <note text> <command line>`, and the guard runs
 * the command line with `sh -c` once it holds the machine's lock. The front-end shell runs the guard
 * as it is, with D/bin/guarded first on PATH, whose `sh` brings the command line back through the
 * front-end shell: the log, holds and injections see the command itself, when it really starts.
 */
export const COMMAND_GUARD_PREFIX = `sh -c 'exec 9>>"$1" || exit 1; flock -n 9`;

/**
 * How onefed's probe batch begins (lib/remote/opennebula/probe-batch.ts): several read-only command
 * lines in one session, each run with `sh -c` in turn. The front-end shell runs the batch like the
 * guard, with D/bin/guarded first on PATH, so each command is logged, held and injected on its own,
 * as if it had come alone; its log line carries `batch` (the batch's session) so round trips can be counted.
 */
export const PROBE_BATCH_PREFIX = "sh -c '# onefed probe batch";

/**
 * How a transaction of onefed's upgrade ledger begins (lib/remote/opennebula/ledger-files.ts): its
 * records come on stdin, which the front-end shell keeps while D/record-stdin exists; the bench tells
 * ledger writes apart by it (bench/probe-classes.ts).
 */
export const LEDGER_TRANSACTION_PREFIX = "sh -c 'umask 077; d=$1; sum=$2; rd=$3;";

/** Set for the commands of one probe batch: the batch's id in their command log lines. */
export const ENV_BATCH = "ONEFED_SANDBOX_BATCH";

/** The profile of the machine whose guarded command re-enters the front-end shell. */
export const ENV_PROFILE = "ONEFED_SANDBOX_PROFILE";

/** The shim directory of a machine profile ("" for a Debian front-end, else `node-apt`, `frontend-dnf`, …). */
export function emulatedDirName(profile: string): string {
  return profile ? `${BIN_DIR.emulated}-${profile}` : BIN_DIR.emulated;
}

/** Entries of one machine's directory: D/frontends/<front-end> or D/nodes/<node>. */
export const MACHINE_DIR = {
  /** The machine's own tree, bind-mounted over the real OpenNebula paths in its namespace. */
  root: "root",
  /** Packages, services, onecfg, injections, test switches (JSON, replaced whole by an atomic rename). */
  state: "state.json",
  /** Lock file (O_EXCL) guarding state.json's read-modify-write. */
  stateLock: "state.lock",
  /** Exists while injections or holds are pending, so the front-end shell starts the emulator only then. */
  injectionsPending: "injections.pending",
  /** Every session's command, one JSON line `{ts, frontend, command}`, appended by the front-end shell. */
  commandLog: "commands.log",
  /** MySQL zones: JSON lines of processes that showed the password while onedb ran. */
  passwordLeaks: "password-leaks.log",
  /** The machine's sshd_config. */
  sshdConfig: "sshd_config",
  // Host keys: ssh_host_<ed25519|ecdsa|rsa>_key with `.pub` beside them (hostKeyFileName).
  /** sshd's PidFile. */
  sshdPid: "sshd.pid",
  /** sshd's stderr (-e). */
  sshdLog: "sshd.log",
  /** RHEL family: whiteouts laid over /usr/bin to hide the host's apt and dpkg tools. */
  usrBinHide: "usr-bin-hide",
  /** The /etc overlay's `upper` and `work` directories. */
  etcOverlay: "etc-overlay",
  /** MySQL zones: the front-end's own MariaDB server (data directory, pid file, error log, socket). */
  mariadb: "mariadb",
  /**
   * While D/record-stdin exists: each ledger transaction's stdin, in a file named after its command
   * log line's `ts` and the session's pid (`<ts>-<pid>`).
   */
  stdin: "stdin",
} as const;

/** An HA zone's Raft record in D/raft: leader, term, log index, test switches (JSON). */
export function raftRecordName(zoneId: number): string {
  return `zone${zoneId}.json`;
}

/** The lock guarding that record's read-modify-write. */
export function raftLockName(zoneId: number): string {
  return `zone${zoneId}.lock`;
}

/** sandbox.json's `format`. */
export const REGISTRY_FORMAT = 1;

// ---------------------------------------------------------------------------------------------
// Inside a machine: the real OpenNebula paths it has its own copy of

/** Real OpenNebula paths each machine gets its own copy of (bind-mounted in its namespace). */
export const FRONTEND_MOUNTS = ["/etc/one", "/var/lib/one", "/var/lock/one", "/var/log/one", "/var/run/one", "/etc/apt/sources.list.d"] as const;

/** dnf/yum repository directory: a RHEL-family machine's own copy replaces the apt sources. */
export const YUM_REPOS_DIR = "/etc/yum.repos.d";

/** Every path any machine may get its own copy of. */
export const ALL_MOUNTS: readonly string[] = [...FRONTEND_MOUNTS, YUM_REPOS_DIR];

/** The private paths of a machine: the OpenNebula ones, plus its package manager's repository directory. */
export function mountsOf(manager: "apt" | "dnf" | "yum"): string[] {
  return manager === "apt" ? [...FRONTEND_MOUNTS] : [...FRONTEND_MOUNTS.filter((m) => m !== "/etc/apt/sources.list.d"), YUM_REPOS_DIR];
}

/** Files under those paths that the host side seeds or inspects and the emulators read or write. */
export const ONE_FILES = {
  /** The front-end's SQLite database (a MySQL zone's front-end has none: its tables are in its MariaDB). */
  db: "/var/lib/one/one.db",
  /** oned's lock file: present while oned runs (or after it died without cleaning up). */
  lock: "/var/lock/one/one",
  /** oned's pid file. */
  pid: "/var/run/one/oned.pid",
  /** The CLI's endpoint file (solo zones; an HA server has none and talks to its own oned). */
  endpoint: "/var/lib/one/.one/one_endpoint",
  /** oneadmin's credential file (`user:password`), read by the CLIs and by onedb's running-oned check. */
  oneAuth: "/var/lib/one/.one/one_auth",
  /** oned.conf: FEDERATION and DB sections. */
  onedConf: "/etc/one/oned.conf",
  /** Debian: the OpenNebula repository line apt-get reads. */
  aptRepository: "/etc/apt/sources.list.d/opennebula.list",
  /** RHEL family: the OpenNebula repository section dnf/yum read. */
  yumRepository: `${YUM_REPOS_DIR}/opennebula.repo`,
} as const;

// ---------------------------------------------------------------------------------------------
// Machines

/** The credential every sandbox oned accepts (oneadmin's, in the federated user_pool): what `up` writes into one_auth. */
export const ONEADMIN_CREDENTIAL = "oneadmin:sandbox";

/** Login user of every sandbox machine (sshd AllowUsers; owns what sessions write). */
export const SANDBOX_USER = "onefed";

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

/** The same test as an sh `case` pattern, for the front-end shell. */
export const NODE_NAME_GLOB = "zone*-node*";

/** Host key types every sandbox sshd offers, so tests can pin any one of them; ed25519 is what known_hosts pins by default. */
export const SANDBOX_HOST_KEY_TYPES = ["ed25519", "ecdsa", "rsa"] as const;
export type SandboxHostKeyType = (typeof SANDBOX_HOST_KEY_TYPES)[number];

/** A machine's host key file of one type, as OpenSSH names it: ssh_host_<type>_key. */
export function hostKeyFileName(type: SandboxHostKeyType): string {
  return `ssh_host_${type}_key`;
}
