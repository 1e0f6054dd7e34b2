/**
 * One zone of a type A (maintenance) upgrade: its own chain, no edge to any other zone, so one
 * zone's failure does not block the others (docs/opennebula.md §2.2, §4.2).
 */
import { Construct } from "constructs";
import { FederationConfig, isHaZone, ZoneConfig } from "../../model/federation";
import { RunnerInvocation } from "../runner-invocation";
import { StepResource } from "./step-resource";

export interface MaintenanceZoneProps {
  readonly zone: ZoneConfig;
  readonly config: FederationConfig;
  readonly runner: RunnerInvocation;
}

export class MaintenanceZone extends Construct {
  public readonly zone: ZoneConfig;
  public readonly preflightStep: StepResource;
  public readonly stopStep: StepResource;
  public readonly safetyBackupStep: StepResource;
  public readonly upgradeStep: StepResource;
  /** HA zones only: the leader's DB and configuration handed to the followers. */
  public readonly replicateStep?: StepResource;
  public readonly startStep: StepResource;
  public readonly verifyStep: StepResource;
  public readonly hostsDisableStep?: StepResource;
  public readonly hostsEnableStep?: StepResource;
  /** zones[].nodes only: node packages on the hypervisor hosts, before onehost sync. */
  public readonly nodesStep?: StepResource;

  constructor(scope: Construct, id: string, props: MaintenanceZoneProps) {
    super(scope, id);
    this.zone = props.zone;
    const step = (name: StepResource["step"], after: StepResource[] = []) =>
      new StepResource(this, name, { step: name, zone: props.zone, config: props.config, runner: props.runner, after });
    this.preflightStep = step("preflight");
    if (props.config.hosts.manage) this.hostsDisableStep = step("hosts-disable", [this.preflightStep]);
    this.stopStep = step("stop", [this.hostsDisableStep ?? this.preflightStep]);
    this.safetyBackupStep = step("safety-backup", [this.stopStep]);
    this.upgradeStep = step("upgrade", [this.safetyBackupStep]);
    if (isHaZone(props.zone)) this.replicateStep = step("replicate", [this.upgradeStep]);
    this.startStep = step("start", [this.replicateStep ?? this.upgradeStep]);
    if (props.zone.nodes.length > 0) this.nodesStep = step("nodes", [this.startStep]);
    if (props.config.hosts.manage) this.hostsEnableStep = step("hosts-enable", [this.nodesStep ?? this.startStep]);
    this.verifyStep = step("verify", [this.hostsEnableStep ?? this.startStep]);
  }
}
