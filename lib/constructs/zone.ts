/** One zone's steps. Edges inside the zone are drawn here; edges between zones by the stack. */
import { Construct } from "constructs";
import { FederationConfig, ZoneConfig } from "../config/federation-config";
import { freezesZone } from "../steps/freeze";
import { RunnerInvocation } from "./runner-invocation";
import { StepResource } from "./step-resource";

export interface ZoneProps {
  readonly zone: ZoneConfig;
  readonly config: FederationConfig;
  readonly runner: RunnerInvocation;
}

export class Zone extends Construct {
  public readonly zone: ZoneConfig;
  /** Absent when this zone is not frozen itself (firewall freeze on the master only, or none). */
  public readonly freezeStep?: StepResource;
  public readonly stopStep: StepResource;
  /** Full onedb backup with oned stopped, before the first change to packages or schema. */
  public readonly safetyBackupStep: StepResource;
  public readonly upgradeStep: StepResource;
  public readonly startStep: StepResource;
  public readonly unfreezeStep?: StepResource;
  public readonly verifyStep: StepResource;
  /** The federated restore, on slaves only. */
  public readonly restoreStep?: StepResource;

  constructor(scope: Construct, id: string, props: ZoneProps) {
    super(scope, id);
    this.zone = props.zone;
    const step = (name: StepResource["step"], after: StepResource[] = []) =>
      new StepResource(this, name, { step: name, zone: props.zone, config: props.config, runner: props.runner, after });
    const frozen = freezesZone(props.zone, props.config);
    if (frozen) this.freezeStep = step("freeze");
    this.stopStep = step("stop");
    this.safetyBackupStep = step("safety-backup", [this.stopStep]);
    if (props.zone.role === "slave") this.restoreStep = step("restore", [this.safetyBackupStep]);
    this.upgradeStep = step("upgrade", this.restoreStep ? [this.restoreStep] : [this.safetyBackupStep]);
    this.startStep = step("start", [this.upgradeStep]);
    if (frozen) this.unfreezeStep = step("unfreeze", [this.startStep]);
    this.verifyStep = step("verify", [this.unfreezeStep ?? this.startStep]);
  }

  public get isMaster(): boolean {
    return this.zone.role === "master";
  }
}
