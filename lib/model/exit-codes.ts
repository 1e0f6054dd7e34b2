/**
 * One exit-code table for every `onefed` command, so that automation can branch on the outcome.
 * `--help` and the README print it from here.
 */
export const ExitCode = {
  /** Done: applied, ready, nothing to do. */
  Done: 0,
  /** A step failed or was refused, or a check could not run (unreachable, authentication, host key): zones may be frozen. */
  Failed: 1,
  /** Invalid command line or federation file, or SSH credentials the automation host lacks (passphrase, agent): nothing was touched. */
  Usage: 2,
  /** The federation drifted from the file or is not ready for the upgrade (check, verify). */
  NotReady: 3,
  /** The reviewed plan no longer matches the configuration or the state: nothing was touched. */
  StalePlan: 4,
  /** Another run holds the federation's upgrade lock, or terraform's lock on a shared state: nothing was changed. */
  Locked: 5,
  /** The chosen engine (terraform or tofu) is not on PATH and cannot be built here: nothing was touched. */
  EngineUnavailable: 6,
  /** Now, or the run's estimated end, is outside the federation's maintenance window (docs/estimates.md): nothing was run. */
  OutsideWindow: 7,
  /** `onefed rehearse`: the twin's plan differs from the reviewed one (steps, zones, stages, order): nothing was applied to the twin. */
  RehearsalMismatch: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The table as `--help` and the README show it. */
export const EXIT_CODE_TABLE: ReadonlyArray<{ readonly code: ExitCode; readonly meaning: string }> = [
  { code: ExitCode.Done, meaning: "done: applied, ready, nothing to do" },
  { code: ExitCode.Failed, meaning: "a step failed or was refused, or a check could not run: zones may be frozen" },
  { code: ExitCode.Usage, meaning: "invalid command line or federation file, or missing SSH credentials: nothing was touched" },
  { code: ExitCode.NotReady, meaning: "drift, or the federation is not ready for the upgrade" },
  { code: ExitCode.StalePlan, meaning: "the reviewed plan is stale (configuration or state changed): nothing was touched" },
  { code: ExitCode.Locked, meaning: "another run holds the federation's upgrade lock or the state lock: nothing was changed" },
  { code: ExitCode.EngineUnavailable, meaning: "the chosen engine is not on PATH and cannot be built here: nothing was touched" },
  { code: ExitCode.OutsideWindow, meaning: "outside the maintenance window, or the estimated end falls after it closes (--ignore-window): nothing was run" },
  { code: ExitCode.RehearsalMismatch, meaning: "rehearse: the twin's plan differs from the reviewed plan: nothing was applied to the twin" },
];
