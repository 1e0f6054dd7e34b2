/**
 * The step DAG as the synthesized cdk.tf.json states it (resource names, depends_on, triggers),
 * so that the review shows what terraform will actually order, not what we meant to build. Stage
 * barriers (resources with a `barrier` trigger, which run nothing) are not steps: a step that waits
 * for one waits for everything the barrier waits for, and the graph shows those steps instead. A
 * chain (a `steps` trigger: one resource running several steps of a zone in order) is its steps: the
 * first waits for the resource's depends_on, each other for the one before it, and whatever depends
 * on the resource waits for its last.
 */
import { unimpliedPredecessors } from "../../model/implied-edges";
import { STEP_FACTS, STEP_NAMES, StepName, stepsInTriggers } from "../../model/steps";
import { ReviewInputError } from "./errors";

export interface StepNode {
  /** The step's id in the graph: its resource's name when the step is alone ("zone_100_download", "federated_backup"; terraform allows "-" in it too), else zone_<id>_<step> ("zone_100_upgrade" of zone_100_restore_to_start). */
  readonly id: string;
  /** The name of the resource that runs it, e.g. "zone_100_restore_to_start". */
  readonly resource: string;
  /** The name made safe as a Mermaid/SVG id (letters, digits, "_"), unique in the graph. */
  readonly key: string;
  /** Address of the resource that runs it, e.g. "null_resource.zone_100_restore_to_start". */
  readonly address: string;
  /** Step name from the `step` trigger (or its place in the `steps` trigger), e.g. "restore". */
  readonly step: string;
  readonly zoneId: number;
  readonly zoneName: string;
  /** "master" or "slave" from the `role` trigger. */
  readonly role: string;
  /** What the step does, from the `does` trigger (a chain's: the step's own line). */
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

/** One step as its resource states it: a resource runs one (`step` trigger) or a chain (`steps`). */
interface RawStep {
  readonly id: string;
  readonly resource: string;
  readonly address: string;
  readonly step: string;
  readonly does: string;
  readonly triggers: Record<string, unknown>;
}

/** A chain's steps in run order from its `steps` trigger ("restore,upgrade,start"); one step from `step`. */
function stepsOfResource(name: string, triggers: Record<string, unknown>): { step: string; does: string }[] {
  const steps = stepsInTriggers(triggers);
  if (typeof triggers.step === "string") return [{ step: triggers.step, does: String(triggers.does ?? "") }];
  if (steps.some((s) => !(STEP_NAMES as readonly string[]).includes(s)))
    throw new ReviewInputError(`${name} runs the steps "${String(triggers.steps)}", not all of which are steps onefed knows (${STEP_NAMES.join(", ")})`);
  return steps.map((s) => ({ step: s, does: STEP_FACTS[s as StepName].description }));
}

/** Builds the graph from the parsed cdk.tf.json; throws ReviewInputError when it is not one we can read. */
export function buildStepGraph(cdkTfJson: unknown): StepGraph {
  const resources = ((cdkTfJson as { resource?: Record<string, Record<string, RawResource>> })?.resource ?? {}) as Record<string, Record<string, RawResource>>;
  const stepResources = new Map<string, { address: string; res: RawResource }>();
  const barrierRaw = new Map<string, { address: string; res: RawResource }>();
  const nameOfAddress = new Map<string, string>();
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, res] of Object.entries(byName ?? {})) {
      const isStep = stepsInTriggers(res?.triggers ?? {}).length > 0;
      if (!isStep && typeof res?.triggers?.barrier !== "string") continue;
      if (stepResources.has(name) || barrierRaw.has(name)) throw new ReviewInputError(`two step resources are named ${name} in cdk.tf.json`);
      (isStep ? stepResources : barrierRaw).set(name, { address: `${type}.${name}`, res });
      nameOfAddress.set(`${type}.${name}`, name);
    }
  }
  if (stepResources.size === 0) throw new ReviewInputError("cdk.tf.json has no step resource (no resource with a `step` or `steps` trigger)");

  let declaredEdgeCount = 0;
  const dependsOn = (name: string, res: RawResource): string[] => {
    const deps = Array.isArray(res.depends_on) ? (res.depends_on as unknown[]).map(String) : [];
    declaredEdgeCount += deps.length;
    return deps.map((d) => {
      const dep = nameOfAddress.get(d);
      if (!dep) throw new ReviewInputError(`${name} depends on ${d}, which is not a step resource of the stack`);
      return dep;
    });
  };
  // Every step of every resource; what waits for a resource waits for its last step.
  const rawSteps = new Map<string, RawStep>();
  const lastStepOf = new Map<string, string>();
  const declared = new Map<string, string[]>();
  for (const [name, { address, res }] of stepResources) {
    const triggers = res.triggers ?? {};
    const steps = stepsOfResource(name, triggers);
    const ids = steps.map(({ step }) => (steps.length === 1 ? name : `zone_${String(triggers.zone_id)}_${step.replace(/-/g, "_")}`));
    for (const id of ids)
      if (rawSteps.has(id) || (stepResources.has(id) && id !== name)) throw new ReviewInputError(`two steps are named ${id} in cdk.tf.json (${name} runs one)`);
    steps.forEach(({ step, does }, i) => rawSteps.set(ids[i], { id: ids[i], resource: name, address, step, does, triggers }));
    lastStepOf.set(name, ids[ids.length - 1]);
    const deps = dependsOn(name, res);
    ids.forEach((id, i) => declared.set(id, i === 0 ? deps : [ids[i - 1]]));
  }
  for (const [name, { res }] of barrierRaw) declared.set(name, dependsOn(name, res));
  for (const [id, deps] of declared) declared.set(id, [...new Set(deps.map((d) => lastStepOf.get(d) ?? d))]);
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
  const after = new Map([...rawSteps.keys()].map((id) => [id, stepsBehind(id)]));
  const barriers = [...barrierRaw]
    .map(([id, { address, res }]): StageBarrier => ({ id, address, does: String(res.triggers?.does ?? "") }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

  const stageOf = topologicalLevels(after);
  const keys = new Set<string>();
  const nodes = [...rawSteps.values()].map(({ id, resource, address, step, does, triggers: t }): StepNode => {
    return {
      id,
      resource,
      key: diagramKey(id, keys),
      address,
      step,
      zoneId: Number(t.zone_id),
      zoneName: String(t.zone_name ?? ""),
      role: String(t.role ?? ""),
      does,
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
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Nodes are in stage order: every predecessor comes before its dependents.
  const kept = unimpliedPredecessors(
    nodes.map((n) => n.id),
    (id) => byId.get(id)!.after,
  );
  return nodes.flatMap((n) => kept.get(n.id)!.map((d): [string, string] => [d, n.id]));
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
