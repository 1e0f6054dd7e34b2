/**
 * The synthesized steps as the graph rules read them: steps by name and zone, and what each step
 * transitively waits for. Paths run through stage barriers (which are not steps): a step after the
 * barrier "every zone is back" waits for every step before it. Built once per validation, so edges
 * drawn after construction count; once the steps are folded into chains, from what terraform will
 * order: a chain's depends_on, and inside a chain the order of its provisioners.
 */
import { IConstruct } from "constructs";
import { UpgradeType, ZoneConfig, zoneLabel } from "../../model/federation";
import { StepName } from "../../model/steps";
import { Barrier } from "../constructs/barrier";
import { StepChain } from "../constructs/step-chain";
import { StepResource } from "../constructs/step-resource";

/** What a rule reads of one step. A StepResource is one; tests can hand in plain objects. */
export interface GraphStep {
  /** The step this resource runs. */
  readonly step: StepName;
  /** The zone it runs on (federation-wide steps run with the master). */
  readonly zone: Pick<ZoneConfig, "id" | "name" | "role" | "frontends">;
  /** The upgrade the stack was built for. */
  readonly upgradeType: UpgradeType;
  /** Direct predecessors: the terraform depends_on edges. */
  readonly after: readonly GraphNode[];
}

/** A stage barrier as a rule reads it: no step of its own, only what it waits for. A Barrier is one. */
export interface GraphBarrier {
  /** What holds once it is passed. */
  readonly description: string;
  /** Direct predecessors: the terraform depends_on edges. */
  readonly after: readonly GraphNode[];
}

export type GraphNode = GraphStep | GraphBarrier;

const isStep = (n: GraphNode): n is GraphStep => "step" in n;

export class StepGraph {
  /** The graph of every StepResource under `scope`. */
  public static of(scope: IConstruct): StepGraph {
    const all = scope.node.findAll();
    const steps = all.filter((c): c is StepResource => c instanceof StepResource);
    if (!steps.every((s) => s.folded)) return new StepGraph(steps);
    // What the synthesized resources say, not what the constructs declared: a chain's first step
    // waits for the chain's depends_on (another chain: its last step), every other step for the one before it.
    const stepNodes = new Map<StepResource, GraphStep & { after: GraphNode[] }>();
    const barrierNodes = new Map<Barrier, GraphBarrier & { after: GraphNode[] }>();
    for (const s of steps) stepNodes.set(s, { step: s.step, zone: s.zone, upgradeType: s.upgradeType, after: [] });
    for (const b of all) if (b instanceof Barrier) barrierNodes.set(b, { description: b.description, after: [] });
    const nodeOf = (target: StepChain | Barrier): GraphNode =>
      target instanceof StepChain ? stepNodes.get(target.steps[target.steps.length - 1])! : barrierNodes.get(target)!;
    for (const s of steps) {
      const chain = s.chain;
      const i = chain.steps.indexOf(s);
      stepNodes.get(s)!.after.push(...(i > 0 ? [stepNodes.get(chain.steps[i - 1])!] : chain.waitsFor.map(nodeOf)));
    }
    for (const [b, node] of barrierNodes) node.after.push(...new Set(b.after.map((p) => nodeOf(p instanceof StepResource ? p.chain : p))));
    return new StepGraph([...stepNodes.values()]);
  }

  /** "A" as soon as one step belongs to a zone-by-zone upgrade; a stack holds one kind only. */
  public readonly upgradeType: UpgradeType;
  private readonly byName = new Map<StepName, GraphStep[]>();
  private readonly closures = new Map<GraphNode, ReadonlySet<GraphStep>>();

  constructor(public readonly steps: readonly GraphStep[]) {
    for (const s of steps) this.byName.set(s.step, [...(this.byName.get(s.step) ?? []), s]);
    this.upgradeType = steps.some((s) => s.upgradeType === "A") ? "A" : "B";
  }

  /** Every `name` step, in construct order. */
  public of(name: StepName): readonly GraphStep[] {
    return this.byName.get(name) ?? [];
  }

  /** The zone's own `name` step, if it has one. */
  public inZone(name: StepName, zoneId: number): GraphStep | undefined {
    return this.of(name).find((s) => s.zone.id === zoneId);
  }

  /** Every step `step` waits for, directly, through other steps or through barriers; computed once per node (a cycle is terraform's to report). */
  public ancestors(step: GraphStep): ReadonlySet<GraphStep> {
    return this.closureOf(step, new Set());
  }

  private closureOf(node: GraphNode, visiting: Set<GraphNode>): ReadonlySet<GraphStep> {
    const known = this.closures.get(node);
    if (known) return known;
    if (visiting.has(node)) return new Set();
    visiting.add(node);
    const all = new Set<GraphStep>();
    for (const p of node.after) {
      if (isStep(p)) all.add(p);
      this.closureOf(p, visiting).forEach((a) => all.add(a));
    }
    visiting.delete(node);
    this.closures.set(node, all);
    return all;
  }

  /** No violation when `later` waits for `earlier`; otherwise the one that says so, and why it matters. */
  public mustFollow(later: GraphStep, earlier: GraphStep, why: string): string[] {
    return this.ancestors(later).has(earlier) ? [] : [`${stepLabel(later)} does not wait for ${stepLabel(earlier)}: ${why}`];
  }
}

/** "upgrade of zone 100 (S-EU-GE)": how every violation names a step. */
export function stepLabel(step: GraphStep): string {
  return `${step.step} of ${zoneLabel(step.zone)}`;
}
