/**
 * Steps of one zone that always run back to back, as one null_resource: one create-time local-exec
 * provisioner per step, in order. Terraform starts the steps of a chain as one resource and stops at
 * the first that fails (the resource is then tainted; the next apply runs the chain again and the
 * ledger answers "already done" for the steps that finished). A step alone is a chain of one, and
 * keeps the resource name and triggers it has always had. Which steps chain: lib/synth/step-chains.ts.
 */
import * as crypto from "crypto";
import { Construct, IConstruct } from "constructs";
import { NullResource } from "../cdk";
import { hostPort } from "../../model/federation";
import { STEP_FACTS } from "../../model/steps";
import { STEP_PLANS } from "../step-plans";
import { stepCommandLine } from "../runner-invocation";
import { chainsOf } from "../step-chains";
import { Barrier } from "./barrier";
import { StepResource } from "./step-resource";

export interface StepChainProps {
  /** The steps in run order, all on one zone, each waiting for the one before it; required, at least one. */
  readonly steps: readonly StepResource[];
}

export class StepChain extends Construct {
  /** The steps its provisioners run, in order. */
  public readonly steps: readonly StepResource[];
  /** The terraform resource name: the step's own when alone, else zone_<id>_<first>_to_<last>. */
  public readonly resourceName: string;
  /** The null_resource whose create-time local-execs run the steps. */
  public readonly resource: NullResource;

  constructor(scope: Construct, id: string, props: StepChainProps) {
    super(scope, id);
    const steps = [...props.steps];
    if (steps.length === 0) throw new Error(`${this.node.path}: a chain of no step`);
    const first = steps[0];
    const last = steps[steps.length - 1];
    if (steps.some((s) => s.zone.id !== first.zone.id)) throw new Error(`${this.node.path}: a chain spans two zones`);
    this.steps = steps;
    const { zone, config } = first;
    const plans = steps.map((s) => STEP_PLANS[s.step](zone, config));
    const alone = steps.length === 1;
    this.resourceName = alone ? first.resourceName : `zone_${zone.id}_${first.step}_to_${last.step}`.replace(/-/g, "_");
    this.resource = new NullResource(this, "resource", {
      triggers: {
        // `step` for a step alone, `steps` (in run order) for a chain: the reconcile and the review read both.
        ...(alone ? { step: first.step } : { steps: steps.map((s) => s.step).join(",") }),
        zone_id: String(zone.id),
        zone_name: zone.name,
        role: zone.role,
        from_version: config.fromVersion,
        to_version: config.toVersion,
        upgrade_type: config.upgradeType === "A" ? "A (zone by zone)" : "B (coordinated)",
        frontends: zone.frontends.map(hostPort).join(","),
        does: alone ? STEP_FACTS[first.step].description : steps.map((s) => `${s.step}: ${STEP_FACTS[s.step].description}`).join("; then "),
        plan_sha256: crypto
          .createHash("sha256")
          .update(alone ? plans[0].join("\n") : steps.map((s, i) => `# ${s.step}\n${plans[i].join("\n")}`).join("\n"))
          .digest("hex"),
      },
      provisioners: steps.map((s) => ({ type: "local-exec" as const, command: stepCommandLine(s.runner, s.step, zone.id) })),
    });
    // Readable addresses in plans and in `terraform apply -replace=null_resource.zone_100_restore_to_start`.
    this.resource.overrideLogicalId(this.resourceName);
    for (const s of steps) s.joinChain(this);
  }

  /** The terraform address, e.g. "null_resource.zone_100_restore_to_start". */
  public get address(): string {
    return `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}`;
  }

  /** The chains and barriers it waits for, from its steps' edges (an edge inside the chain is provisioner order). */
  public get waitsFor(): (StepChain | Barrier)[] {
    const out: (StepChain | Barrier)[] = [];
    for (const s of this.steps)
      for (const p of s.after) {
        const target = p instanceof StepResource ? p.chain : p;
        if (target !== this && !out.includes(target)) out.push(target);
      }
    return out;
  }
}

/**
 * Folds every step under `scope` into chains and draws the depends_on of every chain and barrier.
 * Called once, after the last edge is drawn: the rule needs the whole graph.
 */
export function foldSteps(scope: IConstruct): StepChain[] {
  const all = scope.node.findAll();
  const steps = all.filter((c): c is StepResource => c instanceof StepResource);
  const barriers = all.filter((c): c is Barrier => c instanceof Barrier);
  const nodes: (StepResource | Barrier)[] = [...steps, ...barriers];
  const chains = chainsOf(nodes, (previous, next) => previous instanceof StepResource && next instanceof StepResource && previous.zone.id === next.zone.id)
    .filter((c): c is StepResource[] => c[0] instanceof StepResource)
    .map((c) => new StepChain(c[0], "chain", { steps: c }));
  for (const c of chains) c.resource.dependsOn = c.waitsFor.map((w) => w.address);
  for (const b of barriers) b.wire();
  return chains;
}
