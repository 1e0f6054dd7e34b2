import { OnefedError } from "../../model/errors";
import { printable } from "../../model/printable";
import { describeTarget, SshTargetLabel } from "../ssh/errors";
import { commandGuard } from "./commands";

/**
 * An `exclusive` command was not started because an earlier one still runs on the machine: most
 * likely a runner that was killed, or lost its SSH session, while that command ran (without a
 * terminal, a cut session does not stop a remote command). Starting a second `onedb restore` or
 * `onedb upgrade` beside it could corrupt the database, so the step stops here.
 */
export class CommandStillRunningError extends OnefedError {
  constructor(
    public readonly target: SshTargetLabel,
    /** The command that was not started (rendered, redacted). */
    public readonly command: string,
    /** What the earlier command left in the guard's note (when, from where, what); empty if nothing. */
    public readonly holder: string,
  ) {
    const earlier = holder.trim() ? `\`${printable(holder.trim())}\`` : "an earlier onefed command (it left no note)";
    super(
      `${describeTarget(target)}: \`${printable(command)}\` was not started, because ${earlier} still runs there ` +
        `(it holds ${commandGuard.lockFile}). This is most likely a command of a run that was killed or lost its SSH ` +
        `session: a command without a terminal keeps running when its session is cut, and a second copy beside it could ` +
        `damage the database. This command changed nothing. Wait until the earlier one ends (\`ps -ef\` on the front-end ` +
        `shows it; check its outcome in its log), then run the deploy again to resume here.`,
    );
  }
}
