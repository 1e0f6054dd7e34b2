/**
 * Pinned versions of what the engine builds. Change them here only: the cache layout, the CLI
 * config and the docs all derive from these values.
 */
import { NULL_PROVIDER_VERSION_ENV } from "../../model/environment";

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
 * The null provider our offline mirror holds. @cdktf/provider-null 11.0.1 synthesizes
 * `version: "3.2.4"`, but 3.x cannot be had here: its v3 tags do not fit Go's major-version rule
 * (the module path has no /v3), so the go command reaches it only by pseudo-version, and the Go
 * module proxy here serves only pseudo-versions it already holds — none of the 3.x commits.
 * The newest upstream commit it serves is e5c592237f62 (2019-12-04, the then-unreleased 2.2.0 on
 * the standalone plugin SDK, plugin protocol 5). Its behaviour for `null_resource` (triggers,
 * provisioners, a random id) is the one our stacks use. It is labelled honestly as
 * 2.2.0-dev.<commit time>, and our own synths pin that exact version on purpose (through
 * NULL_PROVIDER_VERSION_ENV, which engine.env sets); plain `cdktf deploy` with internet keeps 3.2.4.
 */
export const NULL_PROVIDER: ProviderPin = {
  namespace: "hashicorp",
  type: "null",
  version: "2.2.0-dev.20191204185112",
  protocol: 5,
  source: {
    module: "github.com/terraform-providers/terraform-provider-null",
    ref: "v1.0.1-0.20191204185112-e5c592237f62",
    pkg: ".",
    ldflags: "-s -w",
  },
};

/** The null provider pin with the ref override from the environment applied. */
export function nullProviderPin(env: NodeJS.ProcessEnv): ProviderPin {
  const ref = env[NULL_PROVIDER_REF_ENV]?.trim();
  const version = env[NULL_PROVIDER_VERSION_ENV]?.trim();
  if (!ref && !version) return NULL_PROVIDER;
  // A ref override names other code: it must come with the version label that code deserves.
  return { ...NULL_PROVIDER, version: version || NULL_PROVIDER.version, source: { ...NULL_PROVIDER.source, ref: ref || NULL_PROVIDER.source.ref } };
}
