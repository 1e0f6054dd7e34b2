/**
 * Which steps share one terraform resource. Terraform's plan costs about the same per resource and
 * per (resource, resource it waits for transitively) pair, and every resource it starts costs its
 * own scheduling; a zone's steps that always run back to back gain nothing from being apart. Such a
 * run becomes one resource whose local-exec provisioners run the steps in order (docs/architecture.md
 * "Step chains").
 *
 * A step joins its predecessor's chain only when that changes no step's earliest start: the step
 * waits for nothing but its predecessor (every other edge it has is implied through it), and nothing
 * but the step waits for the predecessor (every other step after the predecessor is after the step
 * too). So a chain starts when its first step could start, and whatever waits for a chain waited for
 * its last step already. The master's freeze, which waits for every slave's freeze, stays apart from
 * its hosts-disable; a slave's stop, which the master's upgrade waits for, stays apart from its
 * safety backup; and so on, by this rule alone.
 */

import { unimpliedPredecessors } from "../model/implied-edges";

/** What the rule reads of a node: its direct predecessors. Steps and barriers alike. */
export interface ChainNode {
  readonly after: readonly ChainNode[];
}

/**
 * The nodes partitioned into chains, each in run order, chains in a topological order. A node
 * `joinable` refuses (a barrier, another zone's step) is never inside a chain with another node.
 *
 * @param nodes every node of the graph: a predecessor outside `nodes` is a wiring error
 * @param joinable whether `next` may share a resource with `previous` (same zone, both steps)
 */
export function chainsOf<N extends ChainNode>(nodes: readonly N[], joinable: (previous: N, next: N) => boolean): N[][] {
  const known = new Set<ChainNode>(nodes);
  for (const n of nodes) for (const p of n.after) if (!known.has(p)) throw new Error("chainsOf: a predecessor is not among the graph's nodes");
  const order = topologicalOrder(nodes);
  // The edges no other path implies: what "only predecessor" and "only successor" are read from.
  const reducedAfter = unimpliedPredecessors<ChainNode>(order, (n) => n.after);
  const reducedBefore = new Map<ChainNode, ChainNode[]>();
  for (const [n, kept] of reducedAfter) for (const p of kept) (reducedBefore.get(p) ?? reducedBefore.set(p, []).get(p)!).push(n);
  const chainOf = new Map<ChainNode, N[]>();
  const chains: N[][] = [];
  for (const n of order) {
    const preds = reducedAfter.get(n)!;
    const previous = preds.length === 1 ? (preds[0] as N) : undefined;
    const chain = previous ? chainOf.get(previous) : undefined;
    if (previous && chain && chain[chain.length - 1] === previous && reducedBefore.get(previous)!.length === 1 && joinable(previous, n)) {
      chain.push(n);
      chainOf.set(n, chain);
    } else {
      const fresh = [n];
      chains.push(fresh);
      chainOf.set(n, fresh);
    }
  }
  return chains;
}

/** Depth-first, predecessors first, in the nodes' own order where the graph leaves a choice; a cycle throws. */
function topologicalOrder<N extends ChainNode>(nodes: readonly N[]): N[] {
  const order: N[] = [];
  const state = new Map<ChainNode, "visiting" | "done">();
  const visit = (n: N): void => {
    const s = state.get(n);
    if (s === "done") return;
    if (s === "visiting") throw new Error("chainsOf: the step graph has a cycle");
    state.set(n, "visiting");
    for (const p of n.after) visit(p as N);
    state.set(n, "done");
    order.push(n);
  };
  for (const n of nodes) visit(n);
  return order;
}
