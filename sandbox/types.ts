/** Public data shapes of the sandbox API (all JSON-able). */
import { UnitState } from "./frontend-state";
import { PrepareOptions } from "./prepare";
import { SandboxPackageManager } from "./registry";
import { TimingProfile } from "./timing-profile";

/** Options of `sandboxUp`. */
export interface SandboxUpOptions extends PrepareOptions {
  /** Progress lines. @default silent */
  readonly log?: (line: string) => void;
}

/** What `sandboxUp` returns. */
export interface SandboxInfo {
  /** Absolute sandbox directory. */
  readonly dir: string;
  /** The federation file for the runner. */
  readonly federationFile: string;
  /** Client private key. */
  readonly privateKeyPath: string;
  /** known_hosts with every front-end's host key. */
  readonly knownHostsPath: string;
  /** Login user. */
  readonly user: string;
  /** Whether every sshd was already running (nothing was started). */
  readonly alreadyRunning: boolean;
  /**
   * The MySQL-configured zones' password (one line, mode 0600, owned by the login user): what
   * federation.yaml's passwordEnv (ONEFED_SANDBOX_DB_PASSWORD) must hold. Absent without such zones.
   */
  readonly mysqlPasswordFile?: string;
  /**
   * The jump host (`jumpHost: true`): its sshd forwards TCP to the machines and runs nothing; its log
   * records every forwarded channel (readJumpForwards). Absent without one.
   */
  readonly jumpHost?: { readonly host: string; readonly port: number; readonly sshdPid: number; readonly log: string };
  /** The timing profile the emulated commands follow now (sandbox/timing-profile.ts); `scale` with realistic only. */
  readonly timing: { readonly profile: TimingProfile; readonly scale?: number };
  /** Milliseconds `sandboxUp` took. */
  readonly durationMs: number;
  /** Federation name and versions. */
  readonly federation: { readonly name: string; readonly fromVersion: string; readonly toVersion: string };
  /** Zones and their front-ends (an HA zone: its servers in server-id order). */
  readonly zones: ReadonlyArray<
    SandboxZoneSummary & {
      /** Package manager of the zone's machines ("apt" unless the zone is RHEL-like). */
      readonly packageManager: SandboxPackageManager;
      readonly frontends: ReadonlyArray<{
        readonly name: string;
        readonly host: string;
        readonly port: number;
        readonly serverId: number;
        readonly sshdPid: number;
        /** MySQL zones: its MariaDB server's pid (absent on a SQLite zone's front-end). */
        readonly mariadbPid?: number;
      }>;
      /** Hypervisor nodes (`zone<id>-node<n>`, host pool name `kvm-<id>-<n>`); empty without --nodes. */
      readonly nodes: ReadonlyArray<{
        readonly name: string;
        readonly hostName: string;
        readonly host: string;
        readonly port: number;
        readonly sshdPid: number;
      }>;
    }
  >;
}

/** What both `sandboxUp` and `sandboxStatus` say about a zone. */
export interface SandboxZoneSummary {
  readonly id: number;
  readonly name: string;
  readonly role: "master" | "slave";
  /** Zone endpoint (an HA zone: its floating IP). */
  readonly endpoint: string;
  /** Whether the zone is an HA (Raft) cluster. */
  readonly ha: boolean;
  /** An HA zone's floating IP. */
  readonly vip?: string;
  /** Database backend oned.conf names ("mysql": each front-end on a MariaDB server of its own). */
  readonly dbBackend: "sqlite" | "mysql";
}

/** What a front-end reports about Raft: `solo` outside HA zones, `error` when its oned cannot be asked. */
export type RaftStatus = "solo" | "leader" | "follower" | "candidate" | "error";

