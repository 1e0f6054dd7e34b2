/** One zone's steps. Edges inside the zone are drawn here; edges between zones by the stack. */
import { Construct } from "constructs";
import { FederationConfig, freezesZone, isHaZone, ZoneConfig } from "../../model/federation";
import { safetyBackupRecordPath } from "../../model/paths";
import { RunnerInvocation } from "../runner-invocation";
import { StepResource } from "./step-resource";

export interface ZoneProps {
  /** The zone from the federation file (its role decides restore, its front-ends HA); required. */
  readonly zone: ZoneConfig;
  /** The loaded federation file (freeze method, hosts.manage, versions); required. */
  readonly config: FederationConfig;
  /** How each step's local-exec calls the runner; required. */
  readonly runner: RunnerInvocation;
}

export class Zone extends Construct {
  /** The zone these steps upgrade. */
  public readonly zone: ZoneConfig;
  /** The target's packages into every front-end's and listed host's cache; the stack orders it after the preflight, before any freeze. */
  public readonly downloadStep: StepResource;
  /** Absent when this zone is not frozen itself (firewall freeze on the master only, or none). */
  public readonly freezeStep?: StepResource;
  /** Stops OpenNebula on every front-end; the stack orders it after the federation sync. */
  public readonly stopStep: StepResource;
  /** Full onedb backup with oned stopped, before the first change to packages or schema. */
  public readonly safetyBackupStep: StepResource;
  /** Where the safety backup's record (path, size, sha256) lands on the automation host. */
  public readonly safetyBackupRecordPath: string;
  /** Packages, configuration and DB schema to the target version. */
  public readonly upgradeStep: StepResource;
  /** HA zones only: the leader's DB and configuration handed to the followers. */
  public readonly replicateStep?: StepResource;
  /** OpenNebula running again on the new version. */
  public readonly startStep: StepResource;
  /** Lifts this zone's freeze; present exactly when freezeStep is. */
  public readonly unfreezeStep?: StepResource;
  /** Checks the zone runs the target version; the stack orders it after every zone is back. */
  public readonly verifyStep: StepResource;
  /** hosts.manage only: onehost disable before the freeze. */
  public readonly hostsDisableStep?: StepResource;
  /** hosts.manage only: onehost enable + sync once the zone is enabled again and its nodes upgraded. */
  public readonly hostsEnableStep?: StepResource;
  /** zones[].nodes only: node packages on the hypervisor hosts, before onehost sync. */
  public readonly nodesStep?: StepResource;
  /** The federated restore, on slaves only. */
  public readonly restoreStep?: StepResource;

  constructor(scope: Construct, id: string, props: ZoneProps) {
    super(scope, id);
    this.zone = props.zone;
    this.safetyBackupRecordPath = safetyBackupRecordPath(props.config, props.zone);
    const step = (name: StepResource["step"], after: StepResource[] = []) =>
      new StepResource(this, name, { step: name, zone: props.zone, config: props.config, runner: props.runner, after });
    const frozen = freezesZone(props.zone, props.config);
    this.downloadStep = step("download");
    if (props.config.hosts.manage) this.hostsDisableStep = step("hosts-disable");
    if (frozen) this.freezeStep = step("freeze", this.hostsDisableStep ? [this.hostsDisableStep] : []);
    this.stopStep = step("stop");
    this.safetyBackupStep = step("safety-backup", [this.stopStep]);
    if (props.zone.role === "slave") this.restoreStep = step("restore", [this.safetyBackupStep]);
    this.upgradeStep = step("upgrade", this.restoreStep ? [this.restoreStep] : [this.safetyBackupStep]);
    if (isHaZone(props.zone)) this.replicateStep = step("replicate", [this.upgradeStep]);
    this.startStep = step("start", [this.replicateStep ?? this.upgradeStep]);
    if (frozen) this.unfreezeStep = step("unfreeze", [this.startStep]);
    if (props.zone.nodes.length > 0) this.nodesStep = step("nodes", [this.startStep]);
    if (props.config.hosts.manage)
      this.hostsEnableStep = step("hosts-enable", [this.unfreezeStep ?? this.startStep, ...(this.nodesStep ? [this.nodesStep] : [])]);
    this.verifyStep = step("verify", [this.hostsEnableStep ?? this.unfreezeStep ?? this.startStep]);
  }
}
