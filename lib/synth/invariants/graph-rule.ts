/**
 * A graph rule in the cdk-nag sense: one named safety property of the upgrade's order, checked on
 * the synthesized graph. Rules are evaluated together so that one synth names every wiring mistake.
 */
import { StepGraph } from "./step-graph";

export interface GraphRule {
  /** The rule's id, its file name: "slave-restores-before-upgrade". */
  readonly id: string;
  /** One line for docs: the property the graph must have. */
  readonly description: string;
  /** Whether the rule speaks about this graph at all. @default every graph */
  readonly appliesTo?: (graph: StepGraph) => boolean;
  /** One message per violation: which step, what it does not wait for (or lacks), and why that matters. */
  readonly check: (graph: StepGraph) => readonly string[];
}

export interface GraphViolation {
  /** Id of the rule that found it. */
  readonly rule: string;
  readonly message: string;
}

/** Zone by zone (type A): every zone on its own chain. */
export const zoneByZone = (graph: StepGraph): boolean => graph.upgradeType === "A";

/** Coordinated (type B): freeze, federated backup and restore across zones. */
export const coordinated = (graph: StepGraph): boolean => graph.upgradeType === "B";

/** Every violation of every rule of `pack` that applies to `graph`, in pack order. */
export function checkGraph(graph: StepGraph, pack: readonly GraphRule[]): GraphViolation[] {
  return pack.filter((rule) => rule.appliesTo?.(graph) ?? true).flatMap((rule) => rule.check(graph).map((message) => ({ rule: rule.id, message })));
}
