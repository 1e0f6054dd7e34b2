/**
 * The cdktf app (`cdktf synth` runs this): the federation file from --config, $FEDERATION_CONFIG or
 * ./federation.yaml, the drift check first when $ONEFED_OBSERVE=1, then the stack. Nothing imports it.
 */
import { loadConfig } from "./lib/config/load-config";
import { describeError, OnefedError } from "./lib/model/errors";
import { observedDrift } from "./lib/run/drift-check";
import { synthesize } from "./lib/synth/synthesize";

async function main(): Promise<void> {
  const i = process.argv.indexOf("--config");
  const configPath = i > 0 ? process.argv[i + 1] : undefined;
  synthesize({ configPath, drift: await observedDrift(loadConfig(configPath)) });
}

main().catch((err) => {
  process.stderr.write(`${describeError(err)}\n`);
  process.exit(err instanceof OnefedError ? err.exitCode : 1);
});
