/**
 * Checks in the cdk-nag sense: pure functions from observed facts to a tri-state result. The drift
 * check (`onefed check`), the preflight step and the review bundle all run the same ones.
 */
import { FederationConfig } from "../model/federation";
import { FederationFacts } from "./facts";

export type CheckStatus = "ok" | "finding" | "not-applicable";

export interface CheckResult {
  /** Check id, e.g. "version-as-declared". */
  readonly check: string;
  readonly status: CheckStatus;
  /** The zone concerned, when the check is about one. */
  readonly zone?: { readonly id: number; readonly name: string };
  /** "host:port" of the front-end concerned. */
  readonly frontend?: string;
  readonly expected?: string;
  readonly found?: string;
  /** What the operator should do. */
  readonly next?: string;
  /** One line for tables. */
  readonly summary: string;
}

export interface Check {
  readonly id: string;
  /** One line for docs and --help. */
  readonly description: string;
  readonly run: (facts: FederationFacts, config: FederationConfig) => CheckResult[];
}
