/**
 * `onefed plan`: synthesize, plan with the prepared engine, and write the review bundle that a
 * pull request shows (review.md, graph.svg, graph.mmd) and `onefed apply --plan` verifies (bundle.json).
 */
import * as fs from "fs";
import * as path from "path";
import { synthesizeInChild } from "../synth-in-child";
import type { DriftReport } from "../../checks/drift-report";
import type { FederationConfig } from "../../model/federation";
import { loadConfig } from "../../config/load-config";
import { ensureEngine } from "../engine/ensure-engine";
import { commandEngineChoice } from "../engine/engine-selection";
import { EngineSession } from "../engine-session";
import { reconcile } from "../reconcile";
import { StalePlanError } from "../errors";
import { defaultParallelism } from "../deploy";
import * as B from "./bundle";
import type { DriftOutcome } from "./drift-outcome";
import { sha256File, sha256Of } from "./fingerprint";
import { describeState, sameState } from "../state-fingerprint";
import { renderMermaid } from "./mermaid";
import { countChanges, parsePlanJson } from "./plan-json";
import { renderReview } from "./render-review";
import { buildStepGraph } from "./step-graph";
import { renderSvg } from "./svg";
import { NULL_PROVIDER_VERSION_ENV } from "../../model/environment";
import { estimateFromHistory, plannedStepsOf } from "../estimates/history-estimate";
import { bundleEstimates } from "./estimates-section";

/** The drift check as the review consumes it (lib/checks implements it). */
export type DriftCheckFn = (config: FederationConfig) => Promise<DriftReport>;

export interface PlanReviewOptions {
  /** Federation file. @default $FEDERATION_CONFIG or ./federation.yaml */
  readonly configPath?: string;
  /** Where the bundle is written. @default ./plan-review */
  readonly outDir?: string;
  /** cdktf output directory. @default ./cdktf.out */
  readonly cdktfOutdir?: string;
  /** terraform -parallelism for plan and, later, apply. @default zones + 2, at least 10, at most 8 per CPU */
  readonly parallelism?: number;
  /** The engine to run, as `--engine` names it (terraform, tofu, auto). @default $ONEFED_ENGINE, else the federation file's engine, else auto */
  readonly engine?: string;
  /** The drift check to run, "skip" for --no-check. @default none: the review says it is not available */
  readonly driftCheck?: DriftCheckFn | "skip";
  /** One line per thing worth telling, terraform's output included. @default no output */
  readonly log?: (line: string) => void;
}

export interface PlanReviewResult {
  /** Absolute bundle directory. */
  readonly dir: string;
  readonly bundle: B.ReviewBundle;
  readonly review: string;
  /** Wall time per phase, in ms (engine, synth, init, plan, show, drift, total). */
  readonly timings: Readonly<Record<string, number>>;
}

export const DEFAULT_PLAN_DIR = "./plan-review";

/** Runs the drift check without ever rejecting: its failure is part of the review, not of the plan. */
async function driftOutcome(check: PlanReviewOptions["driftCheck"], config: FederationConfig): Promise<DriftOutcome> {
  if (check === "skip") return { status: "skipped" };
  if (!check) return { status: "not-available" };
  try {
    return { status: "report", report: await check(config) };
  } catch (err) {
    return { status: "failed", message: err instanceof Error ? err.message : String(err) };
  }
}

