/**
 * "Exactly the reviewed plan" on a twin: the twin's step graph must equal the reviewed one in
 * everything but the machines' addresses — the same steps on the same zones (ids, names, roles),
 * the same front-end count per zone, the same stages, the same order (every step's predecessors)
 * and the same stage barriers. The `frontends` trigger is compared by count only: the twin's
 * front-ends are loopback addresses by design.
 */
import type { StepGraph, StepNode } from "../review/step-graph";

/** At most this many differences are listed; the rest are counted. */
const MAX_LISTED = 6;

const frontendCount = (n: StepNode): number => (n.frontends === "" ? 0 : n.frontends.split(",").length);

/** One step as the comparison sees it: everything that fixes what runs where and when, no address. */
function shapeOf(n: StepNode): Record<string, string> {
  return {
    "zone name": n.zoneName,
    role: n.role,
    does: n.does,
    "upgrade type": n.upgradeType ?? "none",
    "front-ends": String(frontendCount(n)),
    stage: String(n.stage + 1),
    after: [...new Set(n.after)].sort().join(" ") || "nothing",
  };
}

function describeStep(n: StepNode): string {
  return `${n.step} on zone ${n.zoneId} (${n.zoneName}, stage ${n.stage + 1})`;
}

/** "front-ends 3 reviewed, 1 in the twin; stage …": the fields of one step that differ. */
function fieldDifferences(reviewed: StepNode, twin: StepNode): string {
  const a = shapeOf(reviewed);
  const b = shapeOf(twin);
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k} ${JSON.stringify(a[k])} reviewed, ${JSON.stringify(b[k])} in the twin`)
    .join("; ");
}

/** What differs between the reviewed graph and the twin's, one sentence each; empty when they are the same plan. */
export function stepGraphDifferences(reviewed: StepGraph, twin: StepGraph): string[] {
  const twinById = new Map(twin.nodes.map((n) => [n.id, n]));
  const reviewedIds = new Set(reviewed.nodes.map((n) => n.id));
  const zones = (g: StepGraph): string => g.zones.map((z) => `${z.id} ${z.name} ${z.role}`).join(", ");
  const barriers = (g: StepGraph): string => g.barriers.map((b) => b.id).join(", ") || "none";
  // Whole-graph differences and missing or extra steps first: they say most; then field by field.
  const out = [
    zones(reviewed) !== zones(twin) ? `the zones differ (reviewed: ${zones(reviewed)}; twin: ${zones(twin)})` : "",
    reviewed.stages.length !== twin.stages.length ? `the reviewed plan has ${reviewed.stages.length} stages, the twin's ${twin.stages.length}` : "",
    barriers(reviewed) !== barriers(twin) ? `the stage barriers differ (reviewed: ${barriers(reviewed)}; twin: ${barriers(twin)})` : "",
    ...reviewed.nodes.filter((n) => !twinById.has(n.id)).map((n) => `the reviewed step ${describeStep(n)} is not in the twin's plan`),
    ...twin.nodes.filter((t) => !reviewedIds.has(t.id)).map((t) => `the twin's plan has a step the review does not: ${describeStep(t)}`),
    ...reviewed.nodes.flatMap((n) => {
      const t = twinById.get(n.id);
      const d = t ? fieldDifferences(n, t) : "";
      return d ? [`step ${n.id}: ${d}`] : [];
    }),
  ].filter(Boolean);
  return out.length > MAX_LISTED ? [...out.slice(0, MAX_LISTED), `and ${out.length - MAX_LISTED} more differences`] : out;
}
