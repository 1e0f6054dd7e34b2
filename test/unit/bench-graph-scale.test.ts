import { dependencyPairs, unfolded, withoutBarriers, withoutEdges } from "../../bench/graph-scale";

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

  test("unfolded: a chain's steps one resource each, in its order, what waited for the chain waiting for its last step", () => {
    const step = (s: string) => ({ triggers: { step: s, zone_id: "0" } });
    const folded = {
      resource: {
        null_resource: {
          zone_0_download: step("download"),
          zone_0_stop_to_safety_backup: {
            triggers: { steps: "stop,safety-backup", zone_id: "0" },
            provisioner: [{ "local-exec": { command: "stop" } }, { "local-exec": { command: "safety-backup" } }],
            depends_on: ["null_resource.zone_0_download"],
          },
          zone_0_upgrade: { ...step("upgrade"), depends_on: ["null_resource.zone_0_stop_to_safety_backup"] },
        },
      },
      output: {
        safety_backup_zone_0: {
          value: '${null_resource.zone_0_stop_to_safety_backup.id != "" ? 1 : null}',
          depends_on: ["null_resource.zone_0_stop_to_safety_backup"],
        },
      },
    };
    const res = unfolded(folded).resource.null_resource as Record<
      string,
      { depends_on?: string[]; triggers?: Record<string, string>; provisioner?: unknown[] }
    >;
    expect(Object.keys(res).sort()).toEqual(["zone_0_download", "zone_0_safety_backup", "zone_0_stop", "zone_0_upgrade"]);
    expect(res.zone_0_stop.depends_on).toEqual(["null_resource.zone_0_download"]);
    expect(res.zone_0_safety_backup.depends_on).toEqual(["null_resource.zone_0_stop"]);
    expect(res.zone_0_safety_backup.provisioner).toEqual([{ "local-exec": { command: "safety-backup" } }]);
    expect(res.zone_0_safety_backup.triggers).toEqual({ step: "safety-backup", zone_id: "0" });
    expect(res.zone_0_upgrade.depends_on).toEqual(["null_resource.zone_0_safety_backup"]);
    expect(unfolded(folded).output).toEqual({
      safety_backup_zone_0: { value: '${null_resource.zone_0_safety_backup.id != "" ? 1 : null}', depends_on: ["null_resource.zone_0_safety_backup"] },
    });
    // download 0, stop 1, safety-backup 2, upgrade 3; folded: download 0, the chain 1, upgrade 2
    expect(dependencyPairs(unfolded(folded))).toBe(6);
    expect(dependencyPairs(folded)).toBe(3);
  });
});
