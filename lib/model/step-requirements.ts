/**
 * What every step relies on, as (step, zone) pairs that the federation's ledger must prove complete
 * before the step acts. The synth draws the same order as terraform edges (GraphInvariants proves
 * it on the graph); the runner proves it again at run time, because terraform's state is a
 * schedule, not proof: a killed apply leaves "created" steps that never finished.
 * test/unit/step-requirements.test.ts holds this table to the synthesized graph.
 */
import { FederationConfig, freezesZone, isHaZone, ZoneConfig } from "./federation";
import { STEP_FACTS, StepName } from "./steps";

export interface Requirement {
  readonly step: StepName;
  readonly zoneId: number;
  /** Why, in the words of a refusal: "nothing is changed before the zone's full safety backup". */
  readonly why: string;
}

const req = (step: StepName, zone: Pick<ZoneConfig, "id">, why: string): Requirement => ({ step, zoneId: zone.id, why });

/** Why the first change waits for the downloads: the window it opens should hold no download. */
const DOWNLOAD_FIRST = "the packages are in every cache before the window of frozen or stopped zones opens";

/** Whether a (step, zone) exists in this upgrade at all. */
export function hasStep(step: StepName, zone: ZoneConfig, config: FederationConfig): boolean {
  return STEP_FACTS[step].appliesTo(zone, config);
}

/** The zone a federation-wide step (preflight, sync, backup) is recorded under in a coordinated upgrade. */
function federationZone(config: FederationConfig): ZoneConfig {
  return config.master;
}

/** The step that brings a zone back last, before the verification: what verify waits for. */
function lastBeforeVerify(zone: ZoneConfig, config: FederationConfig): StepName {
  if (hasStep("hosts-enable", zone, config)) return "hosts-enable";
  if (config.upgradeType === "B" && freezesZone(zone, config)) return "unfreeze";
  return "start";
}

export function requirementsOf(step: StepName, zone: ZoneConfig, config: FederationConfig): Requirement[] {
  return config.upgradeType === "A" ? zoneByZone(step, zone, config) : coordinated(step, zone, config);
}

/** Type A: each zone's own chain, nothing across zones. */
function zoneByZone(step: StepName, zone: ZoneConfig, config: FederationConfig): Requirement[] {
  const own = (s: StepName, why: string) => (hasStep(s, zone, config) ? [req(s, zone, why)] : []);
  switch (step) {
    case "preflight":
      return [];
    case "download":
      return own("preflight", "nothing changes before the zone's preflight passed");
    case "hosts-disable":
      return [...own("preflight", "nothing changes before the zone's preflight passed"), ...own("download", DOWNLOAD_FIRST)];
    case "stop":
      return [
        ...own("preflight", "nothing stops before the zone's preflight passed"),
        ...own("download", DOWNLOAD_FIRST),
        ...own("hosts-disable", "the zone's hosts are disabled first"),
      ];
    case "safety-backup":
      return own("stop", "the full backup is taken with oned stopped");
    case "upgrade":
      return own("safety-backup", "nothing is changed before the zone's full safety backup");
    case "replicate":
      return own("upgrade", "the followers get the leader's DB once it is upgraded");
    case "start":
      return isHaZone(zone)
        ? own("replicate", "an HA zone starts only once every follower holds the leader's upgraded DB")
        : own("upgrade", "the zone starts on the new version only");
    case "nodes":
      return own("start", "node packages follow the front-end's upgrade");
    case "hosts-enable":
      return [
        ...own("start", "hosts are enabled once the zone runs again"),
        ...own("nodes", "onehost sync pushes the new drivers only once the node packages are upgraded"),
      ];
    case "verify":
      return own(lastBeforeVerify(zone, config), "the zone is verified once it is back");
    default:
      return [];
  }
}

/** Type B: the coordinated order across zones. */
function coordinated(step: StepName, zone: ZoneConfig, config: FederationConfig): Requirement[] {
  const fed = federationZone(config);
  const own = (s: StepName, why: string) => (hasStep(s, zone, config) ? [req(s, zone, why)] : []);
  const every = (s: StepName, why: string) => config.zones.filter((z) => hasStep(s, z, config)).map((z) => req(s, z, why));
  switch (step) {
    case "preflight":
      return [];
    case "download":
      return [req("preflight", fed, "nothing changes before every preflight passed")];
    case "hosts-disable":
      return [req("preflight", fed, "nothing changes before every preflight passed"), ...every("download", DOWNLOAD_FIRST)];
    case "freeze":
      return [
        req("preflight", fed, "nothing changes before every preflight passed"),
        ...every("download", DOWNLOAD_FIRST),
        ...own("hosts-disable", "a disabled zone refuses onehost disable"),
        ...(zone.role === "master" ? every("freeze", "slaves are disabled before the master").filter((r) => r.zoneId !== zone.id) : []),
      ];
    case "sync":
      return [
        req("preflight", fed, "nothing changes before every preflight passed"),
        ...every("download", DOWNLOAD_FIRST),
        ...every("freeze", "FED_INDEX means something only once writes are frozen"),
        ...every("hosts-disable", "host calls are writes: every zone's hosts are disabled before FED_INDEX is compared"),
      ];
    case "stop":
      return [req("sync", fed, "zones stop only once the federation is frozen and in sync")];
    case "safety-backup":
      return own("stop", "the full backup is taken with oned stopped");
    case "restore":
      return [
        req("backup", fed, "a slave restores only the upgraded master's backup"),
        ...own("safety-backup", "nothing is changed before the zone's full safety backup"),
      ];
    case "upgrade":
      return zone.role === "master"
        ? [
            ...every("stop", "every zone is stopped before the master upgrades"),
            ...own("safety-backup", "nothing is changed before the zone's full safety backup"),
          ]
        : [
            ...own("safety-backup", "nothing is changed before the zone's full safety backup"),
            ...own("restore", "a slave is never upgraded before its own federated restore"),
          ];
    case "replicate":
      return own("upgrade", "the followers get the leader's DB once it is upgraded");
    case "backup":
      return [req("upgrade", fed, "the federated backup exports the upgraded master")];
    case "start":
      return [
        ...(isHaZone(zone)
          ? own("replicate", "an HA zone starts only once every follower holds the leader's upgraded DB")
          : own("upgrade", "the zone starts on the new version only")),
        ...(zone.role === "master" ? [req("backup", fed, "a SQLite federated backup is taken with the master stopped")] : []),
      ];
    case "nodes":
      return own("start", "node packages follow the front-end's upgrade");
    case "unfreeze":
      return zone.role === "master"
        ? every("start", "the freeze is lifted only once every zone runs the new version")
        : [
            ...every("start", "the freeze is lifted only once every zone runs the new version"),
            ...(hasStep("unfreeze", config.master, config) ? [req("unfreeze", config.master, "the master is enabled before the slaves")] : []),
          ];
    case "hosts-enable":
      return [
        ...(hasStep("unfreeze", zone, config)
          ? [req("unfreeze", zone, "hosts are enabled only after their zone is enabled again")]
          : own("start", "hosts are enabled once the zone runs again")),
        ...own("nodes", "onehost sync pushes the new drivers only once the node packages are upgraded"),
      ];
    case "verify":
      return config.zones.map((z) => req(lastBeforeVerify(z, config), z, "zones are verified once every zone is back"));
  }
}

/** The steps whose completion ends the upgrade: once all are recorded, the federation lock is released. */
export function finalSteps(config: FederationConfig): Requirement[] {
  return config.zones.map((z) => req("verify", z, "the upgrade ends when every zone is verified"));
}
