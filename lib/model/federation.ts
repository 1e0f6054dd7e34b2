/** The validated federation, with every default applied and every path absolute. */
import type { EngineName } from "./engine-choice";
import type { TerraformSettings } from "./state-backend";
import { NotifyConfig } from "./notify";
import { seriesOf } from "./version";

export type ZoneRole = "master" | "slave";
export type PackageManager = "apt" | "dnf" | "yum";
/** How federated writes are frozen (docs/opennebula.md §4.5, §4.6). */
export type FreezeMethod = "onezone-disable" | "firewall" | "none";

/** A: each zone on its own (maintenance release, shared DB version unchanged); B: coordinated. */
export type UpgradeType = "A" | "B";

/**
 * The upgrade type a release pair needs: every minor-to-minor release since 5.10 bumps the shared DB
 * version, so across series the slaves need the master's federated backup (B); inside one series
 * both DB versions stay, zone by zone (A). See docs/opennebula.md §4.2/§4.3.
 */
export function upgradeTypeFor(fromVersion: string, toVersion: string): UpgradeType {
  return seriesOf(fromVersion) === seriesOf(toVersion) ? "A" : "B";
}

export interface FrontendConfig {
  /** Address the runner connects to. */
  readonly host: string;
  /** SSH port. */
  readonly port: number;
}

/** How a machine's OpenNebula packages are upgraded. */
export interface PackagesConfig {
  readonly manager: PackageManager;
  /** Repository file content; `{series}` becomes the target major.minor. */
  readonly repositoryLine: string;
  /** When set, run instead of writing the repository file (argv; `{series}` substituted). */
  readonly repositoryCommand?: readonly string[];
}

/** How onedb reaches a zone's database. */
export interface DatabaseConfig {
  readonly backend: "sqlite" | "mysql";
  /** Name of the automation host's variable holding the MySQL password (never the password). */
  readonly passwordEnv?: string;
  /** MySQL connection for onedb (-S -P -u -d); absent: onedb reads oned.conf. */
  readonly connection?: { readonly server: string; readonly port: number; readonly user: string; readonly name: string };
}

/** A hypervisor host whose node package onefed upgrades. */
export interface NodeConfig {
  /** NAME in `onehost list`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly hypervisor: "kvm" | "lxc";
}

export interface ZoneConfig {
  readonly id: number;
  readonly name: string;
  readonly role: ZoneRole;
  /** XML-RPC endpoint of the zone (`onezone disable --endpoint` targets it). */
  readonly endpoint: string;
  readonly frontends: readonly FrontendConfig[];
  /** Deadline of one step on this zone, in seconds. */
  readonly stepTimeoutSeconds: number;
  /** The federation's database settings with this zone's overrides applied. */
  readonly database: DatabaseConfig;
  /** The federation's packages with this zone's overrides applied. */
  readonly packages: PackagesConfig;
  /** Hypervisor hosts whose node packages are upgraded (empty: none). */
  readonly nodes: readonly NodeConfig[];
  /** How the runner reaches and logs in to this zone's front-ends and hosts (the federation's ssh with this zone's overrides). */
  readonly ssh: ZoneSshConfig;
}

/**
 * Whether the runner offers the keys of an ssh-agent: `auto` when `SSH_AUTH_SOCK` is set,
 * `required` (ssh.agent: true) refuses to start without one, `off` (ssh.agent: false) never.
 */
export type SshAgentUse = "auto" | "required" | "off";

/** How the runner logs in to one machine: a zone's front-ends and hosts, or a jump host. */
export interface SshLogin {
  readonly user: string;
  /** Private key file (absolute); absent when the agent alone logs in. */
  readonly privateKeyPath?: string;
  /** Name of the automation host's variable holding that key's passphrase (never the passphrase). */
  readonly passphraseEnv?: string;
  /** Agent keys are offered before the key file, as OpenSSH does. */
  readonly agent: SshAgentUse;
}

/** One hop on the way to a zone's machines (ProxyJump): its host key is pinned in known_hosts like a front-end's. */
export interface JumpHostConfig extends SshLogin {
  readonly host: string;
  readonly port: number;
}

/** A zone's SSH settings: the federation's `ssh` with the zone's `ssh` merged over it. */
export interface ZoneSshConfig extends SshLogin {
  /** Jump hosts, first hop first; empty: the machines are reached directly. */
  readonly jump: readonly JumpHostConfig[];
}

export interface SshConfig extends ZoneSshConfig {
  readonly knownHostsPath: string;
  readonly connectTimeoutSeconds: number;
  readonly keepaliveIntervalSeconds: number;
}

