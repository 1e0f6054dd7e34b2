/**
 * The cdktf app: reads the federation file (--config, $FEDERATION_CONFIG or ./federation.yaml),
 * builds the FederationUpgrade stack and synthesizes it. Bad input stops here, before any zone.
 */
import * as path from "path";
import { App } from "./lib/cdk";
import { loadConfig } from "./lib/config/load-config";
import { FederationUpgrade, stackName } from "./lib/constructs/federation-upgrade";
import { RunnerInvocation } from "./lib/constructs/runner-invocation";
import { NULL_PROVIDER_VERSION_ENV } from "./lib/engine/pins";
import { describeError, OnefedError } from "./lib/errors";

/** The runner this build ships: the same node binary, our compiled CLI (also when main.ts runs from source, as in tests). */
export function defaultRunner(configPath: string): RunnerInvocation {
  const dist = path.basename(__dirname) === "dist" ? __dirname : path.join(__dirname, "dist");
  return { command: [process.execPath, path.join(dist, "lib", "cli", "onefed.js")], configPath };
}

export interface SynthesizeOptions {
  /** Federation file. @default $FEDERATION_CONFIG or ./federation.yaml */
  readonly configPath?: string;
  /** cdktf output directory. @default $CDKTF_OUTDIR or cdktf.out */
  readonly outdir?: string;
  /** Null provider version to require (our offline mirror's). @default $ONEFED_NULL_PROVIDER_VERSION, else the binding's 3.2.4 */
  readonly nullProviderVersion?: string;
}

export function synthesize(opts: SynthesizeOptions = {}): { stack: string; outdir: string } {
  const config = loadConfig(opts.configPath);
  const app = new App(opts.outdir ? { outdir: opts.outdir } : {});
  new FederationUpgrade(app, stackName(config), {
    config,
    runner: defaultRunner(config.sourcePath),
    // Set by our engine env only: our offline mirror's null provider build (docs/engine.md).
    nullProviderVersion: opts.nullProviderVersion ?? (process.env[NULL_PROVIDER_VERSION_ENV] || undefined),
  });
  app.synth();
  return { stack: stackName(config), outdir: app.outdir };
}

if (require.main === module) {
  const i = process.argv.indexOf("--config");
  try {
    synthesize({ configPath: i > 0 ? process.argv[i + 1] : undefined });
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    process.exit(err instanceof OnefedError ? err.exitCode : 1);
  }
}
