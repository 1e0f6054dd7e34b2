/**
 * A stage boundary: a null_resource that runs nothing and waits for every step of one stage, so the
 * steps of the next stage wait for it alone. N steps before and M after cost N + M depends_on edges
 * instead of N × M; terraform orders through it like through any other resource.
 */
import { Construct } from "constructs";
import { NullResource } from "../cdk";
import type { StepResource } from "./step-resource";

/** What an ordering edge can point at: a step, or a barrier between two stages. */
export type Predecessor = StepResource | Barrier;

export interface BarrierProps {
  /** Terraform resource name, readable in plans: "stage_every_zone_downloaded"; required. */
  readonly resourceName: string;
  /** What holds once the barrier is passed, for the plan and the review: "every zone downloaded its packages"; required. */
  readonly description: string;
  /** The steps (or barriers) of the stage it closes; more can be added with addAfter(). @default [] (none) */
  readonly after?: readonly Predecessor[];
}

export class Barrier extends Construct {
  /** What holds once the barrier is passed. */
  public readonly description: string;
  /** Direct predecessors (the resource's depends_on), kept for the graph invariants. */
  public readonly after: Predecessor[];
  /** The null_resource: no provisioner, so creating it runs nothing on any zone. */
  public readonly resource: NullResource;
  /** Whether foldSteps drew depends_on already (later edges are drawn at once). */
  private wired = false;

  constructor(scope: Construct, id: string, props: BarrierProps) {
    super(scope, id);
    this.description = props.description;
    this.after = [];
    // The `barrier` trigger (and no `step` trigger) is how the reconcile and the review tell it from a step.
    this.resource = new NullResource(this, "resource", { triggers: { barrier: props.resourceName, does: props.description } });
    this.resource.overrideLogicalId(props.resourceName);
    this.addAfter(...(props.after ?? []));
  }

  /** Adds ordering edges; they become depends_on when the stack folds its steps into chains (wire()). */
  public addAfter(...steps: Predecessor[]): void {
    for (const s of steps) if (!this.after.includes(s)) this.after.push(s);
    // After the fold a step's chain is known: the edge goes straight into depends_on.
    if (this.wired) this.wire();
  }

  /** @internal foldSteps: depends_on from the edges, each step as the chain that runs it (two steps of one chain, one edge). */
  public wire(): void {
    this.wired = true;
    this.resource.dependsOn = [...new Set(this.after.map((s) => s.address))];
  }

  /** The terraform address, e.g. "null_resource.stage_every_zone_back". */
  public get address(): string {
    return `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`;
  }
}
