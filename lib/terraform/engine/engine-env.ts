import type { Engine } from "./engine";

/**
 * Variables our runs add to a child process environment:
 * - TF_CLI_CONFIG_FILE: our generated config, overriding whatever the machine sets (it may even
 *   point at a missing file, which makes every terraform call warn).
 * - TERRAFORM_BINARY_NAME: absolute path, read by the cdktf CLI and library.
 * - CHECKPOINT_DISABLE, DISABLE_VERSION_CHECK: no telemetry or version calls (they hang offline).
 * - CDKTF_DISABLE_PLUGIN_CACHE_ENV: otherwise the cdktf CLI creates ~/.terraform.d/plugin-cache.
 * - TF_IN_AUTOMATION: shorter output without "run terraform apply next" hints.
 */
export function engineEnvVars(binary: string, cliConfigFile: string): Record<string, string> {
  return {
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TERRAFORM_BINARY_NAME: binary,
    CHECKPOINT_DISABLE: "1",
    DISABLE_VERSION_CHECK: "1",
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    TF_IN_AUTOMATION: "1",
  };
}

/** A child process environment for our runs: the given base (default process.env) plus engine.env. */
export function engineEnv(engine: Pick<Engine, "env">, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, ...engine.env };
}
