/** `onefed deploy`: synthesize and apply with the prepared engine. */
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { configOption, engineOption, parallelismOption } from "./common-options";
import { oneOf, text } from "./options";

export const deployCommand = defineCommand(
  {
    name: "onefed deploy",
    summary: "synthesize and apply with the prepared engine (real terraform apply)",
    description: `Synthesizes the stack and applies it with a real engine (terraform/OpenTofu from PATH, or the one
\`onefed engine\` builds), using our generated CLI config for the offline null provider mirror.
Finished steps never run again; after a failure, deploy again to resume at the failed step.`,
    options: {
      config: configOption,
      out: text({ value: "DIR", help: "cdktf output directory", default: "cdktf.out" }),
      parallelism: parallelismOption("number of zones + 2, at least 10"),
      engine: engineOption,
      via: oneOf(["engine", "cdktf"], {
        help: "engine: terraform init/apply in the stack directory;\ncdktf: `cdktf deploy --auto-approve` instead",
        default: "engine",
      }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked, ExitCode.EngineUnavailable],
  },
  async ({ config, out: outdir, parallelism, engine, via }, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine).
    const { deploy } = await import("../terraform/deploy");
    await deploy({ configPath: config, outdir, parallelism, engine, via, log: out });
    return ExitCode.Done;
  },
);
