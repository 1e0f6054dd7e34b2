/** Expected failures of `onefed rehearse`, each one readable paragraph with its own exit code. */
import { OnefedError, UsageError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import type { StageDuration } from "./stage-durations";

/** The federation has a shape the sandbox cannot build (bad input: nothing was started). */
export class TwinShapeError extends UsageError {
  /** What cannot be twinned, one sentence each. */
  public readonly problems: readonly string[];

  constructor(configPath: string, problems: readonly string[]) {
    super(
      `the federation in ${configPath} cannot be rehearsed on a sandbox twin: ${problems.join("; ")}. Nothing was started. ` +
        "Rehearse a federation of this shape by hand, or see docs/rehearse.md for what the twin can express.",
    );
    this.problems = problems;
  }
}

/** The twin could not be brought up here (address taken, not root, a tool missing): nothing was rehearsed. */
export class TwinUnavailableError extends UsageError {
  constructor(reason: string) {
    super(`the sandbox twin could not be brought up: ${reason} Nothing was rehearsed; the real federation was not touched.`);
  }
}

/**
 * The twin's plan is not the reviewed plan step for step: applying it would rehearse something
 * nobody reviewed, so nothing is applied to the twin.
 */
export class RehearsalMismatchError extends OnefedError {
  /** What differs, one sentence each (the first ones). */
  public readonly differences: readonly string[];

  constructor(planDir: string, differences: readonly string[]) {
    super(
      `the twin's plan differs from the reviewed plan in ${planDir}, so the twin was not upgraded: ${differences.join("; ")}. ` +
        "The rehearsal would not prove what the review approved. The real federation was not touched; see docs/rehearse.md for what a twin reproduces.",
      ExitCode.RehearsalMismatch,
    );
    this.differences = differences;
  }
}

/** A step failed on the twin: where, and the step's own paragraph, as a real run would report it. */
export class RehearsalFailedError extends OnefedError {
  constructor(
    /** The step that failed (`upgrade`), or undefined when the run failed outside any step. */
    public readonly step: string | undefined,
    /** Its zone id. */
    public readonly zone: number | undefined,
    /** The step's error paragraph (or the run's, outside any step). */
    public readonly paragraph: string,
    /** What the twin measured until it stopped. */
    public readonly stages: readonly StageDuration[],
    /** The twin's directory, or its run directory when the twin is kept. */
    logs: string,
    /** Whether the twin keeps running (--keep). */
    kept: boolean,
  ) {
    super(
      `the rehearsal failed${step !== undefined ? ` at step ${step} on zone ${zone}` : ""}: ${paragraph} ` +
        `The real federation was not touched. ${kept ? `The twin keeps running; its run's logs are in ${logs}.` : "The twin was taken down; rehearse with --keep to keep it and its run's logs."}`,
      ExitCode.Failed,
    );
  }
}
