import type { EngineChoice } from "../../model/engine-choice";
import type { EngineKind } from "./engine-binary";

/** Options for ensureEngine. */
export interface EngineOptions {
  /** Where built binaries, the provider mirror and the CLI config live. @default $ONEFED_CACHE_DIR or ${XDG_CACHE_HOME:-~/.cache}/onefed */
  readonly cacheDir?: string;
  /** Receives one line per thing worth telling (what was found, built, used). @default no output */
  readonly log?: (line: string) => void;
  /** Ignore terraform/tofu on PATH and use (building if needed) our pinned OpenTofu; for tests. @default false */
  readonly preferBuild?: boolean;
  /** Which engine to run (resolveEngineChoice: --engine, ONEFED_ENGINE, the federation file). @default $ONEFED_ENGINE, else auto */
  readonly engine?: EngineChoice;
}

/** A ready-to-run engine: binary, provider mirror and the CLI config that ties them together. */
export interface Engine {
  /** Which CLI the binary is. */
  readonly kind: EngineKind;
  /** Absolute path of the binary. */
  readonly binary: string;
  /** Its version without "v", e.g. "1.11.4". */
  readonly version: string;
  /** "path" when found on PATH, "built" when onefed built OpenTofu. */
  readonly source: "path" | "built";
  /** What was asked for and by whom (auto when nothing chose). */
  readonly chosen: EngineChoice;
  /** Our generated CLI config (filesystem_mirror for hashicorp/null, direct for the rest). */
  readonly cliConfigFile: string;
  /** The unpacked filesystem mirror that holds hashicorp/null. */
  readonly mirrorDir: string;
  /** Variables to add to a child's environment for our runs (see engineEnvVars). */
  readonly env: Readonly<Record<string, string>>;
}
