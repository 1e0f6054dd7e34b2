/**
 * `onefed rehearse`: the reviewed plan, step for step, on a sandbox twin of the federation. The
 * twin is planned from the same federation file with the sandbox's machines substituted; its step
 * graph must equal the reviewed one (graph-equality.ts) before anything runs; then the twin's
 * saved plan is applied like `onefed apply --plan` applies a real one, and the durations it
 * measured go to the real federation's history (ONEFED_HISTORY_FILE, ONEFED_HISTORY_SOURCE).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../../config/load-config";
import { isEngineName, type EngineChoice } from "../../model/engine-choice";
import { OnefedError, UsageError } from "../../model/errors";
import { ensureEngine } from "../engine/ensure-engine";
import { commandEngineChoice } from "../engine/engine-selection";
import { StalePlanError } from "../errors";
import { applyReviewedPlan } from "../review/apply-plan";
import { readBundle, type ReviewBundle } from "../review/bundle";
import { PlanBundleError } from "../review/errors";
import { sha256File } from "../review/fingerprint";
import { createPlanReview } from "../review/make-plan";
import { buildStepGraph } from "../review/step-graph";
import { RehearsalFailedError, RehearsalMismatchError, TwinShapeError } from "./errors";
import { stepGraphDifferences } from "./graph-equality";
import { HISTORY_FILE_ENV, HISTORY_SOURCE_ENV, REHEARSAL_SOURCE, historyFileOf } from "./history-env";
import type { InjectRequest } from "./injection";
import { reviewedStackJson } from "./reviewed-stack";
import { measureRun, readEvents, type StageDuration } from "./stage-durations";
import { twinFederationDocument } from "./twin-federation-file";
import type { TwinMachines, TwinSandbox } from "./twin-sandbox";
import { twinProblems, twinShapeOf } from "./twin-shape";

/** Where twins go unless `--address-base` says otherwise: a /16 no sandbox default or test range uses. */
export const DEFAULT_TWIN_ADDRESS_BASE = "127.0.240.1";

export interface RehearseOptions {
  /** The bundle directory `onefed plan --out DIR` wrote. */
  readonly planDir: string;
  /** The federation file. @default the one recorded in the bundle */
  readonly configPath?: string;
  /** First loopback address of the twin's machines. @default DEFAULT_TWIN_ADDRESS_BASE */
  readonly addressBase?: string;
  /** Leave the twin running (its directory is reported). @default false: taken down */
  readonly keep?: boolean;
  /** A failure to arm in the twin before its apply (test option). @default none */
  readonly inject?: InjectRequest;
  /** Where the twin lives. @default a new directory under the system's temp directory */
  readonly twinDir?: string;
  /** The report's lines. @default none */
  readonly log?: (line: string) => void;
  /** The twin's own plan and apply output (what a real run prints). @default none */
  readonly runLog?: (line: string) => void;
}

export interface RehearsalResult {
  /** The twin's directory (removed unless `keep`). */
  readonly twinDir: string;
  /** The twin's run directory (events, step logs); inside twinDir. */
  readonly runDir: string;
  /** Every stage of the plan with the durations the twin measured. */
  readonly stages: readonly StageDuration[];
  /** Where the durations were recorded for the next plan's estimates. */
  readonly historyFile: string;
  /** The twin's sshd pids (all stopped unless `keep`). */
  readonly sshdPids: readonly number[];
}

/** The engine: `$ONEFED_ENGINE` or the file's, else the one the plan was made with (as apply --plan chooses). */
function engineChoiceOf(fileEngine: Parameters<typeof commandEngineChoice>[1], planned: string): EngineChoice {
  const chosen = commandEngineChoice(undefined, fileEngine);
  return chosen.source === "auto" && isEngineName(planned) ? { engine: planned, source: "plan bundle" } : chosen;
}

/** Runs `what` with these variables set in this process (the engine and every step inherit them), then puts them back. */
async function withEnv<T>(vars: Readonly<Record<string, string>>, what: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await what();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

/** The bundle to rehearse; an unusable one is bad input here (nothing was started), not a failed rehearsal. */
function readReviewedBundle(planDir: string): ReviewBundle {
  try {
    return readBundle(planDir);
  } catch (err) {
    if (err instanceof PlanBundleError)
      throw new UsageError(
        `${err.message.replace(/ Run `onefed plan.*$/, "")} Make one with \`onefed plan --out ${planDir}\` and have it reviewed, then rehearse it.`,
      );
    throw err;
  }
}