/** One front-end in `sandboxStatus`. */
export interface FrontendStatus {
  /** `zone<id>-server<n>`. */
  readonly name: string;
  /** Raft server id in an HA zone (oned.conf SERVER_ID), -1 in a solo zone. */
  readonly serverId: number;
  /** Package manager: apt, or dnf / yum on a RHEL-like zone (its tools: rpm and dnf/yum instead of dpkg-query and apt-get). */
  readonly packageManager: SandboxPackageManager;
  /** Its Raft role as `onezone show` would print it (split brain: two `leader`s). */
  readonly raft: RaftStatus;
  /** sshd address. */
  readonly host: string;
  /** sshd port. */
  readonly port: number;
  /** Whether its sshd runs. */
  readonly sshdRunning: boolean;
  /** sshd pid, null when not running. */
  readonly sshdPid: number | null;
  /** Installed OpenNebula release ("6.10.0"), "" when the package is absent. */
  readonly packageVersion: string;
  /** onecfg's configuration version. */
  readonly configVersion: string;
  /** Database schema versions ("" when unreadable). */
  readonly db: { readonly shared: string; readonly local: string; readonly isSlave: boolean };
  /** Units by name without ".service" (timers keep ".timer"): "opennebula" → "active". */
  readonly services: Record<string, UnitState>;
  /** Whether /var/lock/one/one exists. */
  readonly lockFile: boolean;
  /** This front-end's zone_pool copy: zone id → ENABLED | DISABLED. */
  readonly zoneStates: Record<string, "ENABLED" | "DISABLED">;
  /** Last federated index in its logdb (-1 when none). */
  readonly fedIndex: number;
  /** Commands run over SSH so far. */
  readonly commandCount: number;
  /** Test switch: the master does not replicate here. */
  readonly replicationBlocked: boolean;
  /** Test switch: its oned endpoint answers. */
  readonly reachable: boolean;
  /** Test switch (HA follower): its Raft log is behind the leader's. */
  readonly raftLagging: boolean;
  /** Test switch: its oned accepts connections and never answers. */
  readonly hung: boolean;
  /** What /var/lib/one/.one/one_auth holds: oneadmin's valid credential, another one, or nothing. */
  readonly credential: "valid" | "wrong" | "missing";
  /** Migrators a test removed (`local/6.10.0_to_7.0.0.rb`); [] when all are there. */
  readonly missingMigrators: string[];
  /** `iptables -S INPUT` rule lines (`-A INPUT …`), in order. */
  readonly firewall: string[];
  /** Its zone's host pool (local table of this front-end's database), by id; `off` = disabled. */
  readonly hosts: ReadonlyArray<{ readonly id: number; readonly name: string; readonly state: "on" | "off" }>;
  /** When `onehost sync` last ran here (UTC ISO); absent until then. */
  readonly hostsSyncedAt?: string;
  /** MySQL zones: processes other than onedb's own children seen with the MySQL password in their command line while onedb ran here (0 when none). */
  readonly passwordLeaks: number;
  /** MySQL zones: the emulated onedb's own `sh -c mysqldump|mysql … -p'…'` children seen with the password (what the real onedb exposes). */
  readonly onedbPasswordExposures: number;
  /** MySQL zones: onedb runs that authenticated with a password their caller supplied (-p or ONE_DB_PASSWORD). */
  readonly onedbPasswordAuths: number;
  /** Holds armed or holding a command (`holdCommand`), in arming order. */
  readonly holds: readonly HoldStatus[];
  /** Directories made a full disk (`setDiskFull`) in its namespace. */
  readonly diskFull: ReadonlyArray<{ readonly path: string; readonly sizeBytes: number }>;
}

/** A hold in `sandboxStatus`. */
export interface HoldStatus {
  readonly id: string;
  readonly match: string;
  /** `armed`: waiting for a matching command; `held`: holding `command`; `released`: let go, its shell about to drop it. */
  readonly state: "armed" | "held" | "released";
  /** The held command line. */
  readonly command?: string;
}

/** One hypervisor node in `sandboxStatus`. */
export interface NodeStatus {
  /** Machine name, `zone<id>-node<n>` (command log, injections, state). */
  readonly name: string;
  /** Its NAME in the zone's host pool, `kvm-<zone id>-<n>`. */
  readonly hostName: string;
  /** sshd address. */
  readonly host: string;
  /** sshd port. */
  readonly port: number;
  /** Whether its sshd runs. */
  readonly sshdRunning: boolean;
  /** sshd pid, null when not running. */
  readonly sshdPid: number | null;
  /** Package manager of its zone. */
  readonly packageManager: SandboxPackageManager;
  /** Installed release of opennebula-node-kvm ("6.10.0"), "" when absent. */
  readonly packageVersion: string;
  /** libvirtd's unit state. */
  readonly libvirt: UnitState;
  /** Commands run over SSH so far. */
  readonly commandCount: number;
}

