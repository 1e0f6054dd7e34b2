import { dependencyPairs, withoutBarriers, withoutEdges } from "../../bench/graph-scale";

/** Two zones: download ×2 → barrier → freeze ×2 → verify on zone 0 after both freezes. */
function stack() {
  const step = (s: string) => ({ triggers: { step: s } });
  return {
    resource: {
      null_resource: {
        preflight: step("preflight"),
        d0: { ...step("download"), depends_on: ["null_resource.preflight"] },
        d1: { ...step("download"), depends_on: ["null_resource.preflight"] },
        barrier: { triggers: { barrier: "downloaded" }, depends_on: ["null_resource.d0", "null_resource.d1"] },
        f0: { ...step("freeze"), depends_on: ["null_resource.barrier"] },
        f1: { ...step("freeze"), depends_on: ["null_resource.barrier"] },
        v0: { ...step("verify"), depends_on: ["null_resource.f0", "null_resource.f1"] },
      },
    },
  };
}

describe("bench: 100-zone graph figures", () => {
  test("dependency pairs count every resource each one depends on transitively, once", () => {
    // preflight 0, d0 1, d1 1, barrier 3, f0 4, f1 4, v0 6 (preflight, d0, d1, barrier, f0, f1)
    expect(dependencyPairs(stack())).toBe(19);
  });

  test("the barrier only adds itself: the same orders without it leave the pairs of the steps as they were", () => {
    // preflight 0, d0 1, d1 1, f0 3, f1 3, v0 5
    expect(dependencyPairs(withoutBarriers(stack()))).toBe(13);
  });

  test("the floor keeps every resource and drops every depends_on", () => {
    const bare = withoutEdges(stack());
    expect(Object.keys(bare.resource.null_resource)).toHaveLength(7);
    expect(Object.values(bare.resource.null_resource).some((r) => "depends_on" in r)).toBe(false);
    expect(dependencyPairs(bare)).toBe(0);
  });
});
