/**
 * Expected failures of reading a review bundle, each one readable paragraph. A stale plan and a
 * failed engine run are the engine session's (../errors.ts).
 */
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

/** Input that cannot be reviewed: a plan JSON or synthesized stack we do not understand. */
export class ReviewInputError extends OnefedError {}
