/** `onefed plan`: plan with the prepared engine and write the review bundle for a pull request. */
import { ExitCode } from "../model/exit-codes";
import type { DriftCheckFn } from "../terraform/review/make-plan";
import { defineCommand } from "./command";
import { configOption, engineOption, parallelismOption } from "./common-options";
import { flag, text } from "./options";

/** The drift check if this build has one (lib/run/drift-check); the review says when it has none. */
export function loadDriftCheck(): DriftCheckFn | undefined {
  let mod: { runDriftCheck?: unknown };
  try {
    // Synchronous and guarded: a build without the module plans without the drift check.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require("../run/drift-check") as { runDriftCheck?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && /run[\\/]drift-check/.test(e.message.split("\n")[0])) return undefined;
    // The module exists but does not load: the review says the check could not run, and why.
    return () => Promise.reject(new Error(`the drift check failed to load: ${e.message.split("\n")[0]}`));
  }
  const run = mod.runDriftCheck;
  return typeof run === "function" ? (config) => Promise.resolve(run(config)) : undefined;
}

export const planCommand = defineCommand(
  {
    name: "onefed plan",
    summary: "plan with the engine and write a review bundle for a pull request",
    description: `Synthesizes the stack, runs \`terraform init\` and \`terraform plan -out\` in the stack directory with
the prepared engine, and writes a review bundle to DIR for a pull request:
  review.md     the review to post as a PR comment (federation, upgrade kind, stages, estimates,
                changes against the current state, drift check, Mermaid step graph; under 65,535
                characters). Estimates: each stage's duration, the freeze window and each zone's
                downtime, from the duration history (<backup.localDirectory>/history.jsonl or
                $ONEFED_HISTORY_FILE; docs/estimates.md), or "no history yet"
  graph.svg     the step graph as a picture (one column per zone, one band per stage)
  graph.mmd     the step graph as Mermaid text
  plan.tfplan   the saved plan; \`onefed apply --plan DIR\` applies exactly this plan
  plan.json     \`terraform show -json\` of it
  bundle.json   what apply verifies first: federation file and cdk.tf.json sha256, state serial
                and lineage, engine, plan file sha256; and the estimates, machine-readable
Nothing runs on any zone, except the read-only drift check (\`onefed check\`), run meanwhile; its
findings are in the review, not in the exit code.`,
    options: {
      config: configOption,
      out: text({ value: "DIR", help: "bundle directory; earlier bundle files there are removed", default: "./plan-review" }),
      "cdktf-out": text({ value: "DIR", help: "cdktf output directory", defaultNote: "./cdktf.out" }),
      parallelism: parallelismOption("number of zones + 2, at least 10, at most 8 per CPU"),
      engine: engineOption,
      "no-check": flag({ help: "do not run the drift check; the review says it was skipped" }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.StalePlan, ExitCode.Locked, ExitCode.EngineUnavailable],
  },
  async (args, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine).
    const { createPlanReview } = await import("../terraform/review/make-plan");
    const result = await createPlanReview({
      configPath: args.config,
      outDir: args.out,
      cdktfOutdir: args["cdktf-out"],
      parallelism: args.parallelism,
      engine: args.engine,
      driftCheck: args["no-check"] ? "skip" : loadDriftCheck(),
      log: out,
    });
    const c = result.bundle.plan.counts;
    const seconds = (ms = 0) => (ms / 1000).toFixed(1);
    const d = result.bundle.drift;
    const drift =
      d.status === "report"
        ? d.ready
          ? "ready"
          : "NOT ready (see review.md)"
        : d.status === "failed"
          ? "could not check (see review.md)"
          : d.status.replace("-", " ");
    out(`plan: ${c.create} to create, ${c.replace} to replace, ${c.update} to update, ${c.delete} to delete, ${c["no-op"]} unchanged; drift check: ${drift}`);
    out(
      `plan: review bundle in ${result.dir} (review.md, graph.svg, graph.mmd, plan.tfplan, plan.json, bundle.json) in ${seconds(result.timings.total)} s (terraform plan ${seconds(result.timings.plan)} s)`,
    );
    out(`plan: after approval, apply exactly this plan with: onefed apply --plan ${args.out}`);
    return ExitCode.Done;
  },
);

export const PLAN_HELP = planCommand.help;
export const runPlanCommand = planCommand.run;
