/** Options several commands share, declared once so that they read and parse the same everywhere. */
import { CONFIG_ENV, DEFAULT_CONFIG_PATH } from "../config/load-config";
import { integer, text } from "./options";

/** `--config FILE`: the federation file. */
export const configOption = text({ value: "FILE", help: "federation file", defaultNote: `$${CONFIG_ENV}, else ${DEFAULT_CONFIG_PATH}` });

/** `--parallelism N`: terraform's -parallelism, with the default the command applies stated. */
export function parallelismOption(defaultNote: string) {
  return integer({ value: "N", min: 1, max: 9999, help: "terraform -parallelism", defaultNote });
}

/** `--dir DIR`: where the sandbox lives. */
export const sandboxDirOption = text({ value: "DIR", help: "sandbox directory", default: ".sandbox" });
