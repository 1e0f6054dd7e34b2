import { OnefedError } from "../model/errors";
import { ExitCode } from "../model/exit-codes";

/** The federation file is missing, unreadable or invalid. Nothing was synthesized or touched. */
export class ConfigError extends OnefedError {
  constructor(
    public readonly file: string,
    public readonly problems: readonly string[],
  ) {
    super(
      `${file} is not a valid federation file (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was synthesized and no zone was touched:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
      ExitCode.Usage,
    );
  }
}