/** `sandboxStatus` result. */
export interface SandboxStatus {
  /** Absolute sandbox directory. */
  readonly dir: string;
  /** Federation name and versions. */
  readonly federation: { readonly name: string; readonly fromVersion: string; readonly toVersion: string };
  /** The MySQL-configured zones' password file; absent without such zones. */
  readonly mysqlPasswordFile?: string;
  /** The timing profile the emulated commands follow (`sandbox up --timing`). */
  readonly timing: { readonly profile: "fast" } | { readonly profile: "realistic"; readonly scale: number };
  /** The jump host: its sshd, and how many TCP channels it has forwarded so far; absent without one. */
  readonly jumpHost?: { readonly host: string; readonly port: number; readonly sshdPid: number | null; readonly forwards: number };
  /** Zones, master first. */
  readonly zones: ReadonlyArray<
    SandboxZoneSummary & {
      /** An HA zone's Raft term and leader (server id, null without one). */
      readonly raft?: { readonly term: number; readonly leader: number | null; readonly logIndex: number; readonly splitBrain: boolean };
      readonly frontends: readonly FrontendStatus[];
      /** Hypervisor nodes, in node order (empty without --nodes). */
      readonly nodes: readonly NodeStatus[];
    }
  >;
}

/** One line of a front-end's commands.log. */
export interface CommandLogEntry {
  /** ISO timestamp with microseconds (UTC). */
  readonly ts: string;
  /** Machine name (a front-end, or a node `zone<id>-node<n>`). */
  readonly frontend: string;
  /** The command line as the client sent it (sftp sessions: the sftp-server path). */
  readonly command: string;
  /** Set when the command came inside one of onefed's probe batches: that batch's id (one SSH session). @default absent */
  readonly batch?: string;
}

/** A failure to inject. */
export interface FailureInjection {
  /** Machine name: a front-end, or a node (`zone<id>-node<n>`). */
  readonly frontend: string;
  /** Substring of the command line that triggers it. */
  readonly match: string;
  /** How many matching commands fail. @default 1 */
  readonly times?: number;
  /** Exit status. @default 255 */
  readonly exitCode?: number;
  /** stderr text. @default "Injected failure" */
  readonly stderr?: string;
  /**
   * Instead of failing before it runs, the command runs and dies part-way as if killed (SIGKILL,
   * exit 137): the fraction (0..1) of its work done first. Modelled by `onedb restore` (a fraction
   * of the file's statements reach the database); other commands run whole. `exitCode` and
   * `stderr` do not apply. @default a plain failure
   */
  readonly partial?: number;
}

/** A command to hold before it runs (`holdCommand`). */
export interface CommandHold {
  /** Machine name: a front-end, or a node (`zone<id>-node<n>`). */
  readonly frontend: string;
  /** Substring of the command line that triggers it: the next such command waits. */
  readonly match: string;
  /** Seconds the held command waits at most; then it runs as if released. @default 300 */
  readonly timeoutSeconds?: number;
}

/** A command held before it ran. */
export interface HeldCommand {
  readonly frontend: string;
  /** The hold's id (`holdCommand`'s result). */
  readonly id: string;
  readonly match: string;
  /** The command line it holds. */
  readonly command: string;
  /** pid of the front-end shell running it. */
  readonly pid: number;
  /** When it was held (UTC ISO). */
  readonly heldAt: string;
}

/** Direct changes to a front-end's state, for tests. */
export interface FrontendStatePatch {
  /** Unit states by name ("opennebula" or "opennebula.service"); opennebula also moves its lock file. */
  readonly services?: Record<string, UnitState>;
  /** Installed release: every installed package moves to it, units follow (a node: opennebula-node-kvm). */
  readonly packageVersion?: string;
  /** onecfg's configuration version. */
  readonly configVersion?: string;
  /** Block master → slave replication (the zone lags). */
  readonly replicationBlocked?: boolean;
  /** Make the oned endpoint unreachable (FED_INDEX "-", connection refused). */
  readonly reachable?: boolean;
  /** HA follower: its Raft log falls behind the leader's (COMMIT/LOG_INDEX lower, not in sync). */
  readonly raftLagging?: boolean;
}
