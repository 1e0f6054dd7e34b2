/**
 * The step DAG as the synthesized cdk.tf.json states it (resource names, depends_on, triggers),
 * so that the review shows what terraform will actually order, not what we meant to build. Stage
 * barriers (resources with a `barrier` trigger, which run nothing) are not steps: a step that waits
 * for one waits for everything the barrier waits for, and the graph shows those steps instead.
 */
import { STEP_NAMES } from "../../model/steps";
import { ReviewInputError } from "./errors";

export interface StepNode {
  /** Resource name, e.g. "zone_100_restore" (terraform allows "-" in it too). */
  readonly id: string;
  /** The name made safe as a Mermaid/SVG id (letters, digits, "_"), unique in the graph. */
  readonly key: string;
  /** Resource address, e.g. "null_resource.zone_100_restore". */
  readonly address: string;
  /** Step name from the `step` trigger, e.g. "restore". */
  readonly step: string;
  readonly zoneId: number;
  readonly zoneName: string;
  /** "master" or "slave" from the `role` trigger. */
  readonly role: string;
  /** What the step does, from the `does` trigger. */
  readonly does: string;
  /** "host:port,…" from the `frontends` trigger. */
  readonly frontends: string;
  /** The `upgrade_type` trigger, e.g. "B (coordinated)", when the stack sets one. */
  readonly upgradeType?: string;
  /** Direct predecessors (ids), as depends_on lists them. */
  readonly after: readonly string[];
  /** Topological level: 0 for steps that wait for nothing, else one more than the latest predecessor. */
  readonly stage: number;
}

export interface GraphZone {
  readonly id: number;
  readonly name: string;
  readonly role: string;
}

/** A stage barrier of the stack: no step, only the order it carries. */
export interface StageBarrier {
  /** Resource name, e.g. "stage_every_zone_back". */
  readonly id: string;
  /** Resource address, e.g. "null_resource.stage_every_zone_back". */
  readonly address: string;
  /** What holds once it is passed, from the `does` trigger. */
  readonly does: string;
}

export interface StepGraph {
  /** Every step, ordered by stage, then zone (master first), then step order. */
  readonly nodes: readonly StepNode[];
  /** Steps per stage; the steps of one stage have no order between them and may run in parallel. */
  readonly stages: readonly (readonly StepNode[])[];
  /** Zones in display order: the master first, then by id. */
  readonly zones: readonly GraphZone[];
  /** Edges [from, to] ("to waits for from") without the ones implied through other steps. */
  readonly edges: readonly (readonly [string, string])[];
  /** Edge count as depends_on lists them (barriers' own included), before reduction. */
  readonly declaredEdgeCount: number;
  /** The stage barriers, in name order; their order is in `edges` through the steps around them. */
  readonly barriers: readonly StageBarrier[];
}

interface RawResource {
  depends_on?: unknown;
  triggers?: Record<string, unknown>;
}

const stepRank = (step: string): number => {
  const i = (STEP_NAMES as readonly string[]).indexOf(step);
  return i < 0 ? STEP_NAMES.length : i;
};

