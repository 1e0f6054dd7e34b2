import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cacheLayout, resolveCacheDir, type CacheLayout } from "./cache-dir";
import { renderCliConfig } from "./cli-config";
import type { Engine, EngineOptions } from "./engine";
import { isExecutableFile, probeEngine } from "./engine-binary";
import { engineEnvVars } from "./engine-env";
import { cannotBuildTofu, locateEngine } from "./engine-selection";
import { EngineUnavailableError, GoToolchainMissingError } from "./errors";
import { withLock } from "./file-lock";
import { buildOpenTofu, buildProviderModule, findGo, goBuildEnv, type GoBuildContext } from "./go-build";
import { nullProviderPin, OPENTOFU, type ProviderPin } from "./pins";
import { installIntoMirror, mirrorExecutablePaths } from "./provider-mirror";
import { NULL_PROVIDER_VERSION_ENV } from "../../model/environment";
import { describeEngineChoice, ENGINE_ENV, resolveEngineChoice } from "../../model/engine-choice";

/** Path of our built OpenTofu; the version in the name makes a pin change rebuild. */
export function builtTofuPath(layout: CacheLayout): string {
  return path.join(layout.binDir, `tofu-${OPENTOFU.ref}`);
}

/** Writes a file through a temporary name and a rename, only when its content differs. */
function writeIfChanged(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, "utf8") === content) return;
  } catch {
    // Missing: written below.
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function requireGo(env: NodeJS.ProcessEnv, what: string, alternative: string): string {
  const go = findGo(env);
  if (!go) throw new GoToolchainMissingError(what, alternative);
  return go;
}

async function buildNullProvider(ctx: GoBuildContext, layout: CacheLayout, pin: ProviderPin, destinations: string[]): Promise<void> {
  const name = `terraform-provider-${pin.type}-${pin.version}`;
  const tmp = path.join(layout.goWorkDir, `${name}.bin.tmp-${process.pid}`);
  const started = Date.now();
  ctx.log(`engine: building ${pin.namespace}/${pin.type} ${pin.version} from ${pin.source.module}@${pin.source.ref} (first time only; may take minutes)`);
  try {
    const resolved = await buildProviderModule(ctx, pin.source, name, path.join(layout.goWorkDir, name), tmp);
    installIntoMirror(tmp, destinations);
    ctx.log(`engine: built ${pin.type} provider ${pin.version} (go module version ${resolved}) in ${seconds(Date.now() - started)}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Finds or builds the engine and the null provider, writes our CLI config, and reports what it
 * uses. Idempotent: when everything is in place it only checks files and asks the binary its
 * version. Builds happen under a lock in the cache directory, so concurrent callers build once.
 */
export async function ensureEngine(opts: EngineOptions = {}): Promise<Engine> {
  const log = opts.log ?? ((): void => undefined);
  const env = process.env;
  const layout = cacheLayout(resolveCacheDir(opts.cacheDir, env, os.homedir()));
  const nullPin = nullProviderPin(env);
  const providerPaths = mirrorExecutablePaths(layout.mirrorDir, nullPin);
  const choice = opts.engine ?? resolveEngineChoice({ env: env[ENGINE_ENV] });
  const wanted = describeEngineChoice(choice);
  const located = locateEngine(choice, env.PATH, opts.preferBuild);
  const onPath = located.from === "path" ? located.binary : undefined;
  const tofuPath = builtTofuPath(layout);
  const providerReady = (): boolean => providerPaths.every(isExecutableFile);
  const tofuReady = (): boolean => onPath !== undefined || isExecutableFile(tofuPath);

  if (!providerReady() || !tofuReady()) {
    await withLock(
      layout.lockDir,
      "building the onefed engine",
      async () => {
        // Checked again: whoever held the lock before us may have built it.
        if (!tofuReady()) {
          const go = findGo(env);
          if (!go) throw cannotBuildTofu(choice, opts.preferBuild ?? false, layout.binDir);
          const started = Date.now();
          const why = opts.preferBuild
            ? "preferBuild: ignoring terraform/tofu on PATH"
            : choice.engine === "tofu"
              ? `${wanted} chosen and no tofu on PATH`
              : "no terraform or tofu on PATH";
          log(`engine: ${why}; building OpenTofu ${OPENTOFU.ref} with ${go} (first time only; several minutes)`);
          await buildOpenTofu({ go, env: goBuildEnv(env, layout.binDir), log }, OPENTOFU, tofuPath);
          log(`engine: built OpenTofu ${OPENTOFU.ref} in ${seconds(Date.now() - started)}`);
        }
        if (!providerReady()) {
          const go = requireGo(env, `the ${nullPin.type} provider ${nullPin.version}`, "");
          await buildNullProvider({ go, env: goBuildEnv(env, layout.binDir), log }, layout, nullPin, providerPaths);
        }
      },
      { log },
    );
  }

  writeIfChanged(layout.cliConfigFile, renderCliConfig({ mirrorDir: layout.mirrorDir, mirrored: [nullPin] }));
  const binary = onPath ?? tofuPath;
  const vars = { ...engineEnvVars(binary, layout.cliConfigFile), [NULL_PROVIDER_VERSION_ENV]: nullPin.version };
  const probed = await probeEngine(binary, { ...env, ...vars });
  if (choice.engine !== "auto" && probed.kind !== choice.engine) {
    throw new EngineUnavailableError(
      wanted,
      `${binary} says it is ${probed.kind} ${probed.version}`,
      `Put the real ${choice.engine} first on PATH, or choose ${probed.kind}.`,
    );
  }
  const engine: Engine = {
    kind: probed.kind,
    binary,
    version: probed.version,
    source: onPath ? "path" : "built",
    chosen: choice,
    cliConfigFile: layout.cliConfigFile,
    mirrorDir: layout.mirrorDir,
    env: vars,
  };
  log(
    `engine: ${engine.kind} ${engine.version} (${engine.source === "path" ? "from PATH" : "built by onefed"}; chosen: ${choice.source === "auto" ? "auto" : wanted}): ${engine.binary}`,
  );
  log(`engine: ${nullPin.namespace}/${nullPin.type} ${nullPin.version}: ${providerPaths.join(", ")}`);
  log(`engine: CLI config: ${engine.cliConfigFile}`);
  return engine;
}
