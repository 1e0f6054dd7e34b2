/** The contract every step implements: probe → act → verify, on one zone (or the federation). */
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { ArtifactPaths } from "./artifact";
import type { ConnectedServer } from "./raft";

export const STEP_NAMES = [
  "preflight",
  "hosts-disable",
  "freeze",
  "sync",
  "stop",
  "safety-backup",
  "upgrade",
  "replicate",
  "backup",
  "restore",
  "start",
  "nodes",
  "unfreeze",
  "hosts-enable",
  "verify",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface StepContext {
  readonly config: FederationConfig;
  readonly zone: ZoneConfig;
  readonly artifact: ArtifactPaths;
  /** Progress line for the operator (terraform shows it under the resource). */
  log(line: string): void;
  /**
   * The front-end that speaks for the zone, connected on first use and closed when the step ends:
   * the only one of a solo zone; an HA zone's Raft leader (ha-cluster.ts primaryServer).
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
}

export interface StepOutcome {
  /** `already-done` when the probe found the effect in place and nothing was run. */
  readonly status: "done" | "already-done";
  readonly summary: string;
}

export interface StepDefinition {
  readonly name: StepName;
  /** One line for plans, docs and `--help`. */
  readonly description: string;
  /** `federation` steps have one resource, run with the master's id. */
  readonly scope: "zone" | "federation";
  /** Which zones get a resource for this step. */
  readonly appliesTo: (zone: ZoneConfig, config: FederationConfig) => boolean;
  /**
   * What the step will do on this zone, in the words of the commands it runs. Hashed into the
   * resource's triggers: a change here replaces exactly the resources that must run again.
   */
  readonly plan: (zone: ZoneConfig, config: FederationConfig) => readonly string[];
  readonly run: (ctx: StepContext) => Promise<StepOutcome>;
}
