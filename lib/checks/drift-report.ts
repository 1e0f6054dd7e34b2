/** What `onefed check` reports: the facts it gathered, every check's result, and the verdict. */
import { ExitCode } from "../model/exit-codes";
import { bigintAsString } from "../remote/opennebula/fed-index";
import { CheckResult } from "./check";
import { FederationFacts } from "./facts";

/** Exit codes of `onefed check` (exit-codes.ts): 0 ready, 3 drift or not ready, 1 could not check. */
export type DriftExitCode = typeof ExitCode.Done | typeof ExitCode.Failed | typeof ExitCode.NotReady;

export interface DriftReport {
  readonly federation: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly facts: FederationFacts;
  readonly results: readonly CheckResult[];
  /** Some front-end could not be reached or authenticated: the verdict is incomplete. */
  readonly couldNotCheck: boolean;
  /** No finding and everything checked. */
  readonly ready: boolean;
  readonly exitCode: DriftExitCode;
}

/** `onefed check --json`: the report as JSON; FED_INDEX values (bigints) as exact decimal strings. */
export function driftReportJson(report: DriftReport): string {
  return JSON.stringify(report, bigintAsString, 2);
}
