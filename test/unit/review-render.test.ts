/**
 * review.md: exact golden files for the seed federation (fresh and resuming), the type A wording,
 * and the GitHub comment size limit on large federations.
 */
import * as fs from "fs";
import * as path from "path";
import { checkMermaid } from "../../lib/terraform/review/mermaid-check";
import { parsePlanJson } from "../../lib/terraform/review/plan-json";
import { GITHUB_COMMENT_LIMIT, renderReview, type ReviewInput } from "../../lib/terraform/review/render-review";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";
import { classifyUpgrade } from "../../lib/terraform/review/upgrade-kind";
import { DRIFTED, FIXTURE_DIR, IDENTITY, planTextFromSynth, READY_DRIFT, resumePlanText, seedConfig, synthJson } from "../fixtures/review/seed-inputs";
import { seedFederation } from "../support/federation-builder";

/** Compares with the committed golden file; UPDATE_GOLDEN=1 rewrites it (read the diff). */
function expectGolden(name: string, text: string): void {
  const file = path.join(FIXTURE_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const seedGraph = () => buildStepGraph(synthJson());

describe("review.md for the seed federation", () => {
  const fresh: ReviewInput = {
    config: seedConfig(),
    plan: parsePlanJson(planTextFromSynth()),
    graph: seedGraph(),
    drift: { status: "report", report: READY_DRIFT },
    identity: IDENTITY,
  };

  it("matches the golden file for a fresh plan", () => {
    expectGolden("seed-review.md", renderReview(fresh));
  });

  it("matches the golden file when resuming after a failed restore, with drift findings", () => {
    const review = renderReview({
      ...fresh,
      plan: parsePlanJson(resumePlanText()),
      drift: { status: "report", report: DRIFTED },
      identity: { ...IDENTITY, state: "serial 14, lineage 0b5e1c1e-7d39-4c41-9f4c-2d0f6c9d8a11" },
    });
    expectGolden("seed-review-resume.md", review);
    expect(review).toContain("| `null_resource.zone_100_restore_to_start` | replace | runs restore, then upgrade, then start; replace because tainted |");
    expect(review).toContain(
      "| `null_resource.zone_101_restore_to_start` | replace | runs restore, then upgrade, then start; replace because cannot update; changed: plan_sha256 |",
    );
    // A pipe inside a finding must not split the table row.
    expect(review).toContain("6.8.1 \\| held back");
  });

  it("states the essentials a reviewer approves", () => {
    const review = renderReview(fresh);
    expect(review.split("\n")[0]).toBe("# Plan review: federation `seed`, 6.10.0 → 7.0.0");
    expect(review).toContain("**Coordinated upgrade (type B).**");
    // Both slaves' restores in one stage row: they run in parallel.
    expect(review).toMatch(/\| \d+ \| `restore` \| 100 S-EU-GE, 101 S-US-CA \|/);
    expect(review).toContain("| 100 | S-EU-GE | slave | `http://192.168.150.2:2633/RPC2` | `192.168.150.2:22` |");
    expect(review).toContain("**Ready.**");
    expect(review).toContain("`onefed apply --plan ./plan-review`");
    const blocks = mermaidBlocks(review);
    expect(blocks).toHaveLength(1);
    expect(checkMermaid(blocks[0])).toEqual([]);
  });

  it.each([
    [{ status: "skipped" } as const, /Skipped \(`--no-check`\)/, "drift check: skipped"],
    [{ status: "not-available" } as const, /Drift check not available/, "drift check: not available"],
    [
      { status: "failed", message: "no route to 192.168.150.1" } as const,
      /\*\*Could not check:\*\* no route to 192\.168\.150\.1/,
      "drift check: **could not check**",
    ],
  ])("renders the drift outcome %j", (drift, body, summary) => {
    const review = renderReview({ ...fresh, drift });
    expect(review).toMatch(body);
    expect(review).toContain(summary);
  });
});

describe("a per-zone (type A) plan", () => {
  it("is recognised from the steps and explained as such", () => {
    const triggers = (step: string, id: number, role: string) => ({
      step,
      zone_id: String(id),
      zone_name: `Z${id}`,
      role,
      does: `${step} it`,
      frontends: `10.0.0.${id}:22`,
    });
    const json = {
      resource: {
        null_resource: {
          zone_0_upgrade: { triggers: triggers("upgrade", 0, "master") },
          zone_0_start: { triggers: triggers("start", 0, "master"), depends_on: ["null_resource.zone_0_upgrade"] },
          zone_100_upgrade: { triggers: triggers("upgrade", 100, "slave"), depends_on: ["null_resource.zone_0_start"] },
          zone_100_start: { triggers: triggers("start", 100, "slave"), depends_on: ["null_resource.zone_100_upgrade"] },
        },
      },
    };
    // The federation file rules refuse type A today; the review must still say it right if a plan holds one.
    const config = { ...seedConfig(), toVersion: "6.10.1" };
    const plan = { formatVersion: "1.2", terraformVersion: "1.11.4", errored: false, changes: [] };
    const review = renderReview({ config, plan, graph: buildStepGraph(json) });
    expect(review).toContain("per-zone (type A)");
    expect(review).toContain("**Per-zone upgrade (type A).** 6.10.0 → 6.10.1 stays in the 6.10 series");
    expect(review).toContain("drift check: not available");
  });
});

describe("an HA federation", () => {
  it("marks HA zones in the federation table and lists their replicate steps", () => {
    const config = seedFederation().withHa(101, ["192.168.150.3", "192.168.150.31", "192.168.150.32"]).parse();
    const json = synthJson(config);
    const review = renderReview({ config, plan: parsePlanJson(planTextFromSynth(json)), graph: buildStepGraph(json) });
    expect(review).toContain(
      "| 101 | S-US-CA | slave | `http://192.168.150.3:2633/RPC2` | HA, 3 Raft servers: `192.168.150.3:22`, `192.168.150.31:22`, `192.168.150.32:22` |",
    );
    expect(review).toContain("| 100 | S-EU-GE | slave | `http://192.168.150.2:2633/RPC2` | `192.168.150.2:22` |");
    expect(review).toMatch(/\| `replicate` \| 101 S-US-CA \| HA: the leader's full onedb backup restored with -f on every follower/);
  });
});

describe("classifyUpgrade", () => {
  const node = (step: string, upgrade_type?: string) => ({
    triggers: { step, zone_id: "0", zone_name: "M", role: "master", does: step, ...(upgrade_type ? { upgrade_type } : {}) },
  });
  it.each([
    ["the upgrade_type trigger A", { a: node("upgrade", "A (zone by zone)"), b: node("restore", "A (zone by zone)") }, "per-zone"],
    ["the upgrade_type trigger B", { a: node("upgrade", "B (coordinated)") }, "coordinated"],
    ["a federated restore without trigger", { a: node("restore") }, "coordinated"],
    ["no federated step and no trigger", { a: node("upgrade") }, "per-zone"],
  ])("reads %s", (_what, resources, kind) => {
    expect(classifyUpgrade(buildStepGraph({ resource: { null_resource: resources } }), "6.10.0", "7.0.0").kind).toBe(kind);
  });
});

describe("the GitHub comment limit", () => {
  const bigConfig = (slaves: number) => {
    const host = (i: number) => `10.1.${i >> 8}.${i & 255}`;
    const zones = Array.from({ length: slaves }, (_, i) => ({
      id: 100 + i,
      name: `S-${i}`,
      role: "slave" as const,
      endpoint: `http://${host(i)}:2633/RPC2`,
      frontends: [{ host: host(i) }],
    }));
    return seedFederation()
      .with({ federation: { name: "big" } })
      .withZones([{ id: 0, name: "M", role: "master", endpoint: "http://10.0.0.1:2633/RPC2", frontends: [{ host: "10.0.0.1" }] }, ...zones])
      .parse();
  };
  const graphs = new Map<number, ReturnType<typeof buildStepGraph>>();
  /** Synthesizing 200 slaves takes seconds: once per size. */
  const graphOf = (slaves: number) => graphs.get(slaves) ?? graphs.set(slaves, buildStepGraph(synthJson(bigConfig(slaves)))).get(slaves)!;
  const planFor = (graph: ReturnType<typeof buildStepGraph>) =>
    parsePlanJson(
      JSON.stringify({
        format_version: "1.2",
        terraform_version: "1.11.4",
        resource_changes: graph.nodes.map((n) => ({
          address: n.address,
          mode: "managed",
          type: "null_resource",
          name: n.id,
          change: { actions: ["create"], before: null, after: {} },
        })),
      }),
    );

  it.each([16, 64, 200])("keeps the review of 1 master + %i slaves under 65,535 characters, folding and cutting what it must", (slaves) => {
    const config = bigConfig(slaves);
    const graph = graphOf(slaves);
    const review = renderReview({ config, plan: planFor(graph), graph, drift: { status: "skipped" }, identity: IDENTITY });
    expect(review.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(review).toContain("## How to apply");
    // Whatever was cut, the Markdown stays balanced.
    expect((review.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((review.match(/<details>/g) ?? []).length).toBe((review.match(/<\/details>/g) ?? []).length);
    for (const block of mermaidBlocks(review)) expect(checkMermaid(block)).toEqual([]);
    if (slaves === 16) expect(mermaidBlocks(review)).toHaveLength(1);
    if (slaves === 200) {
      expect(mermaidBlocks(review)).toHaveLength(0);
      expect(review).toMatch(/too large for a comment: see `graph.svg`/);
      expect(review).toMatch(/more rows not shown here/);
    }
  });

  it("honours a smaller limit with a closing note when even the smallest rendering is too long", () => {
    const config = bigConfig(200);
    const graph = graphOf(200);
    const review = renderReview({ config, plan: planFor(graph), graph, maxChars: 3000 });
    expect(review.length).toBeLessThanOrEqual(3000);
    expect(review).toMatch(/Review truncated to fit a comment/);
    expect((review.match(/<details>/g) ?? []).length).toBe((review.match(/<\/details>/g) ?? []).length);
  });
});
