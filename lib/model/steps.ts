/**
 * The steps of an upgrade and where each applies: shared by the synth (which resources exist), the
 * runner (`onefed step` refuses a step on a zone it does not apply to) and the review. What a step
 * runs lives in lib/run/steps; what a plan says it will run, in lib/synth/step-plans.ts.
 */
import { FederationConfig, freezesZone, isHaZone, ZoneConfig } from "./federation";

export const STEP_NAMES = [
  "preflight",
  "download",
  "hosts-disable",
  "freeze",
  "sync",
  "stop",
  "safety-backup",
  "upgrade",
  "replicate",
  "backup",
  "restore",
  "start",
  "nodes",
  "unfreeze",
  "hosts-enable",
  "verify",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/**
 * The steps a resource's triggers say it runs, in run order: its `step` trigger (a step alone), or
 * its `steps` trigger (a chain, comma-separated, as the synth writes it); none when it has neither
 * (a stage barrier, another resource). The names are as written: the reader checks them.
 */
export function stepsInTriggers(triggers: Readonly<Record<string, unknown>>): string[] {
  if (typeof triggers.step === "string") return [triggers.step];
  return typeof triggers.steps === "string" ? triggers.steps.split(",") : [];
}

/** What a step is and which zones get a resource for it. */
export interface StepFacts {
  /** One line for plans, docs and `--help`. */
  readonly description: string;
  /** `federation` steps have one resource, run with the master's id. */
  readonly scope: "zone" | "federation";
  /** Which zones get a resource for this step. */
  readonly appliesTo: (zone: ZoneConfig, config: FederationConfig) => boolean;
}

const always = () => true;
const masterOnly = (zone: ZoneConfig) => zone.role === "master";
const managesHosts = (_zone: ZoneConfig, config: FederationConfig) => config.hosts.manage;

export const STEP_FACTS: Readonly<Record<StepName, StepFacts>> = {
  preflight: {
    description: "connect to every front-end with pinned host keys, then run the readiness checks of `onefed check`",
    scope: "federation",
    // Type B: once, for the whole federation (run with the master's id). Type A: per zone.
    appliesTo: (zone, config) => config.upgradeType === "A" || zone.role === "master",
  },
  download: {
    description:
      "before any freeze or stop: the repository switched to the target series, the package lists refreshed and the target's packages downloaded (not installed) on every front-end and listed host, then found in the package cache",
    scope: "zone",
    appliesTo: always,
  },
  "hosts-disable": {
    description: "onehost disable for the zone's enabled hosts (before the freeze); their ids are recorded",
    scope: "zone",
    appliesTo: managesHosts,
  },
  freeze: {
    description: "freeze federated writes: onezone disable through each zone's endpoint (slaves first), or firewall rules on the master",
    scope: "zone",
    appliesTo: freezesZone,
  },
  sync: {
    description: "on the master: onezone list --csv until every FED_INDEX is equal and stable",
    scope: "federation",
    appliesTo: masterOnly,
  },
  stop: {
    description: "systemctl stop every OpenNebula unit that exists (HA: followers first, the leader last); check that all are inactive and the lock is gone",
    scope: "zone",
    appliesTo: always,
  },
  "safety-backup": {
    description: "with oned stopped: a full onedb backup at an explicit path, its size and sha256 recorded for rollback",
    scope: "zone",
    appliesTo: always,
  },
  upgrade: {
    description: "config backup, repository switch, package upgrade from the cache the download step filled, onecfg upgrade, onedb upgrade -v, onedb fsck",
    scope: "zone",
    appliesTo: always,
  },
  replicate: {
    description: "HA: the leader's full onedb backup restored with -f on every follower, its /etc/one copied over theirs keeping each SERVER_ID",
    scope: "zone",
    appliesTo: isHaZone,
  },
  backup: {
    description: "on the master: onedb backup -v --federated, fetched to the artifact directory with its sha256",
    scope: "federation",
    appliesTo: masterOnly,
  },
  restore: {
    description: "on each slave: upload the federated backup, check its sha256 there, onedb restore <file> -v --federated",
    scope: "zone",
    appliesTo: (zone) => zone.role === "slave",
  },
  start: {
    description:
      "systemctl daemon-reload and start the target version's services (every HA server); onedb version must exit 0; HA: one leader, followers in sync",
    scope: "zone",
    appliesTo: always,
  },
  nodes: {
    description: "on each listed hypervisor host: opennebula-node-<kvm|lxc> to the target release, libvirtd restarted on KVM, before onehost sync",
    scope: "zone",
    appliesTo: (zone) => zone.nodes.length > 0,
  },
  unfreeze: {
    description: "lift the freeze: onezone enable (the master first, then the slaves), or remove exactly our firewall rules",
    scope: "zone",
    appliesTo: freezesZone,
  },
  "hosts-enable": {
    description: "once the zone is enabled again: onehost enable for exactly the hosts we disabled, then onehost sync --force",
    scope: "zone",
    appliesTo: managesHosts,
  },
  verify: {
    description: "installed and DB versions, services (every HA server), one Raft leader, zone enabled; on the master every FED_INDEX equal again",
    scope: "zone",
    appliesTo: always,
  },
};
