/**
 * The step graph as a Mermaid flowchart (GitHub renders ```mermaid blocks in PR comments): one
 * subgraph per stage, one node per step resource, coloured by what the plan does to it.
 */
import type { ChangeKind } from "./plan-json";
import type { StepGraph, StepNode } from "./step-graph";

/** Fill and stroke per planned change; GitHub's own diff palette so it reads like a diff. */
export const CHANGE_STYLES: Readonly<Record<ChangeKind, { fill: string; stroke: string }>> = {
  create: { fill: "#e6ffec", stroke: "#1a7f37" },
  replace: { fill: "#fff8c5", stroke: "#9a6700" },
  update: { fill: "#ddf4ff", stroke: "#0969da" },
  delete: { fill: "#ffebe9", stroke: "#cf222e" },
  read: { fill: "#f6f8fa", stroke: "#57606a" },
  "no-op": { fill: "#f6f8fa", stroke: "#8c959f" },
};

/** Mermaid's entity codes: a label can hold any zone name without breaking the diagram. */
export function mermaidText(text: string): string {
  return text.replace(/[#"<>&]/g, (c) => ({ "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;" })[c]!);
}

/** Class names for change kinds ("no-op" is not a valid class name). */
export const changeClass = (kind: ChangeKind): string => (kind === "no-op" ? "noop" : kind);

function nodeLabel(n: StepNode, kind: ChangeKind | undefined): string {
  const parts = [n.step, `zone ${n.zoneId} ${n.zoneName}`];
  if (kind && kind !== "create") parts.push(`(${kind})`);
  return parts.map(mermaidText).join("<br/>");
}

/**
 * Renders `flowchart TD` text without the code fence. Edges implied through other steps are left
 * out (the order is the same); `kinds` maps resource names to planned changes, when known.
 */
export function renderMermaid(graph: StepGraph, kinds: ReadonlyMap<string, ChangeKind> = new Map()): string {
  const lines = ["flowchart TD"];
  graph.stages.forEach((stage, i) => {
    const parallel = stage.length > 1 ? ` (${stage.length} in parallel)` : "";
    lines.push(`  subgraph stage_${i + 1}["${mermaidText(`Stage ${i + 1}${parallel}`)}"]`);
    for (const n of stage) lines.push(`    ${n.key}["${nodeLabel(n, kinds.get(n.resource))}"]`);
    lines.push("  end");
  });
  const keyOf = new Map(graph.nodes.map((n) => [n.id, n.key]));
  for (const [from, to] of graph.edges) lines.push(`  ${keyOf.get(from)} --> ${keyOf.get(to)}`);
  const byClass = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const kind = kinds.get(n.resource);
    if (kind) (byClass.get(changeClass(kind)) ?? byClass.set(changeClass(kind), []).get(changeClass(kind))!).push(n.key);
  }
  for (const [kind, style] of Object.entries(CHANGE_STYLES) as [ChangeKind, { fill: string; stroke: string }][]) {
    const ids = byClass.get(changeClass(kind));
    if (!ids) continue;
    lines.push(`  classDef ${changeClass(kind)} fill:${style.fill},stroke:${style.stroke},color:#1f2328`);
    lines.push(`  class ${ids.join(",")} ${changeClass(kind)}`);
  }
  return `${lines.join("\n")}\n`;
}
