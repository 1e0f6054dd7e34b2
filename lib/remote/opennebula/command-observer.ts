/**
 * Who follows a machine's commands while they run: the runner's step observer prints them, logs
 * them to the run directory and writes their events. Everything it is given is already redacted
 * (RemoteMachine.run is the one point every command passes).
 */
import { CommandResult } from "../ssh/command-result";
import { SshTargetLabel } from "../ssh/errors";

/** Told about each command a machine runs; returns who follows that one command. */
export interface CommandObserver {
  /**
   * A command starts on `target`. `echo`: its output is progress the operator follows (the
   * command opted in with RemoteCommand.echo), so its lines will come through `output`.
   * `batch`: the probe batch it shares one round trip with (probe-batcher.ts); undefined when it went alone.
   */
  commandStarted(target: SshTargetLabel, command: string, echo: boolean, batch?: string): CommandWatch;
}

/** One running command, as its observer follows it. */
export interface CommandWatch {
  /** One complete, redacted output line (echo commands only), as it arrives. */
  output(stream: "stdout" | "stderr", line: string): void;
  /** The command ended (whatever its exit code); the result is redacted. */
  ended(result: CommandResult): void;
  /** No result: the link dropped or the deadline passed; `reason` is the redacted error message. */
  failed(reason: string): void;
}
