/** `onefed deploy`: synthesize and apply with the prepared engine. */
import { UsageError } from "../model/errors";
import { deploy } from "../terraform/deploy";
import { flag, parseArgs } from "./args";

export const DEPLOY_HELP = `Usage: onefed deploy [--config FILE] [--out DIR] [--parallelism N] [--via engine|cdktf]

Synthesizes the stack and applies it with a real engine (terraform/OpenTofu from PATH, or the one
\`onefed engine\` builds), using our generated CLI config for the offline null provider mirror.
Finished steps never run again; after a failure, deploy again to resume at the failed step.

Options:
  --config FILE     federation file (default: $FEDERATION_CONFIG or ./federation.yaml)
  --out DIR         cdktf output directory (default: ./cdktf.out)
  --parallelism N   terraform -parallelism (default: number of zones + 2, at least 10)
  --via engine      call terraform init/apply in the stack directory (default)
  --via cdktf       run \`cdktf deploy --auto-approve\` instead
Exit: 0 applied, 1 a step failed or was refused, 2 bad input.
`;

export async function runDeployCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(DEPLOY_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["config", "out", "parallelism", "via"], booleans: [] }, "onefed deploy");
  const via = flag(args, "via") ?? "engine";
  if (via !== "engine" && via !== "cdktf") throw new UsageError("onefed deploy: --via takes engine or cdktf");
  const p = flag(args, "parallelism");
  if (p !== undefined && !/^[1-9]\d{0,3}$/.test(p)) throw new UsageError("onefed deploy: --parallelism takes a whole number from 1 to 9999");
  await deploy({ configPath: flag(args, "config"), outdir: flag(args, "out"), parallelism: p ? Number(p) : undefined, via, log: out });
  return 0;
}
