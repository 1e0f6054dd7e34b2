/**
 * One step's share of a shared SSH connection (the warm runner's pool): the step's own deadline,
 * the channels it has open, and a stop. Several steps use one connection at once; a deadline or a
 * stop closes only that step's channels, never the connection under the others.
 */
import { OnefedError } from "../../model/errors";
import { Deadline } from "./deadline";
import { describeTarget, SshTargetLabel } from "./errors";

/** The step was stopped (its client went away): nothing more is started for it. */
export class StepStoppedError extends OnefedError {
  constructor(target: SshTargetLabel, command: string, reason: string) {
    super(
      `${describeTarget(target)}: stopped at \`${command}\`: ${reason}. Nothing more is done for this step and it is not recorded complete; ` +
        `a command already started there runs to its end on the machine, as with a cut SSH session. The next deploy runs the step again.`,
    );
  }
}

export class ExecScope {
  /** Commands and copies this step started (over every connection): a failure after the first cannot say nothing was done. */
  commandsRun = 0;
  private readonly open = new Set<(reason: string) => void>();
  private stoppedBecause?: string;

  constructor(
    /** The step's deadline: every command and copy of the step ends by then. */
    public readonly deadline: Deadline,
  ) {}

  /** Why the step was stopped, once it was. */
  get stopped(): string | undefined {
    return this.stoppedBecause;
  }

  /** Registers a channel's stop (close it, fail its caller); returns its unregistration. */
  track(stop: (reason: string) => void): () => void {
    this.open.add(stop);
    return () => this.open.delete(stop);
  }

  /** Stops the step: every channel it has open is closed and every later command refused. Idempotent. */
  stop(reason: string): void {
    if (this.stoppedBecause !== undefined) return;
    this.stoppedBecause = reason;
    for (const close of [...this.open]) close(reason);
    this.open.clear();
  }
}
