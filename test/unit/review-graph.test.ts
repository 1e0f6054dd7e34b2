/**
 * The step DAG read back from the synthesized cdk.tf.json: stages are topological levels, the
 * procedure's order holds, parallel branches share stages, and unreadable graphs are refused.
 */
import { buildStepGraph, type StepGraph } from "../../lib/terraform/review/step-graph";
import { ReviewInputError } from "../../lib/terraform/review/errors";
import { synthJson } from "../fixtures/review/seed-inputs";

const graph = buildStepGraph(synthJson());
const stage = (id: string): number => {
  const n = graph.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n.stage;
};

/** Transitive closure of a list of edges [from, to]. */
function closure(edges: readonly (readonly [string, string])[]): Set<string> {
  const succ = new Map<string, string[]>();
  for (const [a, b] of edges) (succ.get(a) ?? succ.set(a, []).get(a)!).push(b);
  const all = new Set<string>();
  for (const start of succ.keys()) {
    const stack = [...(succ.get(start) ?? [])];
    const seen = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      all.add(`${start}>${n}`);
      stack.push(...(succ.get(n) ?? []));
    }
  }
  return all;
}

describe("step graph of the seed federation", () => {
  it("has one node per step resource, with its triggers", () => {
    const res = (synthJson() as { resource: { null_resource: Record<string, { triggers: Record<string, string> }> } }).resource.null_resource;
    // One node per step: a chain's steps each (named zone_<id>_<step>), a step alone by its resource's
    // name; stage barriers run nothing: they are not nodes, only the order they carry is.
    const steps = Object.entries(res).flatMap(([name, r]) =>
      r.triggers.step ? [name] : r.triggers.steps ? r.triggers.steps.split(",").map((s) => `zone_${r.triggers.zone_id}_${s.replace(/-/g, "_")}`) : [],
    );
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(steps.sort());
    expect(new Set(graph.nodes.map((n) => n.resource))).toEqual(new Set(Object.keys(res).filter((n) => !n.startsWith("stage_"))));
    expect(graph.barriers.map((b) => b.id)).toEqual(["stage_every_zone_back", "stage_every_zone_downloaded"]);
    const restore = graph.nodes.find((n) => n.id === "zone_100_restore")!;
    expect(restore).toMatchObject({
      address: "null_resource.zone_100_restore_to_start",
      resource: "zone_100_restore_to_start",
      step: "restore",
      zoneId: 100,
      zoneName: "S-EU-GE",
      role: "slave",
      frontends: "192.168.150.2:22",
    });
    expect(restore.does).toMatch(/onedb restore/);
    expect(graph.zones.map((z) => z.id)).toEqual([0, 100, 101]);
  });

  it("upgrades the master before its backup, and takes the backup before any slave restores", () => {
    expect(stage("zone_0_upgrade")).toBeLessThan(stage("zone_0_backup"));
    expect(stage("zone_0_backup")).toBeLessThan(stage("zone_100_restore"));
    for (const z of [0, 100, 101]) expect(stage(`zone_${z}_stop`)).toBeLessThan(stage("zone_0_upgrade"));
    expect(stage("zone_100_restore")).toBeLessThan(stage("zone_100_upgrade"));
    expect(stage("zone_0_unfreeze")).toBeLessThan(stage("zone_100_unfreeze"));
  });

  it("puts the slaves' restore → upgrade chains side by side in the same stages", () => {
    expect(stage("zone_100_restore")).toBe(stage("zone_101_restore"));
    expect(stage("zone_100_upgrade")).toBe(stage("zone_101_upgrade"));
    expect(stage("zone_100_start")).toBe(stage("zone_101_start"));
    const restores = graph.stages[stage("zone_100_restore")].map((n) => n.id);
    expect(restores).toEqual(expect.arrayContaining(["zone_100_restore", "zone_101_restore"]));
  });

  it("makes stages topological levels: every step one stage after its latest predecessor", () => {
    for (const n of graph.nodes) {
      const latest = Math.max(-1, ...n.after.map(stage));
      expect(`${n.id}:${n.stage}`).toBe(`${n.id}:${latest + 1}`);
    }
    graph.stages.forEach((s, i) => s.forEach((n) => expect(n.stage).toBe(i)));
  });

  it("drops only edges implied through other steps: the order is unchanged", () => {
    const declared = graph.nodes.flatMap((n) => n.after.map((d) => [d, n.id] as const));
    expect(graph.edges.length).toBeLessThan(declared.length);
    const res = (synthJson() as { resource: { null_resource: Record<string, { depends_on?: string[] }> } }).resource.null_resource;
    expect(graph.declaredEdgeCount).toBe(Object.values(res).reduce((n, r) => n + (r.depends_on ?? []).length, 0));
    expect(closure(graph.edges)).toEqual(closure(declared));
    for (const [a, b] of graph.edges) expect(stage(a)).toBeLessThan(stage(b));
  });
});

