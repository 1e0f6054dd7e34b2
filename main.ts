/**
 * The cdktf app: reads the federation file (--config, $FEDERATION_CONFIG or ./federation.yaml),
 * builds the FederationUpgrade stack and synthesizes it. Bad input stops here, before any zone.
 */
import * as path from "path";
import { App } from "./lib/synth/cdk";
import { loadConfig } from "./lib/config/load-config";
import { FederationUpgrade, stackName } from "./lib/synth/constructs/federation-upgrade";
import { RunnerInvocation } from "./lib/synth/runner-invocation";
import type { DriftReport } from "./lib/checks/drift-report";
import { NULL_PROVIDER_VERSION_ENV } from "./lib/terraform/engine/pins";
import { describeError, OnefedError } from "./lib/model/errors";

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
  /** Live drift-check result to publish as the `drift_check` output, so `cdktf diff` shows drift. @default none */
  readonly drift?: DriftReport;
}

/** Set to 1 to run the drift check during synth (needs SSH to every front-end). */
export const OBSERVE_ENV = "ONEFED_OBSERVE";

export function synthesize(opts: SynthesizeOptions = {}): { stack: string; outdir: string } {
  const config = loadConfig(opts.configPath);
  const app = new App(opts.outdir ? { outdir: opts.outdir } : {});
  new FederationUpgrade(app, stackName(config), {
    config,
    runner: defaultRunner(config.sourcePath),
    // Set by our engine env only: our offline mirror's null provider build (docs/engine.md).
    nullProviderVersion: opts.nullProviderVersion ?? (process.env[NULL_PROVIDER_VERSION_ENV] || undefined),
    drift: opts.drift,
  });
  app.synth();
  return { stack: stackName(config), outdir: app.outdir };
}

/** Synth, after a live drift check when $ONEFED_OBSERVE=1 (loaded lazily: plain synth opens no SSH). */
export async function synthesizeObserving(opts: SynthesizeOptions = {}): Promise<{ stack: string; outdir: string }> {
  if (process.env[OBSERVE_ENV] !== "1" || opts.drift) return synthesize(opts);
  const { runDriftCheck } = await import("./lib/run/drift-check");
  return synthesize({ ...opts, drift: await runDriftCheck(loadConfig(opts.configPath)) });
}

if (require.main === module) {
  const i = process.argv.indexOf("--config");
  synthesizeObserving({ configPath: i > 0 ? process.argv[i + 1] : undefined }).catch((err) => {
    process.stderr.write(`${describeError(err)}\n`);
    process.exit(err instanceof OnefedError ? err.exitCode : 1);
  });
}
