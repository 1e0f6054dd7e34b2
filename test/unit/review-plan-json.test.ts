/** Reading `terraform show -json`: the real seed plan, every action list, and refusals of other documents. */
import { changeKindOf, countChanges, parsePlanJson } from "../../lib/terraform/review/plan-json";
import { ReviewInputError } from "../../lib/terraform/review/errors";
import { isStalePlanOutput } from "../../lib/terraform/engine-session";
import { seedPlanText } from "../fixtures/review/seed-inputs";

describe("parsePlanJson", () => {
  it("reads the real plan of the seed federation: 23 resources to create, in address order", () => {
    const plan = parsePlanJson(seedPlanText());
    expect(plan).toMatchObject({ formatVersion: "1.2", terraformVersion: "1.11.4", errored: false });
    expect(plan.changes).toHaveLength(23);
    expect(countChanges(plan)).toEqual({ create: 23, replace: 0, update: 0, delete: 0, read: 0, "no-op": 0 });
    expect(plan.changes[0].address).toBe("null_resource.federated_backup");
    expect([...plan.changes.map((c) => c.address)]).toEqual([...plan.changes.map((c) => c.address)].sort());
  });

  it.each([
    [["create"], "create"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace"],
    [["update"], "update"],
    [["delete"], "delete"],
    [["no-op"], "no-op"],
    [["read"], "read"],
  ])("maps actions %j to %s", (actions, kind) => {
    expect(changeKindOf(actions)).toBe(kind);
  });

  it("names the triggers whose value changed", () => {
    const doc = {
      format_version: "1.2",
      resource_changes: [
        {
          address: "null_resource.zone_0_upgrade",
          mode: "managed",
          type: "null_resource",
          name: "zone_0_upgrade",
          action_reason: "replace_because_cannot_update",
          change: {
            actions: ["delete", "create"],
            before: { triggers: { to_version: "7.0.0", step: "upgrade" } },
            after: { triggers: { to_version: "7.2.0", step: "upgrade" } },
          },
        },
        { address: "data.x.y", mode: "data", type: "x", name: "y", change: { actions: ["read"] } },
      ],
    };
    const plan = parsePlanJson(JSON.stringify(doc));
    expect(plan.changes).toEqual([
      {
        address: "null_resource.zone_0_upgrade",
        name: "zone_0_upgrade",
        type: "null_resource",
        kind: "replace",
        reason: "replace_because_cannot_update",
        changedTriggers: ["to_version"],
      },
    ]);
    expect(plan.terraformVersion).toBe("unknown");
  });

  it.each([
    ["not JSON", "Plan: 23 to add", /does not parse/],
    ["another format", JSON.stringify({ format_version: "0.1" }), /format_version "0.1"/],
    ["a state file", JSON.stringify({ version: 4, serial: 3 }), /format_version undefined/],
    [
      "an unknown action",
      JSON.stringify({ format_version: "1.2", resource_changes: [{ mode: "managed", change: { actions: ["forget"] } }] }),
      /action list this review does not know: \[forget\]/,
    ],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parsePlanJson(text)).toThrow(ReviewInputError);
    expect(() => parsePlanJson(text)).toThrow(message);
  });

  it("marks an errored plan", () => {
    expect(parsePlanJson(JSON.stringify({ format_version: "1.2", errored: true })).errored).toBe(true);
  });
});

describe("terraform's stale plan refusals", () => {
  it.each([
    ["Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed", true],
    ["Error: Saved plan does not match the given state", true],
    ["Error: local-exec provisioner error", false],
  ])("%j → %s", (output, stale) => {
    expect(isStalePlanOutput(output)).toBe(stale);
  });
});