describe("graphs the review refuses or must cope with", () => {
  const res = (name: string, step: string, deps: string[] = []) =>
    [name, { triggers: { step, zone_id: "0", zone_name: "M", role: "master", does: step }, depends_on: deps }] as const;
  const build = (...entries: (readonly [string, unknown])[]): StepGraph => buildStepGraph({ resource: { null_resource: Object.fromEntries(entries) } });

  it.each([
    ["a cycle", [res("a", "stop", ["null_resource.b"]), res("b", "start", ["null_resource.a"])], /cycle through a, b/],
    ["an unknown dependency", [res("a", "stop", ["null_resource.gone"])], /a depends on null_resource.gone, which is not a step resource/],
    ["no step resource", [], /no step resource/],
  ])("refuses %s", (_what, entries, message) => {
    expect(() => build(...entries)).toThrow(ReviewInputError);
    expect(() => build(...entries)).toThrow(message);
  });

  it("stands a step after a stage barrier after every step behind it, through barriers in a row", () => {
    const barrier = (name: string, deps: string[]) => [name, { triggers: { barrier: name, does: `${name} passed` }, depends_on: deps }] as const;
    const g = build(
      res("a", "start"),
      res("b", "start"),
      barrier("stage_one", ["null_resource.a"]),
      barrier("stage_two", ["null_resource.stage_one", "null_resource.b"]),
      res("c", "verify", ["null_resource.stage_two"]),
    );
    expect(g.nodes.map((n) => n.id).sort()).toEqual(["a", "b", "c"]);
    expect(g.nodes.find((n) => n.id === "c")!.after).toEqual(["a", "b"]);
    expect(g.edges).toEqual([
      ["a", "c"],
      ["b", "c"],
    ]);
    expect(g.stages.map((st) => st.map((n) => n.id))).toEqual([["a", "b"], ["c"]]);
    expect(g.barriers).toEqual([
      { id: "stage_one", address: "null_resource.stage_one", does: "stage_one passed" },
      { id: "stage_two", address: "null_resource.stage_two", does: "stage_two passed" },
    ]);
    expect(g.declaredEdgeCount).toBe(4);
  });

  it("gives resource names terraform allows but diagrams do not a safe, unique key", () => {
    const g = build(
      res("zone_0_safety-backup", "safety-backup"),
      res("zone_0_safety_backup", "stop"),
      res("end", "verify", ["null_resource.zone_0_safety-backup"]),
    );
    const keys = Object.fromEntries(g.nodes.map((n) => [n.id, n.key]));
    expect(keys).toEqual({
      "zone_0_safety-backup": expect.stringMatching(/^zone_0_safety_backup(_2)?$/),
      zone_0_safety_backup: expect.stringMatching(/^zone_0_safety_backup(_2)?$/),
      end: "n_end",
    });
    expect(new Set(Object.values(keys)).size).toBe(3);
  });
});