export async function rehearse(opts: RehearseOptions, sandbox: TwinSandbox): Promise<RehearsalResult> {
  const log = opts.log ?? ((): void => undefined);
  const runLog = opts.runLog ?? ((): void => undefined);
  const planDir = path.resolve(opts.planDir);
  const bundle = readReviewedBundle(planDir);
  const configPath = path.resolve(opts.configPath ?? bundle.federation.configPath);
  const config = loadConfig(configPath);
  const configSha = sha256File(configPath);
  if (configSha !== bundle.federation.configSha256) {
    throw new StalePlanError(planDir, [`the federation file ${configPath} is not the one reviewed (its sha256 differs from bundle.json)`]);
  }
  const problems = twinProblems(config);
  if (problems.length > 0) throw new TwinShapeError(configPath, problems);
  if (opts.inject && !config.zones.some((z) => z.id === opts.inject!.zone)) {
    throw new UsageError(
      `--inject ${opts.inject.step}:${opts.inject.zone}: the federation has no zone ${opts.inject.zone} (its zones are ${config.zones.map((z) => z.id).join(", ")})`,
    );
  }
  const engine = await ensureEngine({ log: runLog, engine: engineChoiceOf(config.engine, bundle.engine.kind) });
  const reviewed = buildStepGraph(reviewedStackJson(bundle, planDir, configPath, engine));

  const twinDir = opts.twinDir ? path.resolve(opts.twinDir) : fs.mkdtempSync(path.join(os.tmpdir(), "onefed-twin-"));
  const shape = twinShapeOf(config);
  log(
    `rehearse: twin of ${config.name} (${shape.zones.map((z) => `zone ${z.id} ${z.name}${z.servers > 1 ? ` HA ×${z.servers}` : ""}`).join(", ")}), ` +
      `${config.fromVersion} → ${config.toVersion}, in ${twinDir}`,
  );
  let machines: TwinMachines;
  try {
    machines = await sandbox.up(shape, twinDir, opts.addressBase ?? DEFAULT_TWIN_ADDRESS_BASE);
  } catch (err) {
    await sandbox.down(twinDir).catch(() => undefined);
    throw err;
  }
  log(`rehearse: twin up: ${machines.machines} machines (sshd pids ${machines.sshdPids.join(", ")})`);
  try {
    const twinFile = path.join(twinDir, "rehearsal.yaml");
    const doc = twinFederationDocument(fs.readFileSync(configPath, "utf8"), fs.readFileSync(machines.federationFile, "utf8"));
    fs.writeFileSync(twinFile, `# The twin of ${configPath} for \`onefed rehearse\` (docs/rehearse.md).\n${JSON.stringify(doc, null, 2)}\n`);
    const historyFile = historyFileOf(config);
    return await withEnv(machines.env, async () => {
      const twinPlanDir = path.join(twinDir, "plan-review");
      const twinPlan = await createPlanReview({
        configPath: twinFile,
        outDir: twinPlanDir,
        cdktfOutdir: path.join(twinDir, "cdktf.out"),
        engine: engine.kind,
        parallelism: bundle.plan.parallelism,
        driftCheck: "skip",
        log: runLog,
      });
      const twinGraph = buildStepGraph(JSON.parse(fs.readFileSync(path.join(twinPlan.bundle.stack.dir, "cdk.tf.json"), "utf8")));
      const differences = stepGraphDifferences(reviewed, twinGraph);
      if (differences.length > 0) throw new RehearsalMismatchError(planDir, differences);
      log(
        `rehearse: the twin's plan is the reviewed one step for step: ${reviewed.nodes.length} steps in ${reviewed.stages.length} stages on ${reviewed.zones.length} zones`,
      );
      if (bundle.plan.counts["no-op"] > 0) {
        log(
          `rehearse: the reviewed plan resumes a run (${bundle.plan.counts["no-op"]} steps already applied); the twin rehearses every step from ${config.fromVersion}`,
        );
      }
      if (opts.inject) {
        await sandbox.inject(twinDir, {
          zone: opts.inject.zone,
          match: opts.inject.match,
          stderr: `Injected failure (onefed rehearse --inject ${opts.inject.step}:${opts.inject.zone})`,
        });
        log(`rehearse: injected: the next command containing ${JSON.stringify(opts.inject.match)} on zone ${opts.inject.zone} fails`);
      }
      let eventsFile = "";
      let runDir = "";
      let failed: unknown;
      // The twin's durations land in the real federation's history, marked as a rehearsal (docs/rehearse.md).
      await withEnv({ [HISTORY_FILE_ENV]: historyFile, [HISTORY_SOURCE_ENV]: REHEARSAL_SOURCE }, () =>
        applyReviewedPlan({
          planDir: twinPlanDir,
          engine: engine.kind,
          log: runLog,
          onRun: (p) => {
            eventsFile = p.eventsFile;
            runDir = p.dir;
          },
        }).catch((err: unknown) => {
          failed = err;
        }),
      );
      const measured = measureRun(readEvents(eventsFile));
      if (failed !== undefined) {
        if (!(failed instanceof OnefedError)) throw failed;
        const f = measured.failure;
        throw new RehearsalFailedError(
          f?.step,
          f?.zone,
          f?.message ?? measured.runMessage ?? failed.message,
          measured.stages,
          runDir || twinDir,
          opts.keep === true,
        );
      }
      return { twinDir, runDir, stages: measured.stages, historyFile, sshdPids: machines.sshdPids };
    });
  } finally {
    if (opts.keep) log(`rehearse: the twin keeps running in ${twinDir} (onefed sandbox down --dir ${twinDir})`);
    else {
      await sandbox.down(twinDir);
      log(`rehearse: twin taken down`);
    }
  }
}
