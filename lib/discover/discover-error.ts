/** Why `onefed discover` wrote nothing: one paragraph each, with what to do. */
import { OnefedError } from "../model/errors";
import { ExitCode } from "../model/exit-codes";

export class DiscoverError extends OnefedError {
  constructor(message: string, exitCode: number = ExitCode.Failed) {
    super(`${message} No file was written.`, exitCode);
  }
}

/** Several front-ends failed: every one is listed, so one run says everything to fix. */
export class DiscoverFailures extends OnefedError {
  constructor(
    public readonly failures: readonly string[],
    total: number,
  ) {
    super(
      `discover could not read ${failures.length} of ${total} front-ends, so it wrote no file (it writes one only from a complete picture):\n` +
        failures.map((f) => `  - ${f}`).join("\n"),
      ExitCode.Failed,
    );
  }
}