/** A path as a reviewer should read it: relative to the working directory when below it. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

export async function createPlanReview(opts: PlanReviewOptions = {}): Promise<PlanReviewResult> {
  const log = opts.log ?? ((): void => undefined);
  const started = Date.now();
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = Date.now() - t;
    }
  };

  const config = loadConfig(opts.configPath);
  const configSha256 = sha256File(config.sourcePath);
  const planDirArg = opts.outDir ?? DEFAULT_PLAN_DIR;
  const dir = path.resolve(planDirArg);
  fs.mkdirSync(dir, { recursive: true });
  // A bundle left from an earlier plan must not survive a failed one: bundle.json goes first.
  for (const f of [B.BUNDLE_FILE, B.PLAN_FILE, B.PLAN_JSON_FILE, B.REVIEW_FILE, B.GRAPH_SVG_FILE, B.GRAPH_MERMAID_FILE, "applied.json"])
    fs.rmSync(path.join(dir, f), { force: true });

  // Read-only SSH work, independent of the local plan: run it meanwhile.
  const driftStarted = Date.now();
  const drift = driftOutcome(opts.driftCheck, config).then((o) => {
    timings.drift = Date.now() - driftStarted;
    return o;
  });
  try {
    const engine = await timed("engine", () => ensureEngine({ log, engine: commandEngineChoice(opts.engine, config.engine) }));
    const { stack, outdir } = await timed("synth", () =>
      synthesizeInChild({
        configPath: config.sourcePath,
        outdir: path.resolve(opts.cdktfOutdir ?? "cdktf.out"),
        nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV],
      }),
    );
    const stackDir = path.join(outdir, "stacks", stack);
    const cdkText = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
    const cdkJson = JSON.parse(cdkText) as unknown;
    const graph = buildStepGraph(cdkJson);
    const session = new EngineSession({ engine, stackDir, configPath: config.sourcePath, log, terraform: config.terraform });
    const planFile = path.join(dir, B.PLAN_FILE);
    const parallelism = opts.parallelism ?? defaultParallelism(config.zones.length);
    await timed("init", () => session.init());
    // What the ledger does not prove is tainted first, so the plan (and the review) shows it running again.
    await timed("reconcile", () => reconcile(session, config, "plan", log));
    const stateBefore = await session.stateFingerprint();
    log(`plan: ${stack} in ${stackDir}, state: ${describeState(stateBefore)}`);
    await timed("plan", () => session.plan(planFile, parallelism));
    const stateAfter = await session.stateFingerprint();
    if (!sameState(stateBefore, stateAfter)) {
      throw new StalePlanError(dir, [
        `the state changed while the plan was being made (${describeState(stateBefore)}, then ${describeState(stateAfter)}): something applied concurrently`,
      ]);
    }
    const planJson = await timed("show", () => session.showJson(planFile));
    fs.writeFileSync(path.join(dir, B.PLAN_JSON_FILE), planJson);
    const plan = parsePlanJson(planJson);
    const kinds = new Map(plan.changes.map((c) => [c.name, c.kind]));
    const driftResult = await drift;
    // Steps the plan leaves as they are (no-op) are applied already: they take no time.
    const estimate = estimateFromHistory(
      config,
      plannedStepsOf(graph, (_address, resource) => kinds.get(resource) === "no-op"),
    );

    const bundle: B.ReviewBundle = {
      format: B.BUNDLE_FORMAT,
      createdAt: new Date().toISOString(),
      federation: { name: config.name, fromVersion: config.fromVersion, toVersion: config.toVersion, configPath: config.sourcePath, configSha256 },
      stack: { name: stack, dir: stackDir, cdkTfJsonSha256: sha256Of(cdkText) },
      state: stateBefore,
      engine: { kind: engine.kind, binary: engine.binary, version: engine.version },
      plan: { file: B.PLAN_FILE, sha256: sha256File(planFile), parallelism, counts: countChanges(plan) },
      drift:
        driftResult.status === "report"
          ? { status: driftResult.status, ready: driftResult.report.ready, exitCode: driftResult.report.exitCode }
          : { status: driftResult.status },
      estimates: bundleEstimates(estimate),
    };
    const review = renderReview({
      config,
      plan,
      graph,
      drift: driftResult,
      estimate: { ...estimate, historyFile: displayPath(estimate.historyFile) },
      identity: {
        engine: `${engine.kind} ${engine.version}`,
        stack,
        configFile: displayPath(config.sourcePath),
        configSha256,
        cdkTfJsonSha256: bundle.stack.cdkTfJsonSha256,
        state: describeState(stateBefore),
        planDir: planDirArg,
      },
    });
    fs.writeFileSync(path.join(dir, B.REVIEW_FILE), review);
    fs.writeFileSync(path.join(dir, B.GRAPH_MERMAID_FILE), renderMermaid(graph, kinds));
    fs.writeFileSync(path.join(dir, B.GRAPH_SVG_FILE), renderSvg(graph, `${config.name}: ${config.fromVersion} → ${config.toVersion}`, kinds));
    // Last: its presence means the bundle is complete.
    B.writeBundle(dir, bundle);
    timings.total = Date.now() - started;
    return { dir, bundle, review, timings };
  } finally {
    // Never leave the drift check's promise unobserved when planning failed first.
    await drift;
  }
}
