/**
 * What identifies a state: where it lives, and its serial and lineage as the engine reads them
 * (`state pull`), whatever the backend. The review bundle records it; apply compares it.
 */
import * as path from "path";
import { StateUnreadableError } from "./errors";

export interface StateFingerprint {
  /** Where the state lives: the local file's absolute path, or the remote backend (pg schema, s3 object, http address). */
  readonly location: string;
  /** False when the backend holds no state yet (nothing applied). */
  readonly exists: boolean;
  /** terraform's state serial, bumped on every write. */
  readonly serial?: number;
  /** terraform's state lineage, fixed when the state is created. */
  readonly lineage?: string;
}

type BackendBlock = Record<string, Record<string, unknown> | undefined>;

/**
 * Where a synthesized stack keeps its state, from its `terraform.backend` block: the local file
 * (relative paths are relative to the stack directory, where terraform runs), or the remote place.
 * Credentials are never in the block, so never in this text.
 */
export function stateLocationOf(cdkTfJson: unknown, stackDir: string): string {
  const backend = (cdkTfJson as { terraform?: { backend?: BackendBlock } })?.terraform?.backend ?? {};
  const [kind, block = {}] = Object.entries(backend)[0] ?? ["local", {}];
  const text = (v: unknown): string => (typeof v === "string" ? v : "?");
  switch (kind) {
    case "local":
      return path.resolve(stackDir, typeof block.path === "string" ? block.path : "terraform.tfstate");
    case "pg":
      return `pg schema ${typeof block.schema_name === "string" ? block.schema_name : "terraform_remote_state"}`;
    case "s3":
      return `s3://${text(block.bucket)}/${text(block.key)}`;
    case "http":
      return `http ${text(block.address)}`;
    default:
      return `${kind} backend`;
  }
}

/** Serial and lineage from `state pull`'s output: empty output is "no state yet", anything but JSON an error. */
export function parseStateFingerprint(location: string, pulled: string): StateFingerprint {
  if (!pulled.trim()) return { location, exists: false };
  let doc: { serial?: unknown; lineage?: unknown };
  try {
    doc = JSON.parse(pulled) as typeof doc;
  } catch (err) {
    throw new StateUnreadableError(
      `the state at ${location} is not JSON (${(err as Error).message}); restore it (a local state keeps ${path.basename(location)}.backup) before planning or applying`,
    );
  }
  // A remote backend's new workspace pulls as serial 0 with an empty lineage: nothing written yet.
  if (doc.lineage === "" && !doc.serial) return { location, exists: false };
  return {
    location,
    exists: true,
    serial: typeof doc.serial === "number" ? doc.serial : undefined,
    lineage: typeof doc.lineage === "string" ? doc.lineage : undefined,
  };
}

/** "no state yet" or "serial 7, lineage 3f2c…", for messages and the review. */
export function describeState(s: StateFingerprint): string {
  return s.exists ? `serial ${s.serial ?? "?"}, lineage ${s.lineage ?? "?"}` : "no state yet";
}

export function sameState(a: StateFingerprint, b: StateFingerprint): boolean {
  return a.exists === b.exists && a.serial === b.serial && a.lineage === b.lineage;
}
