/** `onefed engine [--engine E] [--config F] [--cache-dir D] [--json] [--build-tofu]`: find or build the engine and the provider mirror. */
import { ENGINE_ENV } from "../model/engine-choice";
import { ExitCode } from "../model/exit-codes";
import { CACHE_DIR_ENV } from "../terraform/engine/cache-dir";
import { ensureEngine } from "../terraform/engine/ensure-engine";
import { commandEngineChoice } from "../terraform/engine/engine-selection";
import { NULL_PROVIDER, NULL_PROVIDER_REF_ENV, OPENTOFU } from "../terraform/engine/pins";
import { defineCommand } from "./command";
import { engineOption } from "./common-options";
import { flag, text } from "./options";

export const engineCommand = defineCommand(
  {
    name: "onefed engine",
    summary: "find or build terraform/OpenTofu and the null provider mirror",
    description: `Prepares what \`onefed deploy\` runs, and prints what it uses:
  - the engine: the one chosen (--engine, else $${ENGINE_ENV}, else the \`engine\` of the federation file
    given with --config), else terraform from PATH, else tofu from PATH; tofu that is not on PATH is
    OpenTofu ${OPENTOFU.ref}, built from its Go module (${OPENTOFU.module}) into DIR/bin, once;
  - hashicorp/null ${NULL_PROVIDER.version} (our synths pin it; see docs/engine.md), built once from its Go module
    into an unpacked filesystem mirror in DIR/providers, for both registry.terraform.io and
    registry.opentofu.org, so that init works offline;
  - a CLI config file, DIR/terraform.tfrc: the mirror for hashicorp/null, direct download for every
    other provider. ~/.terraformrc and the global environment are not changed.
Builds need Go (>= 1.26) and the Go module proxy; the first one takes minutes, later calls seconds.
Concurrent calls wait for each other (lock DIR/engine.lock).

onefed's own runs add these variables to the engine's environment:
  TF_CLI_CONFIG_FILE=DIR/terraform.tfrc   (overrides any value the machine sets)
  TERRAFORM_BINARY_NAME=<absolute binary>  (read by the cdktf CLI and library)
  CHECKPOINT_DISABLE=1  DISABLE_VERSION_CHECK=1  CDKTF_DISABLE_PLUGIN_CACHE_ENV=1  TF_IN_AUTOMATION=1
To use the same setup by hand: export TF_CLI_CONFIG_FILE=DIR/terraform.tfrc`,
    sections: [
      {
        title: "Environment",
        body: `  ${NULL_PROVIDER_REF_ENV}  Go version or commit of ${NULL_PROVIDER.source.module} to build
                               (default ${NULL_PROVIDER.source.ref.slice(0, 12)}…, the ${NULL_PROVIDER.version} release)`,
      },
    ],
    options: {
      engine: engineOption,
      config: text({ value: "FILE", help: "take the engine from this federation file's `engine` (read only when given)" }),
      "cache-dir": text({ value: "DIR", help: "cache directory", defaultNote: `$${CACHE_DIR_ENV}, else $XDG_CACHE_HOME/onefed, else ~/.cache/onefed` }),
      json: flag({ help: "print the engine as JSON on stdout (progress goes to stderr)" }),
      "build-tofu": flag({ help: "ignore terraform/tofu on PATH and use the built OpenTofu" }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.EngineUnavailable],
  },
  async (args, out) => {
    // In JSON mode stdout carries only the document, so progress goes to stderr.
    const log = args.json ? (line: string) => process.stderr.write(`${line}\n`) : out;
    const file = args.config ? (await import("../config/load-config")).loadConfig(args.config).engine : undefined;
    const engine = await ensureEngine({
      cacheDir: args["cache-dir"],
      preferBuild: args["build-tofu"],
      engine: commandEngineChoice(args.engine, file),
      log,
    });
    if (args.json) out(JSON.stringify(engine, null, 2));
    else out(`ready: ${engine.kind} ${engine.version}; for plain runs: export TF_CLI_CONFIG_FILE=${engine.cliConfigFile}`);
    return ExitCode.Done;
  },
);

export const ENGINE_HELP = engineCommand.help;
export const runEngineCommand = engineCommand.run;
