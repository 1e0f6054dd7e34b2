/**
 * What one step borrows from the warm runner: the pooled connections, within its own ExecScope
 * (its deadline, its channels). Stopping the lease stops the step as a killed step process would
 * be stopped: nothing more starts, its open channels close, commands already on a machine run on.
 */
import { FederationConfig } from "../../model/federation";
import { Deadline } from "../../remote/ssh/deadline";
import { ExecScope } from "../../remote/ssh/exec-scope";
import { SessionPool } from "../../remote/ssh/session-pool";
import { Connector } from "../connector";
import { StepObserver } from "../observe/step-observer";

export class StepLease {
  private readonly scopes = new Set<ExecScope>();
  private stoppedBecause?: string;

  constructor(private readonly pool: SessionPool) {}

  /** Why the step was stopped, once it was. */
  get stopped(): string | undefined {
    return this.stoppedBecause;
  }

  /** runStep's `machines`: a Connector over the pool, bounded by the step's deadline. */
  machines(config: FederationConfig): (deadline: Deadline, log: (line: string) => void, observer: StepObserver) => Connector {
    return (deadline, log, observer) => {
      const scope = new ExecScope(deadline);
      if (this.stoppedBecause !== undefined) scope.stop(this.stoppedBecause);
      this.scopes.add(scope);
      return Connector.pooled(config, this.pool, scope, log, observer);
    };
  }

  /** Stops the step (idempotent). */
  stop(reason: string): void {
    this.stoppedBecause ??= reason;
    for (const scope of this.scopes) scope.stop(reason);
  }
}
