/**
 * One zone of a type A (maintenance) upgrade: its own chain, no edge to any other zone, so one
 * zone's failure does not block the others (docs/opennebula.md §2.2, §4.2).
 */
import { Construct } from "constructs";
import { FederationConfig, isHaZone, ZoneConfig } from "../../model/federation";
import { safetyBackupRecordPath } from "../../model/paths";
import { RunnerInvocation } from "../runner-invocation";
import { StepResource } from "./step-resource";

export interface MaintenanceZoneProps {
  /** The zone from the federation file (its front-ends decide HA, its nodes the nodes step); required. */
  readonly zone: ZoneConfig;
  /** The loaded federation file (hosts.manage, versions); required. */
  readonly config: FederationConfig;
  /** How each step's local-exec calls the runner; required. */
  readonly runner: RunnerInvocation;
}

export class MaintenanceZone extends Construct {
  /** The zone these steps upgrade. */
  public readonly zone: ZoneConfig;
  /** This zone's own preflight: a type A upgrade has no federation-wide one. */
  public readonly preflightStep: StepResource;
  /** The target's packages into every front-end's and listed host's cache, before the zone's hosts are disabled or it stops. */
  public readonly downloadStep: StepResource;
  /** Stops OpenNebula on every front-end, once the preflight passed (and the hosts are disabled). */
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
  /** Checks the zone runs the target version; the last step of the chain. */
  public readonly verifyStep: StepResource;
  /** hosts.manage only: onehost disable before the stop. */
  public readonly hostsDisableStep?: StepResource;
  /** hosts.manage only: onehost enable + sync once the zone runs again and its nodes are upgraded. */
  public readonly hostsEnableStep?: StepResource;
  /** zones[].nodes only: node packages on the hypervisor hosts, before onehost sync. */
  public readonly nodesStep?: StepResource;

  constructor(scope: Construct, id: string, props: MaintenanceZoneProps) {
    super(scope, id);
    this.zone = props.zone;
    this.safetyBackupRecordPath = safetyBackupRecordPath(props.config, props.zone);
    const step = (name: StepResource["step"], after: StepResource[] = []) =>
      new StepResource(this, name, { step: name, zone: props.zone, config: props.config, runner: props.runner, after });
    this.preflightStep = step("preflight");
    this.downloadStep = step("download", [this.preflightStep]);
    if (props.config.hosts.manage) this.hostsDisableStep = step("hosts-disable", [this.downloadStep]);
    this.stopStep = step("stop", [this.hostsDisableStep ?? this.downloadStep]);
    this.safetyBackupStep = step("safety-backup", [this.stopStep]);
    this.upgradeStep = step("upgrade", [this.safetyBackupStep]);
    if (isHaZone(props.zone)) this.replicateStep = step("replicate", [this.upgradeStep]);
    this.startStep = step("start", [this.replicateStep ?? this.upgradeStep]);
    if (props.zone.nodes.length > 0) this.nodesStep = step("nodes", [this.startStep]);
    if (props.config.hosts.manage) this.hostsEnableStep = step("hosts-enable", [this.nodesStep ?? this.startStep]);
    this.verifyStep = step("verify", [this.hostsEnableStep ?? this.startStep]);
  }
}
