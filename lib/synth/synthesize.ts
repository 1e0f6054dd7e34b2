/**
 * Builds the cdktf app for one federation file and synthesizes it. Bad input stops here, before
 * any zone: the file's rules at load, the graph's invariants at synth.
 */
import type { DriftReport } from "../checks/drift-report";
import { loadConfig } from "../config/load-config";
import { assertLocalDirectoryWritable } from "../config/local-directory";
import { NULL_PROVIDER_VERSION_ENV } from "../model/environment";
import { App } from "./cdk";
import { FederationUpgrade, stackName } from "./constructs/federation-upgrade";
import { defaultRunner } from "./runner-invocation";

export interface SynthesizeOptions {
  /** Federation file. @default $FEDERATION_CONFIG, else ./federation.yaml (resolveConfigPath) */
  readonly configPath?: string;
  /** cdktf output directory. @default $CDKTF_OUTDIR, else cdktf.out (cdktf's App) */
  readonly outdir?: string;
  /** Null provider version to require (our offline mirror's). @default $ONEFED_NULL_PROVIDER_VERSION, else the binding's 3.2.4 */
  readonly nullProviderVersion?: string;
  /** Live drift-check result to publish as the `drift_check` output, so `cdktf diff` shows drift. @default no drift_check output */
  readonly drift?: DriftReport;
}

/** What synthesize() wrote. */
export interface SynthesizeResult {
  /** The stack's name: its directory under `<outdir>/stacks`. */
  readonly stack: string;
  /** The cdktf output directory it was written to. */
  readonly outdir: string;
}

/** Loads the federation file and writes its stack; a bad file (or an unwritable backup.localDirectory) throws ConfigError, a broken graph the invariants' validation error. */
export function synthesize(opts: SynthesizeOptions = {}): SynthesizeResult {
  const config = loadConfig(opts.configPath);
  // Before any resource exists: an unwritable artifact directory would otherwise stop the run with every zone frozen.
  assertLocalDirectoryWritable(config);
  const app = new App(opts.outdir ? { outdir: opts.outdir } : {});
  new FederationUpgrade(app, stackName(config), {
    config,
    runner: defaultRunner(config.sourcePath),
    nullProviderVersion: opts.nullProviderVersion ?? (process.env[NULL_PROVIDER_VERSION_ENV] || undefined),
    drift: opts.drift,
  });
  app.synth();
  return { stack: stackName(config), outdir: app.outdir };
}