/** Day names of a maintenance window, in JavaScript's getDay() order (0 = Sunday). */
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * When an upgrade may run (federation.yaml `window`): on each of `days`, from `start` to `end`
 * wall-clock time in `timezone`; an `end` not after `start` closes the next day (docs/estimates.md).
 */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  /** "HH:MM", 24-hour. */
  readonly start: string;
  /** "HH:MM", 24-hour; not after `start`: the next day. */
  readonly end: string;
  /** IANA time zone, e.g. Europe/Paris. */
  readonly timezone: string;
}

export interface FederationConfig {
  /** Absolute path of the file this was loaded from. */
  readonly sourcePath: string;
  readonly name: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Resolved from federation.upgradeType (auto: A inside one series, B across series). */
  readonly upgradeType: UpgradeType;
  /** What the file asked for, for messages. */
  readonly requestedUpgradeType: "auto" | UpgradeType;
  readonly ssh: SshConfig;
  /** The federation-wide default; steps read `zone.packages`, which applies a zone's overrides. */
  readonly packages: PackagesConfig;
  /** The password itself is never here: only the name of the variable that holds it at run time. */
  readonly freeze: {
    readonly method: FreezeMethod;
    readonly requested: "auto" | FreezeMethod;
    readonly allowFrom: readonly string[];
    readonly acknowledgeNoFreeze: boolean;
  };
  /** Whether the hypervisor hosts of each zone are disabled during the upgrade. */
  readonly hosts: { readonly manage: boolean };
  /** The federation-wide default; steps read `zone.database`, which applies a zone's overrides. */
  readonly database: DatabaseConfig;
  readonly backup: { readonly localDirectory: string; readonly remoteDirectory: string };
  readonly timeouts: { readonly stepSeconds: number; readonly syncWaitSeconds: number };
  /** The engine the file chooses (`engine:`); --engine and ONEFED_ENGINE override it (lib/model/engine-choice.ts). @default none: auto */
  readonly engine?: EngineName;
  /** Where the state lives and how long to wait for its lock (the file's `terraform` block). */
  readonly terraform: TerraformSettings;
  /** The run's webhook (docs/notify.md). @default none: no notifications */
  readonly notify?: NotifyConfig;
  /** When deploy and apply may run (docs/estimates.md). @default none: any time */
  readonly window?: MaintenanceWindow;
  readonly zones: readonly ZoneConfig[];
  readonly master: ZoneConfig;
  readonly slaves: readonly ZoneConfig[];
}

export const DEFAULTS = {
  sshPort: 22,
  connectTimeoutSeconds: 10,
  keepaliveIntervalSeconds: 5,
  packageManager: "apt" as PackageManager,
  repositoryLine: "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/{series}/Debian/12 stable opennebula",
  /** dnf/yum: the .repo file of the OpenNebula docs (repository configuration page). */
  yumRepository: [
    "[opennebula]",
    "name=OpenNebula Community Edition",
    "baseurl=https://downloads.opennebula.io/repo/{series}/RedHat/$releasever/$basearch",
    "enabled=1",
    "gpgkey=https://downloads.opennebula.io/repo/repo2.key",
    "gpgcheck=1",
    "repo_gpgcheck=1",
  ].join("\n"),
  localBackupDirectory: "./artifacts",
  remoteBackupDirectory: "/var/lib/one/backups/onefed",
  stepSeconds: 900,
  syncWaitSeconds: 60,
} as const;

export function zoneLabel(zone: Pick<ZoneConfig, "id" | "name">): string {
  return `zone ${zone.id} (${zone.name})`;
}

/** A zone with more than one front-end is a Raft cluster (docs/opennebula.md §3). */
export function isHaZone(zone: Pick<ZoneConfig, "frontends">): boolean {
  return zone.frontends.length > 1;
}

/** `host:port` of a front-end or host: how every message, record and trigger names a machine. */
export function hostPort(machine: { readonly host: string; readonly port: number }): string {
  return `${machine.host}:${machine.port}`;
}

/** The HA zone's floating IP: its ENDPOINT's host, as the recommended layout has it (docs/opennebula.md §3.1). */
export function floatingIpOf(zone: Pick<ZoneConfig, "endpoint">): string {
  return new URL(zone.endpoint).hostname.replace(/^\[|\]$/g, "");
}

/** Which zones are frozen: every zone with onezone-disable, the master alone with firewall, none otherwise. */
export function freezesZone(zone: ZoneConfig, config: FederationConfig): boolean {
  if (config.upgradeType === "A" || config.freeze.method === "none") return false;
  return config.freeze.method === "onezone-disable" || zone.role === "master";
}
