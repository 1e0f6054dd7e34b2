/**
 * Plan review end to end on a sandbox federation (1 master + 2 slaves on real sshd) with the real
 * engine: `onefed plan` writes the bundle, `onefed apply --plan` applies exactly it, and a plan
 * that went stale (federation file edited, state moved on) is refused without a command on any zone.
 */
import * as fs from "fs";
import * as path from "path";
import { runApplyCommand } from "../../lib/cli/apply-command";
import { runPlanCommand } from "../../lib/cli/plan-command";
import { checkMermaid } from "../../lib/terraform/review/mermaid-check";
import { readBundle, type ReviewBundle } from "../../lib/terraform/review/bundle";
import { StalePlanError } from "../../lib/terraform/errors";
import { changesSince, describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("onefed plan → review → onefed apply --plan", () => {
  let sandbox: SandboxFixture;
  let planA: string;
  let planB: string;
  let planOutput: string[] = [];

  const plan = async (dir: string, ...extra: string[]): Promise<string[]> => {
    const lines: string[] = [];
    const code = await runPlanCommand(["--config", sandbox.configPath, "--out", dir, "--cdktf-out", path.join(sandbox.dir, "cdktf.out"), ...extra], (l) =>
      lines.push(l),
    );
    expect(code).toBe(0);
    return lines;
  };
  const apply = async (dir: string): Promise<{ output: string; error?: unknown }> => {
    const lines: string[] = [];
    try {
      await runApplyCommand(["--plan", dir], (l) => lines.push(l));
      return { output: lines.join("\n") };
    } catch (error) {
      return { output: lines.join("\n"), error };
    }
  };
  /** Runs `what` and checks that no front-end received a command meanwhile, but reads of the master's ledger. */
  const touchesNoZone = async <T>(what: () => Promise<T>): Promise<T> => {
    const before = sandbox.log().length;
    const result = await what();
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    return result;
  };

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.64.1");
    planA = path.join(sandbox.dir, "plan-a");
    planB = path.join(sandbox.dir, "plan-b");
    const started = Date.now();
    planOutput = await plan(planA);
    // Measured for the record: engine check, synth, init, plan, show and the drift check in parallel.
    console.log(`onefed plan took ${Date.now() - started} ms; ${planOutput.filter((l) => l.startsWith("plan:")).join(" | ")}`);
    await plan(planB, "--no-check");
  });
  afterAll(async () => sandbox?.down());

  it("writes the bundle of a fresh sandbox: plan, plan JSON, review, pictures and what apply verifies", () => {
    for (const f of ["plan.tfplan", "plan.json", "review.md", "graph.svg", "graph.mmd", "bundle.json"]) expect(fs.existsSync(path.join(planA, f))).toBe(true);
    const bundle: ReviewBundle = readBundle(planA);
    // The plan gives a fresh stack its state first (empty, with the lineage that names this upgrade in the ledger).
    expect(bundle.state).toEqual({
      location: path.join(sandbox.dir, "terraform.tfstate"),
      exists: true,
      serial: 1,
      lineage: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(bundle.federation.configPath).toBe(sandbox.configPath);
    expect(bundle.stack.dir).toBe(path.join(sandbox.dir, "cdktf.out", "stacks", `federation-${bundle.federation.name}`));
    expect(bundle.engine.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(bundle.plan.counts.create).toBeGreaterThanOrEqual(23);
    expect(bundle.plan.counts.create + bundle.plan.counts["no-op"]).toBe(
      JSON.parse(fs.readFileSync(path.join(planA, "plan.json"), "utf8")).resource_changes.length,
    );
    const review = fs.readFileSync(path.join(planA, "review.md"), "utf8");
    expect(review).toContain(`# Plan review: federation \`${bundle.federation.name}\`, 6.10.0 → 7.0.0`);
    expect(review).toContain(`**${bundle.plan.counts.create} to create**`);
    expect(review).toContain("coordinated (type B)");
    expect(review).toMatch(/## Drift check\n\n(\*\*Ready\.\*\*|\*\*Not ready|\*\*Could not check|Drift check not available)/);
    expect(checkMermaid(fs.readFileSync(path.join(planA, "graph.mmd"), "utf8"))).toEqual([]);
    expect(readBundle(planB).drift).toEqual({ status: "skipped" });
  });

  it("refuses the plan once the federation file was edited, touching no zone", async () => {
    const original = fs.readFileSync(sandbox.configPath, "utf8");
    fs.appendFileSync(sandbox.configPath, "# edited after review\n");
    try {
      const { error } = await touchesNoZone(() => apply(planA));
      expect(error).toBeInstanceOf(StalePlanError);
      expect((error as Error).message).toMatch(/the federation file .*federation\.yaml changed/);
      expect((error as Error).message).toMatch(/Run `onefed plan --out .*plan-a` again/);
    } finally {
      fs.writeFileSync(sandbox.configPath, original);
    }
  });

  it("applies exactly the reviewed plan, even from a workspace without cdktf.out: every zone ends at 7.0.0", async () => {
    // As in a pipeline whose apply job only got the bundle back from an artifact.
    fs.rmSync(path.join(sandbox.dir, "cdktf.out"), { recursive: true, force: true });
    const { output, error } = await apply(planA);
    expect(error).toBeUndefined();
    const created = readBundle(planA).plan.counts.create;
    expect(output).toMatch(/synthesizing the planned stack there and initializing it/);
    expect(output).toMatch(new RegExp(`Apply complete! Resources: ${created} added, 0 changed, 0 destroyed`));
    const status = await sandbox.status();
    for (const zone of status.zones)
      for (const fe of zone.frontends)
        expect({ zone: zone.id, pkg: fe.packageVersion, db: fe.db.shared }).toEqual({ zone: zone.id, pkg: "7.0.0", db: "7.0.0" });
  });

  it("refuses a plan made before the state moved on, touching no zone", async () => {
    const { error } = await touchesNoZone(() => apply(planB));
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toMatch(
      /the state .*terraform\.tfstate changed \(serial 1, lineage ([0-9a-f-]+) at plan time, now serial \d+, lineage \1\)/,
    );
  });

  it("surfaces terraform's own stale-plan refusal when our check is bypassed, touching no zone", async () => {
    // Make bundle.json claim the current state, as a hand-edited bundle would: terraform still refuses.
    const bundle = readBundle(planB);
    const state = JSON.parse(fs.readFileSync(bundle.state.location, "utf8")) as { serial: number; lineage: string };
    fs.writeFileSync(
      path.join(planB, "bundle.json"),
      JSON.stringify({ ...bundle, state: { ...bundle.state, exists: true, serial: state.serial, lineage: state.lineage } }),
    );
    const { output, error } = await touchesNoZone(() => apply(planB));
    expect(output).toMatch(/Saved plan is stale|Saved plan does not match the given state/);
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toMatch(
      /found that the state changed after the plan was made \("Saved plan (is stale|does not match the given state)"\) and applied nothing/,
    );
  });

  it("refuses to apply the same plan twice, touching no zone", async () => {
    const { error } = await touchesNoZone(() => apply(planA));
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toMatch(/this plan was already applied/);
  });
});
