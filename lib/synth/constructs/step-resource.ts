/**
 * One step on one zone: what runs, where, and what it waits for. A step is not a terraform resource
 * of its own: the stack folds its steps into StepChains (lib/synth/step-chains.ts), and the chain's
 * null_resource runs this step with one local-exec provisioner, in order with the chain's others.
 */
import { Construct } from "constructs";
import { FederationConfig, ZoneConfig } from "../../model/federation";
import { StepName } from "../../model/steps";
import { RunnerInvocation } from "../runner-invocation";
import type { Predecessor } from "./barrier";
import type { StepChain } from "./step-chain";

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
  /** Terraform resource name when the step is a chain of its own, readable in plans and in `terraform apply -replace`. @default zone_<id>_<step> (dashes as underscores) */
  readonly resourceName?: string;
}

export class StepResource extends Construct {
  /** The step this resource runs. */
  public readonly step: StepName;
  /** The zone it runs on. */
  public readonly zone: ZoneConfig;
  /** The loaded federation file the step's plan and triggers are rendered from. */
  public readonly config: FederationConfig;
  /** How the local-exec calls the runner. */
  public readonly runner: RunnerInvocation;
  /** The upgrade the stack was built for: the graph rules of type A and type B differ. */
  public readonly upgradeType: FederationConfig["upgradeType"];
  /** Direct predecessors as the constructs declared them; the chains' depends_on are derived from them. */
  public readonly after: Predecessor[];
  /** The resource name this step gets when it is a chain of its own. */
  public readonly resourceName: string;
  private chainOf?: StepChain;

  constructor(scope: Construct, id: string, props: StepResourceProps) {
    super(scope, id);
    this.step = props.step;
    this.zone = props.zone;
    this.config = props.config;
    this.runner = props.runner;
    this.upgradeType = props.config.upgradeType;
    this.after = [];
    this.resourceName = props.resourceName ?? `zone_${props.zone.id}_${props.step.replace(/-/g, "_")}`;
    this.addAfter(...(props.after ?? []));
  }

  /** Adds ordering edges; they become depends_on when the stack folds its steps into chains. */
  public addAfter(...steps: Predecessor[]): void {
    if (this.chainOf) throw new Error(`${this.node.path}: an edge added after the steps were folded into chains`);
    for (const s of steps) if (!this.after.includes(s)) this.after.push(s);
  }

  /** The chain whose resource runs this step; set once, by the StepChain. */
  public get chain(): StepChain {
    if (!this.chainOf) throw new Error(`${this.node.path}: the steps are not folded into chains yet (foldSteps)`);
    return this.chainOf;
  }

  /** @internal StepChain's constructor claims its steps. */
  public joinChain(chain: StepChain): void {
    if (this.chainOf) throw new Error(`${this.node.path}: already in the chain ${this.chainOf.resourceName}`);
    this.chainOf = chain;
  }

  /** Whether the stack has folded this step into a chain yet. */
  public get folded(): boolean {
    return this.chainOf !== undefined;
  }

  /** The terraform address of the resource that runs it, e.g. "null_resource.zone_100_restore_to_start". */
  public get address(): string {
    return this.chain.address;
  }
}
