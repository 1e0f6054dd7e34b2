/** `onefed synth [--config F] [--out DIR]`: validate and synthesize without touching any zone. */
import { loadConfig } from "../config/load-config";
import { ExitCode } from "../model/exit-codes";
import { observedDrift, OBSERVE_ENV } from "../run/drift-check";
import { defineCommand } from "./command";
import { configOption } from "./common-options";
import { flag, text } from "./options";

export const synthCommand = defineCommand(
  {
    name: "onefed synth",
    summary: "validate the federation file and synthesize the stack",
    description: `Validates the federation file and writes the terraform JSON (cdk.tf.json) to DIR/stacks/<stack>.
No zone is contacted (unless --observe).`,
    options: {
      config: configOption,
      out: text({ value: "DIR", help: "output directory", default: "cdktf.out" }),
      observe: flag({
        help: `run the drift check (onefed check) first and publish it as the drift_check output,\nso that a plan shows drift; same as ${OBSERVE_ENV}=1 (e.g. for \`cdktf diff\`)`,
      }),
    },
  },
  async ({ config: configPath, out: outdir, observe }, out) => {
    if (observe) process.env[OBSERVE_ENV] = "1";
    const config = loadConfig(configPath);
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf).
    const { synthesize } = await import("../synth/synthesize");
    const result = synthesize({ configPath, outdir, drift: await observedDrift(config) });
    out(`synthesized stack ${result.stack} into ${result.outdir}/stacks/${result.stack}/cdk.tf.json`);
    return ExitCode.Done;
  },
);
