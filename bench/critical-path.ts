/**
 * The longest chain of step durations through a dependency graph: how long the steps would take if
 * every step started the moment its last predecessor ended (no start-up, no scheduling, no waiting).
 */

/** One step of the graph: its weight (milliseconds) and the steps it waits for. */
export interface PathNode {
  readonly id: string;
  readonly ms: number;
  readonly after: readonly string[];
}

export interface CriticalPath {
  /** Sum of the weights along the chain. */
  readonly ms: number;
  /** The chain's steps, first to last. */
  readonly chain: readonly string[];
}

/** Longest weighted path; a predecessor missing from `nodes` counts as already done (weight 0). Throws on a cycle. */
export function criticalPath(nodes: readonly PathNode[]): CriticalPath {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const best = new Map<string, { ms: number; prev?: string }>();
  const visiting = new Set<string>();
  const finish = (id: string): { ms: number; prev?: string } => {
    const known = best.get(id);
    if (known) return known;
    if (visiting.has(id)) throw new Error(`the step graph has a cycle through ${id}`);
    visiting.add(id);
    const node = byId.get(id)!;
    let top: { ms: number; prev?: string } = { ms: 0 };
    for (const d of node.after) {
      if (!byId.has(d)) continue;
      const f = finish(d);
      if (f.ms > top.ms || top.prev === undefined) top = { ms: f.ms, prev: d };
    }
    const mine = { ms: top.ms + node.ms, prev: top.prev };
    visiting.delete(id);
    best.set(id, mine);
    return mine;
  };
  let end: string | undefined;
  for (const n of nodes) {
    const f = finish(n.id);
    if (end === undefined || f.ms > best.get(end)!.ms) end = n.id;
  }
  const chain: string[] = [];
  for (let id = end; id !== undefined; id = best.get(id)!.prev) chain.unshift(id);
  return { ms: end === undefined ? 0 : best.get(end)!.ms, chain };
}
