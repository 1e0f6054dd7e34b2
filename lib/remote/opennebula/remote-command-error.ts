import { OnefedError } from "../../model/errors";
import { printable } from "../../model/printable";
import { CommandResult } from "../ssh/command-result";
import { describeTarget, SshTargetLabel } from "../ssh/errors";

/**
 * A command exited with a code the caller did not accept (or was killed). The result is the
 * redacted one (RemoteMachine.run); its output is quoted with control characters escaped.
 */
export class RemoteCommandError extends OnefedError {
  constructor(
    public readonly target: SshTargetLabel,
    public readonly result: CommandResult,
    hint: string,
  ) {
    const how = result.exitCode === null ? `was killed (${result.signal ?? "connection lost"})` : `exited with ${result.exitCode}`;
    const output = (result.stderr.trim() || result.stdout.trim())
      .split("\n")
      .slice(-6)
      // A CRLF line end is no attack: only a \r inside a line (overwriting it) is shown.
      .map((l) => printable(l.replace(/\r$/, "")))
      .join("\n    ");
    super(`${describeTarget(target)}: \`${printable(result.command)}\` ${how}${output ? `:\n    ${output}\n` : ". "}${hint}`);
  }
}
