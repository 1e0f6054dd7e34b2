/** The Mermaid chart: well formed by the structural checker, and the checker catches what breaks rendering. */
import { renderMermaid } from "../../lib/terraform/review/mermaid";
import { checkMermaid } from "../../lib/terraform/review/mermaid-check";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";
import { seedConfig, synthJson } from "../fixtures/review/seed-inputs";

describe("renderMermaid", () => {
  const graph = buildStepGraph(synthJson());

  it("writes a flowchart the checker accepts, with every step and reduced edge", () => {
    const kinds = new Map(graph.nodes.map((n, i) => [n.id, i % 3 === 0 ? ("no-op" as const) : i % 3 === 1 ? ("replace" as const) : ("create" as const)]));
    const text = renderMermaid(graph, kinds);
    expect(checkMermaid(text)).toEqual([]);
    expect(text.split("\n")[0]).toBe("flowchart TD");
    for (const n of graph.nodes) expect(text).toMatch(new RegExp(`^    ${n.key}\\["`, "m"));
    expect(text.match(/ --> /g)).toHaveLength(graph.edges.length);
    expect(text.match(/^  subgraph /gm)).toHaveLength(graph.stages.length);
    expect(text).toContain("classDef noop ");
    expect(text).toContain("(replace)");
  });

  it("keeps hostile zone names inside their labels", () => {
    const config = seedConfig();
    const json = synthJson({
      ...config,
      zones: config.zones.map((z) => (z.id === 100 ? { ...z, name: `S"<b>&#x|end` } : z)),
      slaves: config.slaves.map((z) => (z.id === 100 ? { ...z, name: `S"<b>&#x|end` } : z)),
    });
    const text = renderMermaid(buildStepGraph(json));
    expect(checkMermaid(text)).toEqual([]);
    expect(text).toContain("S#quot;#lt;b#gt;#amp;#35;x|end");
  });
});

describe("checkMermaid", () => {
  const ok = [
    "flowchart TD",
    '  subgraph s1["Stage 1"]',
    '    a["A"]',
    "  end",
    '  b["B<br/>x"]',
    "  a --> b",
    "  classDef create fill:#fff,stroke:#000",
    "  class a,b create",
  ];
  it("accepts the subset renderMermaid writes", () => {
    expect(checkMermaid(ok.join("\n"))).toEqual([]);
  });

  it.each([
    ["a missing header", (l: string[]) => l.slice(1), /must start with "flowchart TD"/],
    ["another direction", (l: string[]) => ["flowchart LR", ...l.slice(1)], /must start with "flowchart TD"/],
    ["an edge to an undeclared node", (l: string[]) => [...l, "  a --> c"], /edge names undeclared node c/],
    ["a keyword as id", (l: string[]) => [...l, '  end["x"]'], /id end is a Mermaid keyword/],
    ["an unclosed subgraph", (l: string[]) => l.filter((x) => x !== "  end"), /not closed/],
    ["a stray end", (l: string[]) => [...l, "end"], /"end" without a subgraph/],
    ["a raw quote in a label", (l: string[]) => [...l, '  c["say "hi""]'], /not a statement/],
    ["raw angle brackets in a label", (l: string[]) => [...l, '  c["<script>"]'], /raw < or >/],
    ["an id with a hyphen", (l: string[]) => [...l, '  c-d["x"]'], /not a statement/],
    ["a node declared twice", (l: string[]) => [...l, '  a["again"]'], /declared twice/],
    ["a class without classDef", (l: string[]) => [...l, "  class a missing"], /class missing has no classDef/],
    ["a class on an undeclared node", (l: string[]) => [...l, "  class z create"], /undeclared node z/],
  ])("reports %s", (_what, edit, message) => {
    expect(checkMermaid(edit([...ok]).join("\n")).join("\n")).toMatch(message);
  });
});
