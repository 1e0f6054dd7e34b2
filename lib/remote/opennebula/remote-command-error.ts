import { OnefedError } from "../../model/errors";
import { CommandResult } from "../ssh/command-result";
import { describeTarget, SshTargetLabel } from "../ssh/errors";

/** A command exited with a code the caller did not accept (or was killed). */
export class RemoteCommandError extends OnefedError {
  constructor(
    public readonly target: SshTargetLabel,
    public readonly result: CommandResult,
    hint: string,
  ) {
    const how = result.exitCode === null ? `was killed (${result.signal ?? "connection lost"})` : `exited with ${result.exitCode}`;
    const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-6).join("\n    ");
    super(`${describeTarget(target)}: \`${result.command}\` ${how}${output ? `:\n    ${output}\n` : ". "}${hint}`);
  }
}
