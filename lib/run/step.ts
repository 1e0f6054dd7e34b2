/** The contract every step implements at run time: probe → act → verify, on one zone (or the federation). */
import { Evidence, LedgerSnapshot } from "../model/ledger";
import { StepName } from "../model/steps";
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import type { ConnectedServer } from "./raft";
import { ArtifactPaths } from "../model/paths";

export interface StepContext {
  readonly config: FederationConfig;
  readonly zone: ZoneConfig;
  readonly artifact: ArtifactPaths;
  /** Progress line for the operator (terraform shows it under the resource). */
  log(line: string): void;
  /**
   * The front-end that speaks for the zone, connected on first use and closed when the step ends:
   * the only one of a solo zone; an HA zone's Raft leader (raft.ts primaryServer).
   */
  frontend(): Promise<OpenNebulaFrontend>;
  /** Every front-end of the zone, in federation.yaml order (several for an HA zone). */
  servers(): Promise<readonly ConnectedServer[]>;
  /** Another zone's speaking front-end (the federation-wide steps visit every zone). */
  frontendOf(zone: ZoneConfig): Promise<OpenNebulaFrontend>;
  /** One front-end of a zone by its position in federation.yaml, connected on first use. */
  serverOf(zone: ZoneConfig, index: number): Promise<OpenNebulaFrontend>;
  /** Every front-end of another zone. */
  serversOf(zone: ZoneConfig): Promise<readonly ConnectedServer[]>;
  /** A hypervisor host listed under a zone's nodes (this zone's by default), connected on first use. */
  node(node: NodeConfig, zone?: ZoneConfig): Promise<HypervisorNode>;
  /**
   * The federation's upgrade ledger as read from the master when this step started (after the
   * runner took the lock and proved the step's requirements): the evidence earlier steps left.
   */
  readonly ledger: LedgerSnapshot;
  /**
   * What resumes this work, for a refusal's advice: "run the deploy again" in an upgrade step,
   * "run `onefed rollback` again" when a rollback runs the step's code.
   */
  readonly rerun: string;
}

export interface StepOutcome {
  /** `already-done` when the probe found the effect in place and nothing was run. */
  readonly status: "done" | "already-done";
  readonly summary: string;
  /** What the step proved, recorded in the ledger for later steps and rollbacks. @default none */
  readonly evidence?: Evidence;
}

/** What a step does at run time on one zone (or the federation): probe → prove → act → verify. */
export interface StepRun {
  readonly name: StepName;
  readonly run: (ctx: StepContext) => Promise<StepOutcome>;
  /**
   * For a step the ledger already records complete (so it does not run): puts back on the
   * automation host what the step leaves there, from the entry's evidence (a new runner, a deleted
   * artifact directory). @default nothing to put back
   */
  readonly restoreLocal?: (ctx: StepContext, evidence: Evidence) => void;
}
