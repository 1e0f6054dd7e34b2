/**
 * SIGINT / SIGTERM (Ctrl-C, a CI cancel) while the engine runs: the first is forwarded to it as
 * SIGINT, so terraform stops gracefully (it starts nothing new and the running steps fail, so the
 * ledger records none of them complete), with a line saying what was interrupted; a second signal
 * kills the engine. Without this a CI cancel killed onefed silently and orphaned terraform and the
 * step runners, which died mid-step at their next output line.
 */
import { ChildProcess } from "child_process";

export class InterruptForwarder {
  private child?: ChildProcess;
  private received = 0;
  private readonly handler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(
    /** What is running, for the message: "the deploy of federation prod". */
    private readonly what: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts listening; call stop() when the engine has exited. */
  start(): this {
    process.on("SIGINT", this.handler);
    process.on("SIGTERM", this.handler);
    return this;
  }

  /** The engine process that receives forwarded signals. */
  readonly attach = (child: ChildProcess): void => {
    this.child = child;
  };

  /** Whether a signal arrived (the failure is then an interruption, not a step's). */
  get interrupted(): boolean {
    return this.received > 0;
  }

  stop(): void {
    process.off("SIGINT", this.handler);
    process.off("SIGTERM", this.handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.received++;
    if (this.received === 1) {
      this.log(
        `onefed: ${signal} received: stopping ${this.what} gracefully (terraform starts no further step; the running ones fail and are not recorded complete in the ledger). ` +
          "Send the signal again to kill it at once.",
      );
      this.child?.kill("SIGINT");
    } else {
      this.log(`onefed: ${signal} received again: killing the engine now. Zones may be frozen; \`onefed deploy\` resumes.`);
      this.child?.kill("SIGKILL");
    }
  }
}
