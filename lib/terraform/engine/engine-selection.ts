/** Where a chosen engine comes from: a binary on PATH, or the OpenTofu onefed builds into its cache. */
import { type EngineChoice, type EngineName, describeEngineChoice, ENGINE_ENV, resolveEngineChoice } from "../../model/engine-choice";
import { UsageError } from "../../model/errors";
import { findOnPath } from "./engine-binary";
import { EngineUnavailableError } from "./errors";
import { OPENTOFU } from "./pins";

/** Where to take the engine from. */
export type EngineLocation =
  /** A terraform or tofu binary found on PATH. */
  | { readonly from: "path"; readonly binary: string }
  /** Our pinned OpenTofu in the cache, built first when it is not there. */
  | { readonly from: "built-tofu" };

/**
 * Resolves a choice against PATH. `auto` keeps the long-standing order (terraform, then tofu,
 * then our built OpenTofu); `tofu` takes tofu from PATH, else our build, even with terraform on
 * PATH; `terraform` must be on PATH, since onefed builds only OpenTofu. `preferBuild`
 * (`--build-tofu`) skips PATH and so cannot go with an explicit terraform.
 */
export function locateEngine(choice: EngineChoice, pathEnv: string | undefined, preferBuild = false, find = findOnPath): EngineLocation {
  if (preferBuild) {
    if (choice.engine === "terraform") {
      throw new UsageError(`--build-tofu uses the OpenTofu onefed builds, but ${describeEngineChoice(choice)} asks for terraform: drop one of them.`);
    }
    return { from: "built-tofu" };
  }
  const names = choice.engine === "auto" ? (["terraform", "tofu"] as const) : ([choice.engine] as const);
  for (const name of names) {
    const binary = find(name, pathEnv);
    if (binary) return { from: "path", binary };
  }
  if (choice.engine === "terraform") {
    throw new EngineUnavailableError(
      describeEngineChoice(choice),
      "no terraform on PATH, and onefed builds only OpenTofu",
      "Install terraform on PATH, or choose tofu (--engine tofu, ONEFED_ENGINE=tofu or `engine: tofu` in the federation file).",
    );
  }
  return { from: "built-tofu" };
}

/** OpenTofu is needed (nothing usable on PATH, or --build-tofu), not built yet, and there is no Go to build it. */
export function cannotBuildTofu(choice: EngineChoice, preferBuild: boolean, binDir: string): EngineUnavailableError {
  const todo = choice.engine === "auto" ? "terraform or tofu" : choice.engine;
  return new EngineUnavailableError(
    describeEngineChoice(choice),
    `${preferBuild ? "--build-tofu asks for" : "no engine on PATH for it, and"} OpenTofu ${OPENTOFU.ref} is not built in ${binDir}, ` +
      "and no `go` command was found on PATH or at /usr/local/go/bin/go to build it",
    `Put ${todo} on PATH, or install Go (>= 1.26) so that onefed can build OpenTofu.`,
  );
}

/** The choice of a command that runs the engine: its `--engine`, else `$ONEFED_ENGINE`, else the federation file's `engine`, else auto. */
export function commandEngineChoice(flag: string | undefined, file: EngineName | undefined, env: NodeJS.ProcessEnv = process.env): EngineChoice {
  return resolveEngineChoice({ flag, env: env[ENGINE_ENV], file });
}
