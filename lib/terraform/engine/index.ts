/**
 * The engine: a terraform or OpenTofu binary, a local mirror holding the null provider the
 * synthesized stacks require, and a CLI config that ties them together for our runs only.
 */
export type { Engine, EngineOptions } from "./engine";
export type { EngineKind } from "./engine-binary";
export { ensureEngine } from "./ensure-engine";
export { engineEnv, engineEnvVars } from "./engine-env";
export { EngineBuildError, EngineLockTimeoutError, EngineProbeError, GoToolchainMissingError } from "./errors";
export { CACHE_DIR_ENV, resolveCacheDir } from "./cache-dir";
export { NULL_PROVIDER, NULL_PROVIDER_REF_ENV, OPENTOFU } from "./pins";
