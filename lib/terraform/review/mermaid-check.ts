/**
 * A structural check of the Mermaid subset renderMermaid writes. No Mermaid parser runs without a
 * browser, so this checks what breaks rendering in practice: the header, declared and safe ids,
 * edges and classes that name declared nodes, balanced subgraphs, labels without raw quotes.
 */

/** Words Mermaid reads as keywords; a node with such an id breaks the chart. */
const RESERVED = new Set(["end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "linkStyle", "click", "direction", "default"]);
const ID = "[A-Za-z_][A-Za-z0-9_]*";
const LABEL = '"([^"]*)"';

const PATTERNS = {
  subgraph: new RegExp(`^subgraph (${ID})\\[${LABEL}\\]$`),
  node: new RegExp(`^(${ID})\\[${LABEL}\\]$`),
  edge: new RegExp(`^(${ID}) --> (${ID})$`),
  classDef: new RegExp(`^classDef (${ID}) ([a-z-]+:[#\\w.%-]+(?:,[a-z-]+:[#\\w.%-]+)*)$`),
  classUse: new RegExp(`^class (${ID}(?:,${ID})*) (${ID})$`),
};

/** Problems found, one line each, with the line number; empty when the chart is well formed. */
export function checkMermaid(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  const declared = new Set<string>();
  const subgraphs = new Set<string>();
  const classDefs = new Set<string>();
  const references: { id: string; line: number }[] = [];
  const classUses: { ids: string[]; cls: string; line: number }[] = [];
  let depth = 0;
  const safeId = (id: string, line: number) => {
    if (RESERVED.has(id)) problems.push(`line ${line}: id ${id} is a Mermaid keyword`);
  };
  const label = (text: string, line: number) => {
    if (/[<>]/.test(text.replace(/<br\/>/g, ""))) problems.push(`line ${line}: label has a raw < or > (use #lt; #gt;)`);
  };

  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0 || lines[first].trim() !== "flowchart TD") problems.push(`line ${first + 1}: the chart must start with "flowchart TD"`);
  for (let i = first + 1; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i].trim();
    if (line === "" || line.startsWith("%%")) continue;
    let m: RegExpExecArray | null;
    if (line === "end") {
      if (--depth < 0) problems.push(`line ${n}: "end" without a subgraph`);
    } else if ((m = PATTERNS.subgraph.exec(line))) {
      safeId(m[1], n);
      label(m[2], n);
      if (subgraphs.has(m[1]) || declared.has(m[1])) problems.push(`line ${n}: id ${m[1]} declared twice`);
      subgraphs.add(m[1]);
      depth++;
    } else if ((m = PATTERNS.node.exec(line))) {
      safeId(m[1], n);
      label(m[2], n);
      if (declared.has(m[1]) || subgraphs.has(m[1])) problems.push(`line ${n}: node ${m[1]} declared twice`);
      declared.add(m[1]);
    } else if ((m = PATTERNS.edge.exec(line))) {
      references.push({ id: m[1], line: n }, { id: m[2], line: n });
    } else if ((m = PATTERNS.classDef.exec(line))) {
      classDefs.add(m[1]);
    } else if ((m = PATTERNS.classUse.exec(line))) {
      classUses.push({ ids: m[1].split(","), cls: m[2], line: n });
    } else {
      problems.push(`line ${n}: not a statement of the flowchart subset: ${line.slice(0, 80)}`);
    }
  }
  if (depth > 0) problems.push(`${depth} subgraph(s) not closed with "end"`);
  for (const r of references) if (!declared.has(r.id)) problems.push(`line ${r.line}: edge names undeclared node ${r.id}`);
  for (const u of classUses) {
    if (!classDefs.has(u.cls)) problems.push(`line ${u.line}: class ${u.cls} has no classDef`);
    for (const id of u.ids) if (!declared.has(id)) problems.push(`line ${u.line}: class applied to undeclared node ${id}`);
  }
  return problems;
}
