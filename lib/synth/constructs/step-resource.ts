/**
 * One step on one zone as a null_resource whose create-time local-exec runs the runner. Triggers
 * make the plan readable in review and replace exactly what must run again when the target changes.
 */
import * as crypto from "crypto";
import { Construct } from "constructs";
import { NullResource } from "../cdk";
import { FederationConfig, hostPort, ZoneConfig } from "../../model/federation";
import { STEP_FACTS, StepName } from "../../model/steps";
import { STEP_PLANS } from "../step-plans";
import { RunnerInvocation, stepCommandLine } from "../runner-invocation";
import type { Predecessor } from "./barrier";

export interface StepResourceProps {
  /** The step the resource runs (`onefed step <step>`); required. */
  readonly step: StepName;
  /** The zone it runs on (federation-wide steps run with the master); required. */
  readonly zone: ZoneConfig;
  /** The loaded federation file: versions, upgrade type, and what the step's plan is rendered from; required. */
  readonly config: FederationConfig;
  /** How the local-exec calls the runner on the automation host; required. */
  readonly runner: RunnerInvocation;
  /** Steps (or stage barriers) that must be complete before this one starts; more can be added with addAfter(). @default [] (none) */
  readonly after?: readonly Predecessor[];
  /** Terraform resource name, readable in plans and in `terraform apply -replace`. @default zone_<id>_<step> (dashes as underscores) */
  readonly resourceName?: string;
}

export class StepResource extends Construct {
  /** The step this resource runs. */
  public readonly step: StepName;
  /** The zone it runs on. */
  public readonly zone: ZoneConfig;
  /** The upgrade the stack was built for: the graph rules of type A and type B differ. */
  public readonly upgradeType: FederationConfig["upgradeType"];
  /** Direct predecessors (the resource's depends_on), kept for the graph invariants. */
  public readonly after: Predecessor[];
  /** The null_resource whose create-time local-exec runs the step. */
  public readonly resource: NullResource;

  constructor(scope: Construct, id: string, props: StepResourceProps) {
    super(scope, id);
    this.step = props.step;
    this.zone = props.zone;
    this.upgradeType = props.config.upgradeType;
    this.after = [...(props.after ?? [])];
    const { zone, config } = props;
    const plan = STEP_PLANS[props.step](zone, config);
    this.resource = new NullResource(this, "resource", {
      triggers: {
        step: props.step,
        zone_id: String(zone.id),
        zone_name: zone.name,
        role: zone.role,
        from_version: config.fromVersion,
        to_version: config.toVersion,
        upgrade_type: config.upgradeType === "A" ? "A (zone by zone)" : "B (coordinated)",
        frontends: zone.frontends.map(hostPort).join(","),
        does: STEP_FACTS[props.step].description,
        plan_sha256: crypto.createHash("sha256").update(plan.join("\n")).digest("hex"),
      },
      provisioners: [{ type: "local-exec", command: stepCommandLine(props.runner, props.step, zone.id) }],
    });
    // Readable addresses in plans and in `terraform apply -replace=null_resource.zone_100_restore`.
    this.resource.overrideLogicalId(props.resourceName ?? `zone_${zone.id}_${props.step.replace(/-/g, "_")}`);
    this.addAfter(...this.after);
  }

  /** Adds ordering edges (terraform depends_on). */
  public addAfter(...steps: Predecessor[]): void {
    for (const s of steps) {
      if (!this.after.includes(s)) this.after.push(s);
    }
    // depends_on takes bare addresses ("null_resource.zone_0_stop"), not interpolations.
    this.resource.dependsOn = this.after.map((s) => s.address);
  }

  /** The terraform address, e.g. "null_resource.zone_100_restore". */
  public get address(): string {
    return `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`;
  }
}
