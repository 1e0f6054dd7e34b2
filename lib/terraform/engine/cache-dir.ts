import * as path from "node:path";

/** Environment variable that sets onefed's cache directory. */
export const CACHE_DIR_ENV = "ONEFED_CACHE_DIR";

/**
 * Where onefed keeps what it builds: an explicit directory, else $ONEFED_CACHE_DIR, else
 * $XDG_CACHE_HOME/onefed, else ~/.cache/onefed. Relative XDG_CACHE_HOME is ignored, as the XDG
 * spec requires.
 */
export function resolveCacheDir(explicit: string | undefined, env: NodeJS.ProcessEnv, home: string): string {
  if (explicit) return path.resolve(explicit);
  const fromEnv = env[CACHE_DIR_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ".cache");
  return path.join(base, "onefed");
}

/** Fixed layout inside the cache directory. */
export interface CacheLayout {
  /** The cache directory itself. */
  readonly root: string;
  /** Built engine binaries. */
  readonly binDir: string;
  /** Unpacked filesystem mirror of providers. */
  readonly mirrorDir: string;
  /** Our generated CLI config file (what TF_CLI_CONFIG_FILE points at). */
  readonly cliConfigFile: string;
  /** Scratch Go modules used to build providers. */
  readonly goWorkDir: string;
  /** Lock directory held while something is built. */
  readonly lockDir: string;
}

/** The layout of a cache directory. */
export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    binDir: path.join(root, "bin"),
    mirrorDir: path.join(root, "providers"),
    cliConfigFile: path.join(root, "terraform.tfrc"),
    goWorkDir: path.join(root, "go"),
    lockDir: path.join(root, "engine.lock"),
  };
}
