/**
 * bundle.json: everything `onefed apply --plan` must find unchanged before it applies the plan
 * file that was reviewed. Written by `onefed plan` next to plan.tfplan, plan.json and review.md.
 */
import * as fs from "fs";
import * as path from "path";
import { PlanBundleError } from "./errors";
import type { StateFingerprint } from "../state-fingerprint";
import type { ChangeKind } from "./plan-json";
import type { BundleEstimates } from "./estimates-section";

export const BUNDLE_FILE = "bundle.json";
export const PLAN_FILE = "plan.tfplan";
export const PLAN_JSON_FILE = "plan.json";
export const REVIEW_FILE = "review.md";
export const GRAPH_SVG_FILE = "graph.svg";
export const GRAPH_MERMAID_FILE = "graph.mmd";

/** Bumped when a field changes meaning; apply refuses bundles of another format (2: state.location, read through the engine, replaces state.path). */
export const BUNDLE_FORMAT = 2;

export interface ReviewBundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** ISO time the plan was made. */
  readonly createdAt: string;
  readonly federation: {
    readonly name: string;
    readonly fromVersion: string;
    readonly toVersion: string;
    /** Absolute path of the federation file. */
    readonly configPath: string;
    readonly configSha256: string;
  };
  readonly stack: {
    readonly name: string;
    /** Absolute stack directory where terraform ran (and where apply runs). */
    readonly dir: string;
    readonly cdkTfJsonSha256: string;
  };
  /** The state the plan started from, as `state pull` read it. */
  readonly state: StateFingerprint;
  readonly engine: { readonly kind: string; readonly binary: string; readonly version: string };
  readonly plan: {
    /** Plan file name inside the bundle directory. */
    readonly file: string;
    readonly sha256: string;
    /** terraform -parallelism used to plan, reused to apply. */
    readonly parallelism: number;
    readonly counts: Readonly<Record<ChangeKind, number>>;
  };
  /** The drift check's verdict at plan time, for the record. */
  readonly drift: { readonly status: string; readonly ready?: boolean; readonly exitCode?: number };
  /** The estimates review.md shows, machine-readable (docs/estimates.md); apply does not check them. @default absent (older bundles) */
  readonly estimates?: BundleEstimates;
}

export function writeBundle(dir: string, bundle: ReviewBundle): void {
  fs.writeFileSync(path.join(dir, BUNDLE_FILE), `${JSON.stringify(bundle, null, 2)}\n`);
}

/** Reads and sanity-checks bundle.json; PlanBundleError says what is missing. */
export function readBundle(dir: string): ReviewBundle {
  const file = path.join(dir, BUNDLE_FILE);
  let doc: ReviewBundle;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as ReviewBundle;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PlanBundleError(dir, code === "ENOENT" ? `no ${BUNDLE_FILE}` : `${BUNDLE_FILE} is unreadable: ${(err as Error).message}`);
  }
  if (doc?.format !== BUNDLE_FORMAT)
    throw new PlanBundleError(dir, `${BUNDLE_FILE} has format ${JSON.stringify(doc?.format)}, this onefed reads ${BUNDLE_FORMAT}`);
  const missing = [
    ["federation.configPath", doc.federation?.configPath],
    ["federation.configSha256", doc.federation?.configSha256],
    ["stack.dir", doc.stack?.dir],
    ["stack.cdkTfJsonSha256", doc.stack?.cdkTfJsonSha256],
    ["state.location", doc.state?.location],
    ["engine.version", doc.engine?.version],
    ["plan.file", doc.plan?.file],
    ["plan.sha256", doc.plan?.sha256],
  ].filter(([, v]) => typeof v !== "string" || v === "");
  if (missing.length > 0) throw new PlanBundleError(dir, `${BUNDLE_FILE} lacks ${missing.map(([k]) => k).join(", ")}`);
  if (path.basename(doc.plan.file) !== doc.plan.file) throw new PlanBundleError(dir, `${BUNDLE_FILE} names a plan file outside the directory`);
  return doc;
}
