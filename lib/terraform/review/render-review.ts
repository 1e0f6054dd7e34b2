/**
 * review.md: what a reviewer must see to approve a federation upgrade in a pull request, sized for
 * a GitHub comment (at most 65,536 characters): long parts fold, and shrink when they must.
 */
import type { FederationConfig } from "../../model/federation";
import { type DriftOutcome, renderDrift } from "./drift-outcome";
import { cell, cellCode, code, details, table } from "./markdown";
import { renderMermaid } from "./mermaid";
import { CHANGE_KINDS, type ChangeKind, countChanges, type PlanModel, type PlannedChange } from "./plan-json";
import { stageGroups, type StepGraph } from "./step-graph";
import { classifyUpgrade } from "./upgrade-kind";
import { renderEstimates } from "./estimates-section";
import type { HistoryEstimate } from "../estimates/history-estimate";

/** GitHub rejects longer comment bodies (65,536); the default leaves room for a bot's header. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Facts that tie the review to the bundle `onefed apply --plan` verifies. */
export interface PlanIdentity {
  /** Engine that planned, e.g. "terraform 1.11.4". */
  readonly engine: string;
  /** Stack name, e.g. "federation-seed". */
  readonly stack: string;
  /** Federation file as the reviewer should read it (relative path or name). */
  readonly configFile: string;
  readonly configSha256: string;
  readonly cdkTfJsonSha256: string;
  /** The state the plan starts from, e.g. "no state yet" or "serial 7, lineage 3f…". */
  readonly state: string;
  /** Plan directory as given to `onefed apply --plan`. */
  readonly planDir: string;
}

export interface ReviewInput {
  readonly config: FederationConfig;
  readonly plan: PlanModel;
  readonly graph: StepGraph;
  /** Drift check outcome. @default { status: "not-available" } */
  readonly drift?: DriftOutcome;
  /** Plan identity for the "How to apply" section. @default the section only names the command */
  readonly identity?: PlanIdentity;
  /** The estimates from the duration history. @default none: the review says "no history yet" */
  readonly estimate?: HistoryEstimate;
  /** Largest review to produce, in characters. @default 65000 */
  readonly maxChars?: number;
}

/** How much detail one rendering keeps; tried from the most to the least until the text fits. */
interface Detail {
  readonly maxRows: number;
  readonly mermaid: boolean;
}

const DETAIL_LEVELS: readonly Detail[] = [
  { maxRows: Infinity, mermaid: true },
  { maxRows: Infinity, mermaid: false },
  ...[400, 200, 100, 50, 20, 10].map((maxRows) => ({ maxRows, mermaid: false })),
];

/** Graphs up to this many steps show open; larger ones fold so the comment stays scannable. */
const OPEN_GRAPH_NODES = 40;

const KIND_WORDS: Record<ChangeKind, string> = {
  create: "to create",
  replace: "to replace",
  update: "to update in place",
  delete: "to delete",
  read: "to read",
  "no-op": "unchanged",
};

/** Renders review.md. Pure: same input, same bytes. */
export function renderReview(input: ReviewInput): string {
  const limit = Math.min(input.maxChars ?? 65_000, GITHUB_COMMENT_LIMIT - 1);
  for (const detail of DETAIL_LEVELS) {
    const text = renderAt(input, detail);
    if (text.length <= limit) return text;
  }
  return hardCut(renderAt(input, DETAIL_LEVELS[DETAIL_LEVELS.length - 1]), limit);
}

function renderAt(input: ReviewInput, detail: Detail): string {
  const { config, plan, graph } = input;
  const drift = input.drift ?? { status: "not-available" };
  const kinds = new Map(plan.changes.map((c) => [c.name, c.kind]));
  const counts = countChanges(plan);
  const upgrade = classifyUpgrade(graph, config.fromVersion, config.toVersion);
  const sections: string[] = [];

  sections.push(`# Plan review: federation ${code(config.name)}, ${config.fromVersion} → ${config.toVersion}`);
  const changeLine = CHANGE_KINDS.filter((k) => counts[k] > 0 || k === "create").map((k) => `${counts[k]} ${KIND_WORDS[k]}`);
  sections.push(
    [
      `**${changeLine.join(", ")}** · ${graph.stages.length} stages · ${config.zones.length} zones · ${upgrade.kind === "coordinated" ? "coordinated (type B)" : "per-zone (type A)"} · drift check: ${driftWord(drift)}`,
      plan.errored ? "\n> **The plan errored**: terraform could not finish planning; this plan cannot be applied. See the plan output in the job log." : "",
    ].join(""),
  );

  sections.push("## Federation");
  const zoneRows = config.zones.map((z) => [
    String(z.id),
    cell(z.name),
    z.role,
    cellCode(z.endpoint),
    // An HA zone says so: its stop, upgrade and replicate steps follow the Raft procedure.
    (z.frontends.length > 1 ? `HA, ${z.frontends.length} Raft servers: ` : "") + z.frontends.map((f) => cellCode(`${f.host}:${f.port}`)).join(", "),
  ]);
  sections.push(table(["zone", "name", "role", "endpoint", "front-ends"], zoneRows, detail.maxRows, "the federation file"));

  sections.push("## Upgrade");
  sections.push(upgrade.explanation);

  sections.push("## Stages");
  sections.push(
    "Each stage holds the steps that become ready together: they have no order between them and run in parallel. " +
      "Terraform starts every step as soon as the steps it waits for are done, so a stage may begin before the previous one has fully finished.",
  );
  sections.push(table(["stage", "step", "zones", "what it does"], stageRows(graph, kinds), detail.maxRows, "graph.svg"));
  if (graph.barriers.length > 0) sections.push(barrierNote(graph));

  sections.push("## Estimates");
  sections.push(renderEstimates(input.estimate, detail.maxRows));

  sections.push("## Changes against the current state");
  sections.push(changesSummary(plan, counts));
  if (plan.changes.length > 0) {
    const barriers = new Set(graph.barriers.map((b) => b.address));
    // A chain runs several steps in order: the row names them, so a replace is read as "these run again".
    const chains = new Map<string, string[]>();
    for (const n of graph.nodes) if (n.id !== n.resource) (chains.get(n.address) ?? chains.set(n.address, []).get(n.address)!).push(n.step);
    const what = (address: string) =>
      barriers.has(address) ? "stage barrier, runs nothing; " : chains.has(address) ? `runs ${chains.get(address)!.join(", then ")}; ` : "";
    const rows = plan.changes.map((c) => [cellCode(c.address), c.kind, cell(`${what(c.address)}${whyOf(c)}`)]);
    sections.push(details(`Every resource (${plan.changes.length})`, table(["resource", "action", "why"], rows, detail.maxRows, "plan.json")));
  }

  sections.push("## Drift check");
  sections.push(renderDrift(drift, detail.maxRows));

  sections.push("## Step graph");
  if (detail.mermaid) {
    const block = `Arrows point from a step to the steps that wait for it (edges implied through other steps are left out).\n\n\`\`\`mermaid\n${renderMermaid(graph, kinds)}\`\`\``;
    sections.push(graph.nodes.length <= OPEN_GRAPH_NODES ? block : details(`Step graph (${graph.nodes.length} steps)`, block));
  } else {
    sections.push(`The graph of ${graph.nodes.length} steps is too large for a comment: see \`graph.svg\` and \`graph.mmd\` in the plan directory.`);
  }

  sections.push("## How to apply");
  sections.push(applySection(input.identity));
  return `${sections.join("\n\n")}\n`;
}

