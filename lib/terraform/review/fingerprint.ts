/**
 * What identifies the world a plan was made in: file hashes and the state's serial and lineage.
 * Terraform refuses a stale state too; checking first lets us say what changed, in our words.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ReviewInputError } from "./errors";

export interface StateFingerprint {
  /** Absolute path of the local state file. */
  readonly path: string;
  /** False when no state file exists yet (nothing applied). */
  readonly exists: boolean;
  /** terraform's state serial, bumped on every write. */
  readonly serial?: number;
  /** terraform's state lineage, fixed when the state is created. */
  readonly lineage?: string;
}

export function sha256Of(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

export function sha256File(file: string): string {
  return sha256Of(fs.readFileSync(file));
}

/**
 * The local state file a synthesized stack uses: the local backend's path (relative paths are
 * relative to the stack directory, where terraform runs), else terraform's default.
 */
export function statePathOf(cdkTfJson: unknown, stackDir: string): string {
  const backend = (cdkTfJson as { terraform?: { backend?: Record<string, { path?: unknown }> } })?.terraform?.backend;
  const local = backend?.local?.path;
  return path.resolve(stackDir, typeof local === "string" ? local : "terraform.tfstate");
}

/** Reads serial and lineage; a missing file is "no state yet", an unreadable one is an error. */
export function readStateFingerprint(statePath: string): StateFingerprint {
  let text: string;
  try {
    text = fs.readFileSync(statePath, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { path: statePath, exists: false };
    throw err;
  }
  let doc: { serial?: unknown; lineage?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new ReviewInputError(
      `the state file ${statePath} is not JSON (${(err as Error).message}); restore it from its backup (${path.basename(statePath)}.backup) before planning or applying`,
    );
  }
  return {
    path: statePath,
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
