/** `onefed synth [--config F] [--out DIR]`: validate and synthesize without touching any zone. */
import { loadConfig } from "../config/load-config";
import { observedDrift, OBSERVE_ENV } from "../run/drift-check";
import { synthesize } from "../synth/synthesize";
import { flag, parseArgs } from "./args";

export const SYNTH_HELP = `Usage: onefed synth [--config FILE] [--out DIR] [--observe]

Validates the federation file and writes the terraform JSON (cdk.tf.json) to DIR/stacks/<stack>.
No zone is contacted. Exit 0 ok, 2 invalid federation file or graph.

Options:
  --config FILE  federation file (default: $FEDERATION_CONFIG or ./federation.yaml)
  --out DIR      output directory (default: cdktf.out)
  --observe      run the drift check (onefed check) first and publish it as the drift_check output,
                 so that a plan shows drift; same as ${OBSERVE_ENV}=1 (e.g. for \`cdktf diff\`)
`;

export async function runSynthCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(SYNTH_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["config", "out"], booleans: ["observe"] }, "onefed synth");
  if (args.flags.observe) process.env[OBSERVE_ENV] = "1";
  const configPath = flag(args, "config");
  const result = synthesize({ configPath, outdir: flag(args, "out") ?? "cdktf.out", drift: await observedDrift(loadConfig(configPath)) });
  out(`synthesized stack ${result.stack} into ${result.outdir}/stacks/${result.stack}/cdk.tf.json`);
  return 0;
}
