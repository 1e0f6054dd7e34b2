/** Expected failures of `onefed plan` and `onefed apply --plan`, each one readable paragraph. */
import { OnefedError } from "../../model/errors";

/** The plan directory is missing, incomplete or not ours; nothing was applied. */
export class PlanBundleError extends OnefedError {
  /** The plan directory concerned. */
  public readonly dir: string;

  constructor(dir: string, problem: string) {
    super(`${dir} is not a usable plan review (${problem}); no zone was touched. Run \`onefed plan --out ${dir}\` to make one.`);
    this.dir = dir;
  }
}

/**
 * The reviewed plan no longer describes what would happen: the configuration, the federation file,
 * the state or the engine changed since `onefed plan`. Applying it anyway would run something nobody reviewed.
 */
export class StalePlanError extends OnefedError {
  /** What differs, one short sentence each. */
  public readonly changes: readonly string[];

  constructor(dir: string, changes: readonly string[]) {
    super(
      `the plan in ${dir} is stale and was not applied; no zone was touched. Since it was reviewed, ${changes.join("; ")}. ` +
        `Run \`onefed plan --out ${dir}\` again, have the new review approved, then \`onefed apply --plan ${dir}\`.`,
    );
    this.changes = changes;
  }
}

/** terraform/OpenTofu init, plan, show or apply failed; its last lines are quoted. */
export class EngineRunError extends OnefedError {
  /** The engine subcommand that failed, e.g. "plan". */
  public readonly subcommand: string;

  constructor(subcommand: string, message: string) {
    super(message);
    this.subcommand = subcommand;
  }
}

/** Input that cannot be reviewed: a plan JSON or synthesized stack we do not understand. */
export class ReviewInputError extends OnefedError {}