function driftWord(drift: DriftOutcome): string {
  switch (drift.status) {
    case "report":
      return drift.report.ready ? "ready" : drift.report.results.some((r) => r.status === "finding") ? "**findings**" : "**could not check**";
    case "skipped":
      return "skipped";
    case "not-available":
      return "not available";
    case "failed":
      return "**could not check**";
  }
}

function stageRows(graph: StepGraph, kinds: ReadonlyMap<string, ChangeKind>): string[][] {
  const rows: string[][] = [];
  graph.stages.forEach((stage, i) => {
    for (const g of stageGroups(stage)) {
      const zones = g.nodes.map((n) => {
        const kind = kinds.get(n.resource);
        return `${n.zoneId} ${n.zoneName}${kind && kind !== "create" ? ` (${kind})` : ""}`;
      });
      rows.push([String(i + 1), cellCode(g.step), cell(zones.join(", ")), cell(g.does)]);
    }
  });
  return rows;
}

/** Barriers are resources in the plan but not steps: say what each one separates, once. */
function barrierNote(graph: StepGraph): string {
  const lines = graph.barriers.map((b) => `- ${cellCode(b.address)}: ${b.does}`);
  return `Stage barriers (resources that run nothing; the steps after one wait for every step before it):\n\n${lines.join("\n")}`;
}

function changesSummary(plan: PlanModel, counts: Record<ChangeKind, number>): string {
  if (plan.changes.length === 0) return "The plan has no resource: nothing to compare.";
  const kinds = CHANGE_KINDS.filter((k) => counts[k] > 0);
  const lines = [table(kinds, [kinds.map((k) => String(counts[k]))])];
  if (counts.create === plan.changes.length) lines.push("Nothing has run yet: every step will run once, in the order of the stages above.");
  else if (counts["no-op"] === plan.changes.length) lines.push("Every step already ran: applying this plan runs nothing on any zone.");
  if (counts.replace > 0)
    lines.push("A replaced step runs again (its local-exec is a create-time provisioner); steps that wait for it do not, unless they are replaced too.");
  if (counts.delete > 0) lines.push("A deleted step does not undo anything on the zones: it only leaves the state.");
  return lines.join("\n\n");
}

function whyOf(c: PlannedChange): string {
  const parts: string[] = [];
  if (c.reason) parts.push(c.reason.replace(/_/g, " "));
  if (c.changedTriggers.length > 0) parts.push(`changed: ${c.changedTriggers.join(", ")}`);
  return parts.join("; ") || (c.kind === "create" ? "not in the state" : c.kind === "no-op" ? "already applied" : "");
}

function applySection(identity: PlanIdentity | undefined): string {
  const dir = identity?.planDir ?? "<plan directory>";
  const text =
    `After approval, \`onefed apply --plan ${dir}\` applies exactly this plan (or \`cdktf deploy\`, which plans again). ` +
    "It refuses, without touching any zone, when the federation file, the synthesized stack or the state changed since this review.";
  if (!identity) return text;
  const rows = [
    ["stack", cellCode(identity.stack)],
    ["engine", cell(identity.engine)],
    ["federation file", `${cellCode(identity.configFile)} sha256 ${cellCode(identity.configSha256)}`],
    ["cdk.tf.json", `sha256 ${cellCode(identity.cdkTfJsonSha256)}`],
    ["state at plan time", cell(identity.state)],
  ];
  return `${text}\n\n${table(["planned from", ""], rows)}`;
}

/** Last resort: cut at a line, close what the cut left open, and say so. */
function hardCut(text: string, limit: number): string {
  const note = "\n\n**Review truncated to fit a comment; plan.json, graph.svg and graph.mmd in the plan directory hold everything.**\n";
  let cut = text.slice(0, Math.max(0, limit - note.length - 40));
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf("\n")));
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += "\n```";
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) cut += "\n\n</details>";
  return cut + note;
}
