/**
 * Which steps share a resource: only runs where folding changes no step's earliest start. The rule
 * on small graphs, then its promise on random ones: every step starts at the same time folded or not.
 */
import { ChainNode, chainsOf } from "../../lib/synth/step-chains";

interface N extends ChainNode {
  readonly name: string;
  readonly zone: number;
  after: N[];
}

function graph(spec: Record<string, string[]>, zoneOf: (name: string) => number = () => 0): N[] {
  const nodes = new Map<string, N>(Object.keys(spec).map((name) => [name, { name, zone: zoneOf(name), after: [] }]));
  for (const [name, after] of Object.entries(spec)) nodes.get(name)!.after = after.map((a) => nodes.get(a)!);
  return [...nodes.values()];
}

const sameZone = (a: N, b: N) => a.zone === b.zone;
const names = (chains: N[][]) => chains.map((c) => c.map((n) => n.name).join(">")).sort();

describe("chainsOf", () => {
  it("folds a line into one chain, in order", () => {
    expect(names(chainsOf(graph({ c: ["b"], b: ["a"], a: [] }), sameZone))).toEqual(["a>b>c"]);
  });

  it("keeps a step apart when something else waits for the one before it (a fork)", () => {
    expect(names(chainsOf(graph({ a: [], b: ["a"], c: ["a"] }), sameZone))).toEqual(["a", "b", "c"]);
  });

  it("keeps a step apart when it waits for something else too (a join)", () => {
    expect(names(chainsOf(graph({ a: [], x: [], b: ["a", "x"] }), sameZone))).toEqual(["a", "b", "x"]);
  });

  it("ignores edges another path implies: a → b → c with a → c is still a line", () => {
    expect(names(chainsOf(graph({ a: [], b: ["a"], c: ["a", "b"] }), sameZone))).toEqual(["a>b>c"]);
  });

  it("joins a step whose other predecessors are already behind the chain's start", () => {
    // x → a → b, and b also waits for x (implied through a).
    expect(names(chainsOf(graph({ x: [], a: ["x"], b: ["a", "x"], y: ["x"] }), sameZone))).toEqual(["a>b", "x", "y"]);
  });

  it("never chains what `joinable` refuses: another zone, a barrier", () => {
    expect(
      names(
        chainsOf(
          graph({ a: [], b: ["a"], c: ["b"] }, (n) => (n === "c" ? 1 : 0)),
          sameZone,
        ),
      ),
    ).toEqual(["a>b", "c"]);
  });

  it("refuses a cycle and a predecessor outside the graph", () => {
    const cyclic = graph({ a: ["b"], b: ["a"] });
    expect(() => chainsOf(cyclic, sameZone)).toThrow(/cycle/);
    const [a] = graph({ a: [] });
    const stray: N = { name: "s", zone: 0, after: [a] };
    expect(() => chainsOf([stray], sameZone)).toThrow(/not among the graph's nodes/);
  });

  it("delays no step: on random graphs every step starts when it would alone, and its chain runs it after its chain's earlier steps", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const count = 2 + Math.floor(random() * 14);
      const spec: Record<string, string[]> = {};
      const durations = new Map<string, number>();
      for (let i = 0; i < count; i++) {
        // Mostly lines with a few joins and forks, as a zone's steps are.
        const after = i === 0 ? [] : [`n${i - 1}`, ...(random() < 0.3 ? [`n${Math.floor(random() * i)}`] : [])];
        spec[`n${i}`] = random() < 0.15 ? [] : [...new Set(after)];
        durations.set(`n${i}`, 1 + Math.floor(random() * 5));
      }
      const nodes = graph(spec, (n) => (Number(n.slice(1)) % 7 === 6 ? 1 : 0));
      const alone = earliestStarts(nodes, durations);
      const chains = chainsOf(nodes, sameZone);
      expect(
        chains
          .flat()
          .map((n) => n.name)
          .sort(),
      ).toEqual(nodes.map((n) => n.name).sort());
      const folded = foldedStarts(chains, durations);
      for (const n of nodes) expect(`${round} ${n.name} ${folded.get(n.name)}`).toBe(`${round} ${n.name} ${alone.get(n.name)}`);
    }
  });
});

/** Each step's earliest start with unlimited parallelism: the latest end among its predecessors. */
function earliestStarts(nodes: readonly N[], durations: ReadonlyMap<string, number>): Map<string, number> {
  const start = new Map<string, number>();
  const visit = (n: N): number => {
    if (!start.has(n.name)) start.set(n.name, Math.max(0, ...n.after.map((p) => visit(p) + durations.get(p.name)!)));
    return start.get(n.name)!;
  };
  nodes.forEach(visit);
  return start;
}

/** The same, as terraform runs chains: a chain starts once every chain it waits for ended, and runs its steps one after the other. */
function foldedStarts(chains: readonly N[][], durations: ReadonlyMap<string, number>): Map<string, number> {
  const chainOf = new Map<string, N[]>();
  for (const c of chains) for (const n of c) chainOf.set(n.name, c);
  const chainStart = new Map<N[], number>();
  const chainEnd = (c: N[]): number => visit(c) + c.reduce((sum, n) => sum + durations.get(n.name)!, 0);
  const visit = (c: N[]): number => {
    if (!chainStart.has(c)) {
      const waitsFor = new Set(c.flatMap((n) => n.after.map((p) => chainOf.get(p.name)!)).filter((w) => w !== c));
      chainStart.set(c, Math.max(0, ...[...waitsFor].map(chainEnd)));
    }
    return chainStart.get(c)!;
  };
  const start = new Map<string, number>();
  for (const c of chains) {
    let t = visit(c);
    for (const n of c) {
      start.set(n.name, t);
      t += durations.get(n.name)!;
    }
  }
  return start;
}
