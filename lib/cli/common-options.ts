/** Options several commands share, declared once so that they read and parse the same everywhere. */
import { CONFIG_ENV, DEFAULT_CONFIG_PATH } from "../config/load-config";
import { ENGINE_ENV, ENGINE_NAMES } from "../model/engine-choice";
import { integer, oneOf, text } from "./options";

/** `--config FILE`: the federation file. */
export const configOption = text({ value: "FILE", help: "federation file", defaultNote: `$${CONFIG_ENV}, else ${DEFAULT_CONFIG_PATH}` });

/** `--parallelism N`: terraform's -parallelism, with the default the command applies stated. */
export function parallelismOption(defaultNote: string) {
  return integer({ value: "N", min: 1, max: 9999, help: "terraform -parallelism", defaultNote });
}

/** `--dir DIR`: where the sandbox lives. */
export const sandboxDirOption = text({ value: "DIR", help: "sandbox directory", default: ".sandbox" });

/** `--engine terraform|tofu|auto`: which engine plans and applies (docs/engine.md "Choosing the engine"). */
export const engineOption = oneOf([...ENGINE_NAMES, "auto"], {
  help: "the engine to run; auto: terraform from PATH, else tofu from PATH, else OpenTofu built by onefed",
  defaultNote: `$${ENGINE_ENV}, else the federation file's engine, else auto`,
});
