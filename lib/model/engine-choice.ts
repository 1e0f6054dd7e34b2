/**
 * Which engine runs the stack: terraform or OpenTofu, chosen on the command line, in the
 * environment or in the federation file, else found on PATH (docs/engine.md "Choosing the engine").
 */
import { UsageError } from "./errors";

/** The engines onefed runs. */
export const ENGINE_NAMES = ["terraform", "tofu"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** The environment variable that chooses the engine for every command of a shell or a CI job. */
export const ENGINE_ENV = "ONEFED_ENGINE";

/** Where a choice came from, most specific first; `auto` when nothing chose. */
export type EngineChoiceSource = "--engine" | typeof ENGINE_ENV | "federation file" | "plan bundle" | "auto";

/** The engine to run and who chose it. */
export interface EngineChoice {
  /** `auto`: terraform from PATH, else tofu from PATH, else OpenTofu built by onefed. */
  readonly engine: EngineName | "auto";
  /** Who chose it, for the log line and for error messages. */
  readonly source: EngineChoiceSource;
}

/** No choice anywhere: today's behaviour. */
export const AUTO_ENGINE: EngineChoice = { engine: "auto", source: "auto" };

/** Whether a text names an engine onefed runs. */
export function isEngineName(text: string): text is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(text);
}

/**
 * The engine to run: `--engine` over `ONEFED_ENGINE` over the federation file's `engine`, as
 * operators expect of a command line (the most specific, most temporary setting wins). `auto` on
 * the command line or in the variable undoes a choice below it; an empty variable counts as unset;
 * any other value that names no engine is a usage error.
 */
export function resolveEngineChoice(given: { readonly flag?: string; readonly env?: string; readonly file?: EngineName }): EngineChoice {
  if (given.flag !== undefined) return { engine: checked(given.flag, "--engine"), source: "--engine" };
  const fromEnv = given.env?.trim();
  if (fromEnv) return { engine: checked(fromEnv, ENGINE_ENV), source: ENGINE_ENV };
  if (given.file) return { engine: given.file, source: "federation file" };
  return AUTO_ENGINE;
}

function checked(text: string, where: string): EngineName | "auto" {
  if (isEngineName(text) || text === "auto") return text;
  throw new UsageError(
    `${where} is ${JSON.stringify(text)}, which names no engine: use ${ENGINE_NAMES.join(", ")} or auto (whichever is on PATH, terraform first).`,
  );
}

/** How a choice reads in a log line or a message: "tofu (ONEFED_ENGINE)". */
export function describeEngineChoice(choice: EngineChoice): string {
  return choice.source === "auto" ? "auto (terraform from PATH, else tofu from PATH, else OpenTofu built by onefed)" : `${choice.engine} (${choice.source})`;
}
