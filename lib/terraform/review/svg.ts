/**
 * The step graph as a standalone SVG, laid out without a browser: one column per zone (master
 * first), one band per stage, so parallel steps sit side by side and every arrow points down.
 */
import { CHANGE_KINDS, type ChangeKind } from "./plan-json";
import { CHANGE_STYLES } from "./mermaid";
import type { StepGraph, StepNode } from "./step-graph";

/** Geometry in px; fixed so the picture of a given graph is always the same bytes. */
const G = {
  margin: 16,
  stageLabelWidth: 96,
  headerHeight: 56,
  columnWidth: 176,
  boxWidth: 156,
  boxHeight: 44,
  stackGap: 8,
  bandPadding: 14,
  legendHeight: 52,
  charWidth: 6.6,
} as const;

/** Escapes text for XML content and attribute values. */
export function xmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Cuts text to what fits in `width` px at the box font, marking the cut. */
function fit(text: string, width: number): string {
  const max = Math.floor(width / G.charWidth);
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

interface Placed {
  readonly node: StepNode;
  readonly x: number;
  readonly y: number;
}

/** Positions every node: column of its zone, band of its stage, stacked when a zone has several steps in one stage. */
function layout(graph: StepGraph): { placed: Map<string, Placed>; bands: { y: number; height: number }[]; width: number; height: number } {
  const column = new Map(graph.zones.map((z, i) => [z.id, i]));
  const placed = new Map<string, Placed>();
  const bands: { y: number; height: number }[] = [];
  let y = G.margin + G.headerHeight;
  for (const stage of graph.stages) {
    const stackOf = new Map<number, number>();
    let deepest = 1;
    for (const node of stage) {
      const depth = stackOf.get(node.zoneId) ?? 0;
      stackOf.set(node.zoneId, depth + 1);
      deepest = Math.max(deepest, depth + 1);
      const x = columnX(column.get(node.zoneId)!) + (G.columnWidth - G.boxWidth) / 2;
      placed.set(node.id, { node, x, y: y + G.bandPadding + depth * (G.boxHeight + G.stackGap) });
    }
    const height = 2 * G.bandPadding + deepest * G.boxHeight + (deepest - 1) * G.stackGap;
    bands.push({ y, height });
    y += height;
  }
  const width = 2 * G.margin + G.stageLabelWidth + Math.max(1, graph.zones.length) * G.columnWidth;
  return { placed, bands, width, height: y + G.legendHeight + G.margin };
}

/** Left edge of a zone column. */
const columnX = (column: number): number => G.margin + G.stageLabelWidth + column * G.columnWidth;

/**
 * An arrow between adjacent stages is one curve. A longer one would cross the boxes of the stages
 * in between, so it drops into the gap below its source, runs down the gutter beside the target's
 * column (boxes never sit in gutters) and curves into the target from the gap above it.
 */
function arrowPath(graph: StepGraph, placed: ReadonlyMap<string, Placed>, a: Placed, b: Placed): string {
  const x1 = a.x + G.boxWidth / 2;
  const y1 = a.y + G.boxHeight;
  const x2 = b.x + G.boxWidth / 2;
  const y2 = b.y;
  const gap = G.bandPadding;
  const zoneColumn = new Map(graph.zones.map((z, i) => [z.id, i]));
  const ca = zoneColumn.get(a.node.zoneId)!;
  const cb = zoneColumn.get(b.node.zoneId)!;
  const between = [...placed.values()].filter((p) => p.node.stage > a.node.stage && p.node.stage < b.node.stage);
  const clear = ca === cb && !between.some((p) => zoneColumn.get(p.node.zoneId) === ca);
  if (b.node.stage - a.node.stage <= 1 || clear) {
    const bend = Math.max(12, (y2 - y1) / 2);
    return `M ${x1} ${y1} C ${x1} ${y1 + bend} ${x2} ${y2 - bend} ${x2} ${y2}`;
  }
  const gx = ca < cb ? columnX(cb) : columnX(cb + 1);
  return `M ${x1} ${y1} C ${x1} ${y1 + gap} ${gx} ${y1} ${gx} ${y1 + gap} L ${gx} ${y2 - gap} C ${gx} ${y2} ${x2} ${y2 - gap} ${x2} ${y2}`;
}

/**
 * Renders the SVG document. `kinds` colours each box by its planned change; `title` heads the
 * picture (e.g. "seed: 6.10.0 → 7.0.0").
 */
export function renderSvg(graph: StepGraph, title: string, kinds: ReadonlyMap<string, ChangeKind> = new Map()): string {
  const { placed, bands, width, height } = layout(graph);
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${xmlText(title)}</title>`);
  out.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a"/></marker></defs>`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${G.margin}" y="${G.margin + 14}" font-size="15" font-weight="bold">${xmlText(title)}</text>`);

  bands.forEach((band, i) => {
    const fill = i % 2 === 0 ? "#f6f8fa" : "#ffffff";
    const n = graph.stages[i].length;
    out.push(`<rect x="${G.margin}" y="${band.y}" width="${width - 2 * G.margin}" height="${band.height}" fill="${fill}"/>`);
    out.push(`<text x="${G.margin + 8}" y="${band.y + band.height / 2}" font-weight="bold">Stage ${i + 1}</text>`);
    if (n > 1) out.push(`<text x="${G.margin + 8}" y="${band.y + band.height / 2 + 15}" fill="#57606a">${n} in parallel</text>`);
  });
  graph.zones.forEach((z, i) => {
    const cx = G.margin + G.stageLabelWidth + i * G.columnWidth + G.columnWidth / 2;
    out.push(`<text x="${cx}" y="${G.margin + 36}" text-anchor="middle" font-weight="bold">${xmlText(fit(`zone ${z.id} ${z.name}`, G.columnWidth))}</text>`);
    out.push(`<text x="${cx}" y="${G.margin + 50}" text-anchor="middle" fill="#57606a">${xmlText(z.role)}</text>`);
  });

  // Arrows under the boxes: bottom centre of the predecessor to top centre of the step that waits.
  out.push(`<g fill="none" stroke="#57606a" stroke-width="1.2">`);
  for (const [from, to] of graph.edges) out.push(`<path d="${arrowPath(graph, placed, placed.get(from)!, placed.get(to)!)}" marker-end="url(#arrow)"/>`);
  out.push(`</g>`);

  for (const { node, x, y } of placed.values()) {
    const kind = kinds.get(node.resource);
    const style = kind ? CHANGE_STYLES[kind] : { fill: "#ffffff", stroke: "#57606a" };
    const first = `${node.step}${kind && kind !== "create" ? ` (${kind})` : ""}`;
    const second = `zone ${node.zoneId} ${node.zoneName}`;
    out.push(`<g>`);
    // A chain's steps share its address: the title says which of its steps the box is.
    const which = node.id !== node.resource ? ` step ${node.step}` : "";
    out.push(`<title>${xmlText(`${node.address}${which}${kind ? ` (${kind})` : ""}: ${node.does}`)}</title>`);
    out.push(`<rect x="${x}" y="${y}" width="${G.boxWidth}" height="${G.boxHeight}" rx="6" fill="${style.fill}" stroke="${style.stroke}"/>`);
    out.push(`<text x="${x + G.boxWidth / 2}" y="${y + 18}" text-anchor="middle" font-weight="bold">${xmlText(fit(first, G.boxWidth - 8))}</text>`);
    out.push(`<text x="${x + G.boxWidth / 2}" y="${y + 34}" text-anchor="middle">${xmlText(fit(second, G.boxWidth - 8))}</text>`);
    out.push(`</g>`);
  }

  const present = CHANGE_KINDS.filter((k) => [...kinds.values()].includes(k));
  let lx = G.margin;
  const ly = height - G.margin - G.legendHeight + 20;
  for (const k of present) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="14" height="14" rx="3" fill="${CHANGE_STYLES[k].fill}" stroke="${CHANGE_STYLES[k].stroke}"/>`);
    out.push(`<text x="${lx + 20}" y="${ly + 2}">${xmlText(k)}</text>`);
    lx += 90;
  }
  out.push(
    `<text x="${G.margin}" y="${ly + 26}" fill="#57606a">${xmlText(fit("Arrow: the step below waits for the step above. Steps of one stage run in parallel.", width - 2 * G.margin))}</text>`,
  );
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
