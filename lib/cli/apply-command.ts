/** `onefed apply --plan DIR`: apply exactly the reviewed plan, or refuse when it went stale. */
import { UsageError } from "../model/errors";
import { flag, parseArgs } from "./args";
import { parseParallelism } from "./plan-command";

export const APPLY_HELP = `Usage: onefed apply --plan DIR [--config FILE] [--parallelism N]

Applies exactly the plan that \`onefed plan --out DIR\` made and that was reviewed:
\`terraform apply <DIR/plan.tfplan>\` in the stack directory recorded in DIR/bundle.json.
Before touching anything it proves that the plan still holds, and refuses otherwise:
  - the federation file has the sha256 it had at plan time;
  - re-synthesizing it (into a temporary directory) gives the cdk.tf.json that was planned;
  - the state file has the serial and lineage it had at plan time (or still does not exist);
  - the engine is the same kind and version, and plan.tfplan is the file that was reviewed.
When the stack directory is gone (a pipeline job that only restored DIR from an artifact), the
planned stack is synthesized there again and initialized, once the checks above passed; plan and
apply must still run on the same automation host, checkout path and state file.
Terraform's own refusal of a stale plan ("Saved plan is stale") is reported the same way. When
refused, run \`onefed plan\` again and have the new review approved.

Options:
  --plan DIR        the bundle directory written by \`onefed plan --out DIR\` (required)
  --config FILE     federation file (default: the one recorded in the bundle)
  --parallelism N   terraform -parallelism (default: the one recorded at plan time)
Exit: 0 applied, 1 refused (stale plan, bad bundle) or a step failed, 2 bad input.
`;

export async function runApplyCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(APPLY_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["plan", "config", "parallelism"], booleans: [] }, "onefed apply");
  if (args.positional.length > 0) throw new UsageError(`onefed apply: unexpected argument ${JSON.stringify(args.positional[0])} (see onefed apply --help)`);
  const planDir = flag(args, "plan");
  if (!planDir) throw new UsageError("onefed apply: --plan DIR is required: the directory `onefed plan --out DIR` wrote (see onefed apply --help)");
  const parallelism = parseParallelism(flag(args, "parallelism"), "onefed apply");
  const { applyReviewedPlan } = await import("../terraform/review/apply-plan");
  await applyReviewedPlan({ planDir, configPath: flag(args, "config"), parallelism, log: out });
  out(`apply: the reviewed plan in ${planDir} was applied`);
  return 0;
}
