/** Expected failures of driving the engine (deploy, plan, apply --plan), each one readable paragraph. */
import { OnefedError } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import type { ProcessResult } from "./local-process";

/** What the engine was doing: a subcommand, or the whole `cdktf deploy`. */
export type EnginePhase = "init" | "state" | "taint" | "plan" | "show" | "apply" | "cdktf deploy";

/**
 * What an operator must know after an apply failed part-way, in one wording for every way of
 * applying. `retry` says how to run again, e.g. "deploy again".
 */
export function frozenZonesAdvice(retry: string): string {
  return (
    `Zones may still be frozen. Fix the cause and ${retry}: it runs again every step the federation's ledger does not prove complete, and only those. ` +
    "To give the federation back to its users before that, `onefed unfreeze --force` lifts the freeze (the next deploy freezes it again)."
  );
}

/** terraform/OpenTofu (or the cdktf CLI driving it) failed in one phase; the message says what to do. */
export class EngineRunError extends OnefedError {
  /** The phase that failed. */
  public readonly phase: EnginePhase;
  /** The command line that failed. */
  public readonly command: string;
  /** Its exit code; null when a signal ended it or it could not start. */
  public readonly commandExitCode: number | null;

  constructor(phase: EnginePhase, result: Pick<ProcessResult, "command" | "exitCode">, message: string) {
    super(message);
    this.phase = phase;
    this.command = result.command;
    this.commandExitCode = result.exitCode;
  }
}

/**
 * The reviewed plan no longer describes what would happen: the configuration, the federation file,
 * the state or the engine changed since `onefed plan`. Applying it anyway would run something nobody reviewed.
 * Its own exit code (4), so that automation can tell "re-plan" from "a step failed".
 */
export class StalePlanError extends OnefedError {
  /** What differs, one short sentence each. */
  public readonly changes: readonly string[];

  constructor(dir: string, changes: readonly string[]) {
    super(
      `the plan in ${dir} is stale and was not applied; no zone was touched. Since it was reviewed, ${changes.join("; ")}. ` +
        `Run \`onefed plan --out ${dir}\` again, have the new review approved, then \`onefed apply --plan ${dir}\`.`,
      ExitCode.StalePlan,
    );
    this.changes = changes;
  }
}

/** The deploy was interrupted by a signal and terraform stopped: the running steps were not recorded complete. */
export class DeployInterruptedError extends OnefedError {
  constructor(federation: string) {
    super(
      `the deploy of federation ${federation} was interrupted: terraform stopped, and the steps that were running failed and are not recorded complete in the federation's ledger. ` +
        frozenZonesAdvice("deploy again"),
      ExitCode.Failed,
    );
  }
}

/** `state pull` gave something other than a state: nothing was planned or applied. */
export class StateUnreadableError extends OnefedError {}

/**
 * terraform's state lock is held by another run (a deploy, plan or apply of the same state from
 * another directory or host): the engine refused before changing anything. Exit 5, as for the
 * federation lock, so that a pipeline treats both as "another run is at it".
 */
export class StateLockedError extends OnefedError {
  constructor(what: string, location: string, reason: string, stackDir: string) {
    super(
      `${what} refused: the state at ${location} is locked by another run (${reason}), so nothing was applied. ` +
        "Another deploy, plan or apply of this federation is running: wait for it to end and run again, or set terraform.lockTimeoutSeconds to wait. " +
        `A holder that died releases a pg or local lock with its process; on s3 or http run \`terraform force-unlock <ID>\` in ${stackDir}.`,
      ExitCode.Locked,
    );
  }
}
