/**
 * A DAG's edges without the ones other paths imply: a predecessor p of n is left out when another
 * predecessor of n waits for p, directly or not. The order is the same with fewer edges; the synth
 * reads it to decide which steps share a resource, the review to draw fewer arrows.
 */

/**
 * Each node's direct predecessors that no other of its predecessors waits for, in their first
 * order (duplicates count once).
 *
 * @param order every node, each after all of its predecessors (a topological order)
 * @param after a node's direct predecessors
 */
export function unimpliedPredecessors<K>(order: readonly K[], after: (node: K) => readonly K[]): Map<K, K[]> {
  const ancestors = new Map<K, Set<K>>();
  const kept = new Map<K, K[]>();
  for (const n of order) {
    const direct = [...new Set(after(n))];
    const all = new Set<K>();
    for (const p of direct) {
      all.add(p);
      for (const a of ancestors.get(p)!) all.add(a);
    }
    ancestors.set(n, all);
    kept.set(
      n,
      direct.filter((p) => !direct.some((q) => q !== p && ancestors.get(q)!.has(p))),
    );
  }
  return kept;
}
