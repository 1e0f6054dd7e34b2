/** `onefed plan`: plan with the prepared engine and write the review bundle for a pull request. */
import { UsageError } from "../model/errors";
import type { DriftCheckFn } from "../terraform/review/make-plan";
import { flag, parseArgs } from "./args";

export const PLAN_HELP = `Usage: onefed plan [--config FILE] [--out DIR] [--parallelism N] [--no-check]

Synthesizes the stack, runs \`terraform init\` and \`terraform plan -out\` in the stack directory with
the prepared engine, and writes a review bundle to DIR for a pull request:
  review.md     the review to post as a PR comment (federation, upgrade kind, stages, changes
                against the current state, drift check, Mermaid step graph; under 65,535 characters)
  graph.svg     the step graph as a picture (one column per zone, one band per stage)
  graph.mmd     the step graph as Mermaid text
  plan.tfplan   the saved plan; \`onefed apply --plan DIR\` applies exactly this plan
  plan.json     \`terraform show -json\` of it
  bundle.json   what apply verifies first: federation file and cdk.tf.json sha256, state serial
                and lineage, engine, plan file sha256
Nothing runs on any zone, except the read-only drift check (\`onefed check\`), run meanwhile.

Options:
  --config FILE     federation file (default: $FEDERATION_CONFIG or ./federation.yaml)
  --out DIR         bundle directory (default: ./plan-review); earlier bundle files there are removed
  --cdktf-out DIR   cdktf output directory (default: ./cdktf.out)
  --parallelism N   terraform -parallelism, recorded for apply (default: number of zones + 2, at least 10)
  --no-check        do not run the drift check; the review says it was skipped
Exit: 0 bundle written (read the review for drift findings), 1 planning failed, 2 bad input.
`;

/** The drift check if this build has one: lib/checks/drift-check is developed separately. */
export function loadDriftCheck(): DriftCheckFn | undefined {
  let mod: { runDriftCheck?: unknown };
  try {
    mod = require("../run/drift-check") as { runDriftCheck?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && /checks[\\/]drift-check/.test(e.message.split("\n")[0])) return undefined;
    // The module exists but does not load: the review says the check could not run, and why.
    return () => Promise.reject(new Error(`the drift check failed to load: ${e.message.split("\n")[0]}`));
  }
  const run = mod.runDriftCheck;
  return typeof run === "function" ? (config) => Promise.resolve(run(config)) : undefined;
}

export function parseParallelism(value: string | undefined, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,3}$/.test(value)) throw new UsageError(`${command}: --parallelism takes a whole number from 1 to 9999`);
  return Number(value);
}

export async function runPlanCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(PLAN_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["config", "out", "cdktf-out", "parallelism"], booleans: ["no-check"] }, "onefed plan");
  if (args.positional.length > 0) throw new UsageError(`onefed plan: unexpected argument ${JSON.stringify(args.positional[0])} (see onefed plan --help)`);
  const parallelism = parseParallelism(flag(args, "parallelism"), "onefed plan");
  // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine).
  const { createPlanReview } = await import("../terraform/review/make-plan");
  const result = await createPlanReview({
    configPath: flag(args, "config"),
    outDir: flag(args, "out"),
    cdktfOutdir: flag(args, "cdktf-out"),
    parallelism,
    driftCheck: args.flags["no-check"] ? "skip" : loadDriftCheck(),
    log: out,
  });
  const c = result.bundle.plan.counts;
  const seconds = (ms = 0) => (ms / 1000).toFixed(1);
  const d = result.bundle.drift;
  const drift = d.status === "report" ? (d.ready ? "ready" : "NOT ready (see review.md)") : d.status === "failed" ? "could not check (see review.md)" : d.status.replace("-", " ");
  out(`plan: ${c.create} to create, ${c.replace} to replace, ${c.update} to update, ${c.delete} to delete, ${c["no-op"]} unchanged; drift check: ${drift}`);
  out(`plan: review bundle in ${result.dir} (review.md, graph.svg, graph.mmd, plan.tfplan, plan.json, bundle.json) in ${seconds(result.timings.total)} s (terraform plan ${seconds(result.timings.plan)} s)`);
  out(`plan: after approval, apply exactly this plan with: onefed apply --plan ${flag(args, "out") ?? "./plan-review"}`);
  return 0;
}