/** Builds the graph from the parsed cdk.tf.json; throws ReviewInputError when it is not one we can read. */
export function buildStepGraph(cdkTfJson: unknown): StepGraph {
  const resources = ((cdkTfJson as { resource?: Record<string, Record<string, RawResource>> })?.resource ?? {}) as Record<string, Record<string, RawResource>>;
  const raw = new Map<string, { address: string; res: RawResource }>();
  const barrierRaw = new Map<string, { address: string; res: RawResource }>();
  const idOfAddress = new Map<string, string>();
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, res] of Object.entries(byName ?? {})) {
      const isStep = typeof res?.triggers?.step === "string";
      if (!isStep && typeof res?.triggers?.barrier !== "string") continue;
      if (raw.has(name) || barrierRaw.has(name)) throw new ReviewInputError(`two step resources are named ${name} in cdk.tf.json`);
      (isStep ? raw : barrierRaw).set(name, { address: `${type}.${name}`, res });
      idOfAddress.set(`${type}.${name}`, name);
    }
  }
  if (raw.size === 0) throw new ReviewInputError("cdk.tf.json has no step resource (no resource with a `step` trigger)");

  let declaredEdgeCount = 0;
  const declared = new Map<string, string[]>();
  for (const [id, { res }] of [...raw, ...barrierRaw]) {
    const deps = Array.isArray(res.depends_on) ? (res.depends_on as unknown[]).map(String) : [];
    declared.set(
      id,
      deps.map((d) => {
        const dep = idOfAddress.get(d);
        if (!dep) throw new ReviewInputError(`${id} depends on ${d}, which is not a step resource of the stack`);
        return dep;
      }),
    );
    declaredEdgeCount += deps.length;
  }
  // A dependency on a barrier stands for the steps behind it (through barriers before it, too).
  const expanded = new Map<string, string[]>();
  const stepsBehind = (id: string, path: readonly string[] = []): string[] => {
    if (path.includes(id)) throw new ReviewInputError(`the step graph has a cycle through ${[...path, id].join(", ")}; terraform would refuse it too`);
    const known = expanded.get(id);
    if (known) return known;
    const steps = [...new Set(declared.get(id)!.flatMap((d) => (barrierRaw.has(d) ? stepsBehind(d, [...path, id]) : [d])))];
    expanded.set(id, steps);
    return steps;
  };
  const after = new Map([...raw.keys()].map((id) => [id, stepsBehind(id)]));
  const barriers = [...barrierRaw]
    .map(([id, { address, res }]): StageBarrier => ({ id, address, does: String(res.triggers?.does ?? "") }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

  const stageOf = topologicalLevels(after);
  const keys = new Set<string>();
  const nodes = [...raw].map(([id, { address, res }]): StepNode => {
    const t = res.triggers ?? {};
    return {
      id,
      key: diagramKey(id, keys),
      address,
      step: String(t.step),
      zoneId: Number(t.zone_id),
      zoneName: String(t.zone_name ?? ""),
      role: String(t.role ?? ""),
      does: String(t.does ?? ""),
      frontends: String(t.frontends ?? ""),
      upgradeType: typeof t.upgrade_type === "string" ? t.upgrade_type : undefined,
      after: after.get(id) ?? [],
      stage: stageOf.get(id) ?? 0,
    };
  });

  const zones = collectZones(nodes);
  const zoneRank = new Map(zones.map((z, i) => [z.id, i]));
  nodes.sort((a, b) => a.stage - b.stage || zoneRank.get(a.zoneId)! - zoneRank.get(b.zoneId)! || stepRank(a.step) - stepRank(b.step) || (a.id < b.id ? -1 : 1));
  const stages: StepNode[][] = [];
  for (const n of nodes) (stages[n.stage] ??= []).push(n);
  return { nodes, stages, zones, edges: reducedEdges(nodes), declaredEdgeCount, barriers };
}

/** Words diagram syntaxes reserve; an id equal to one gets a prefix. */
const RESERVED_IDS = new Set(["end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "linkStyle", "click", "direction", "default"]);

/** A diagram-safe, unique id for a resource name ("zone_0_safety-backup" → "zone_0_safety_backup"). */
function diagramKey(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]/.test(base) || RESERVED_IDS.has(base)) base = `n_${base}`;
  let key = base;
  for (let i = 2; taken.has(key); i++) key = `${base}_${i}`;
  taken.add(key);
  return key;
}

/** Kahn's algorithm with levels; a cycle is reported with the steps on it. */
function topologicalLevels(after: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const level = new Map<string, number>();
  const waiting = new Map([...after].map(([id, deps]) => [id, new Set(deps).size]));
  const dependents = new Map<string, string[]>();
  for (const [id, deps] of after) for (const d of new Set(deps)) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(id);
  let ready = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
  for (const id of ready) level.set(id, 0);
  while (ready.length > 0) {
    const next: string[] = [];
    for (const id of ready) {
      for (const dep of dependents.get(id) ?? []) {
        level.set(dep, Math.max(level.get(dep) ?? 0, level.get(id)! + 1));
        const left = waiting.get(dep)! - 1;
        waiting.set(dep, left);
        if (left === 0) next.push(dep);
      }
    }
    ready = next;
  }
  const stuck = [...waiting].filter(([, n]) => n > 0).map(([id]) => id);
  if (stuck.length > 0) throw new ReviewInputError(`the step graph has a cycle through ${stuck.sort().join(", ")}; terraform would refuse it too`);
  return level;
}

function collectZones(nodes: readonly StepNode[]): GraphZone[] {
  const byId = new Map<number, GraphZone>();
  for (const n of nodes) if (!byId.has(n.zoneId)) byId.set(n.zoneId, { id: n.zoneId, name: n.zoneName, role: n.role });
  return [...byId.values()].sort((a, b) => Number(b.role === "master") - Number(a.role === "master") || a.id - b.id);
}

/** Drops an edge d → n when n also waits for d through another predecessor: same order, fewer arrows. */
function reducedEdges(nodes: readonly StepNode[]): [string, string][] {
  const ancestors = new Map<string, Set<string>>();
  // Nodes are in stage order, so every predecessor's ancestors are known before its dependents'.
  for (const n of nodes) {
    const all = new Set<string>();
    for (const d of n.after) {
      all.add(d);
      for (const a of ancestors.get(d)!) all.add(a);
    }
    ancestors.set(n.id, all);
  }
  const edges: [string, string][] = [];
  for (const n of nodes) {
    const direct = [...new Set(n.after)];
    for (const d of direct) {
      const implied = direct.some((o) => o !== d && ancestors.get(o)!.has(d));
      if (!implied) edges.push([d, n.id]);
    }
  }
  return edges;
}

/** Steps of one stage grouped by (step, does), in display order: one line per kind of work. */
export function stageGroups(stage: readonly StepNode[]): { step: string; does: string; nodes: StepNode[] }[] {
  const groups: { step: string; does: string; nodes: StepNode[] }[] = [];
  for (const n of [...stage].sort((a, b) => stepRank(a.step) - stepRank(b.step))) {
    const g = groups.find((x) => x.step === n.step && x.does === n.does);
    if (g) g.nodes.push(n);
    else groups.push({ step: n.step, does: n.does, nodes: [n] });
  }
  return groups;
}
