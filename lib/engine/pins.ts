/**
 * Pinned versions of what the engine builds. Change them here only: the cache layout, the CLI
 * config and the docs all derive from these values.
 */

/** A Go program built from a module at a fixed version. */
export interface GoModulePin {
  /** Go module path. */
  readonly module: string;
  /** Module version or commit, as the go command accepts it after `@`. */
  readonly ref: string;
  /** Package to build, relative to the module root ("." for the root). */
  readonly pkg: string;
  /** Linker flags for `go build -ldflags`. */
  readonly ldflags: string;
}

/** A provider placed in our filesystem mirror. */
export interface ProviderPin {
  /** Registry namespace, e.g. "hashicorp". */
  readonly namespace: string;
  /** Provider type, e.g. "null". */
  readonly type: string;
  /** Provider version as terraform sees it; must satisfy what the synthesized config requires. */
  readonly version: string;
  /** Plugin protocol major version; becomes the `_x5` suffix of the executable name. */
  readonly protocol: number;
  /** Where its source comes from. */
  readonly source: GoModulePin;
}

/**
 * OpenTofu, built only when neither terraform nor tofu is on PATH. 1.12.6 is the newest stable 1.x
 * the Go module proxy serves here; its go.mod asks for go >= 1.26.6. Its go.mod has `replace`
 * directives, so `go install module@version` refuses it: we build inside the downloaded module.
 * `version.dev=no` drops the "-dev" suffix, as release builds do.
 */
export const OPENTOFU: GoModulePin = {
  module: "github.com/opentofu/opentofu",
  ref: "v1.12.6",
  pkg: "./cmd/tofu",
  ldflags: "-s -w -X github.com/opentofu/opentofu/version.dev=no",
};

/** Environment variable that overrides the null provider's Go ref (a pseudo-version or a commit). */
export const NULL_PROVIDER_REF_ENV = "ONEFED_NULL_PROVIDER_GO_REF";

/**
 * hashicorp/null 3.2.4: exactly what @cdktf/provider-null 11.0.1 synthesizes
 * (`required_providers.null = { source: "null", version: "3.2.4" }`).
 * Its tags (v3.x) do not fit Go's major-version rule (the module path has no /v3), so the go
 * command can only fetch it by commit: `go get` turns the commit into its pseudo-version
 * (v1.0.1-0.<commit time>-<hash>). f0dd217d… is the commit that added the 3.2.4 changelog
 * (release PR #422, 2025-04-21); a proxy that serves canonical versions only needs the
 * pseudo-version itself, given through ONEFED_NULL_PROVIDER_GO_REF.
 */
export const NULL_PROVIDER: ProviderPin = {
  namespace: "hashicorp",
  type: "null",
  version: "3.2.4",
  protocol: 5,
  source: {
    module: "github.com/terraform-providers/terraform-provider-null",
    ref: "f0dd217d608463ea250e92948227670bd075aceb",
    pkg: ".",
    ldflags: "-s -w",
  },
};

/** The null provider pin with the ref override from the environment applied. */
export function nullProviderPin(env: NodeJS.ProcessEnv): ProviderPin {
  const ref = env[NULL_PROVIDER_REF_ENV]?.trim();
  if (!ref) return NULL_PROVIDER;
  return { ...NULL_PROVIDER, source: { ...NULL_PROVIDER.source, ref } };
}
