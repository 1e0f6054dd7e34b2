/**
 * `onefed apply --plan DIR`: apply exactly the plan that was reviewed, after proving that nothing
 * it depends on changed since: federation file, synthesized stack, state, engine, plan file. The
 * state is read through the engine (`state pull`), so the check holds for every backend.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesizeInChild } from "../synth-in-child";
import { loadConfig } from "../../config/load-config";
import type { Engine } from "../engine/engine";
import { ensureEngine } from "../engine/ensure-engine";
import { commandEngineChoice } from "../engine/engine-selection";
import { EngineChoice, isEngineName } from "../../model/engine-choice";
import { FederationConfig } from "../../model/federation";
import { EngineSession } from "../engine-session";
import { reconcile } from "../reconcile";
import { StalePlanError } from "../errors";
import { PLAN_JSON_FILE, readBundle, type ReviewBundle } from "./bundle";
import { PlanBundleError } from "./errors";
import { sha256File, sha256Of } from "./fingerprint";
import { describeState, sameState, stateLocationOf, type StateFingerprint } from "../state-fingerprint";
import { NULL_PROVIDER_VERSION_ENV } from "../../model/environment";
import { newRunId } from "../../run/ledger/run-identity";
import { RunPaths, RunRecord } from "../run-record";
import { reviewedPlanEstimate } from "../estimates/run-start-estimate";
import { HistoryEstimate } from "../estimates/history-estimate";
import { startWithinWindow } from "../estimates/window-guard";
import { sshRoutesOf } from "../../run/ssh-routes";
import { CONFIG_ENV } from "../../config/load-config";
import { WarmRunnerProcess, warmRunnerWanted } from "../warm-runner-process";

export interface ApplyPlanOptions {
  /** The directory `onefed plan --out` wrote. */
  readonly planDir: string;
  /** Federation file. @default the one recorded in the bundle */
  readonly configPath?: string;
  /** terraform -parallelism. @default the one the plan was made with */
  readonly parallelism?: number;
  /**
   * The engine to run, as `--engine` names it (terraform, tofu, auto).
   * @default $ONEFED_ENGINE, else the federation file's engine, else the engine the plan was made with
   */
  readonly engine?: string;
  /** One line per thing worth telling, terraform's output included. @default no output */
  readonly log?: (line: string) => void;
  /** The JSON-lines events file (docs/events.md). @default events.jsonl in the run directory */
  readonly events?: string;
  /** Told where the run's record is as soon as it exists (a progress view tails its events). @default nobody */
  readonly onRun?: (paths: RunPaths) => void;
  /** Run even outside the maintenance window (`--ignore-window`; recorded in run-start). @default false */
  readonly ignoreWindow?: boolean;
  /** Run the steps in one warm runner (docs/warm-runner.md) rather than one process each. @default true, unless ONEFED_WARM_RUNNER=0 */
  readonly warmRunner?: boolean;
}

export interface ApplyPlanResult {
  readonly bundle: ReviewBundle;
  /** terraform's apply output. */
  readonly output: string;
  /** The run's record (docs/events.md). */
  readonly run: RunPaths;
}

/** Written after a successful apply, so a second apply of the same plan says so plainly. */
export const APPLIED_FILE = "applied.json";

const short = (sha: string): string => sha.slice(0, 12);

/** Re-synthesizes into a throwaway directory: the real cdktf.out may hold another run's output. */
function resynthesizedStack(configPath: string, engine: Engine): { name: string; text: string } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-apply-"));
  try {
    const { stack, outdir } = synthesizeInChild({ configPath, outdir: tmp, nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
    return { name: stack, text: fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8") };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A pipeline may apply in a fresh workspace (the bundle restored from an artifact): the stack
 * directory is then synthesized again where it was and initialized. Safe because the checks
 * above proved that this synthesis gives the cdk.tf.json that was planned.
 */
async function prepareStackDir(bundle: ReviewBundle, session: EngineSession, log: (line: string) => void): Promise<void> {
  const cdkFile = path.join(bundle.stack.dir, "cdk.tf.json");
  const ready = fs.existsSync(path.join(bundle.stack.dir, ".terraform")) && fs.existsSync(cdkFile) && sha256File(cdkFile) === bundle.stack.cdkTfJsonSha256;
  if (ready) return;
  log(`apply: ${bundle.stack.dir} is missing or holds another synthesis; synthesizing the planned stack there and initializing it`);
  synthesizeInChild({
    configPath: session.configPath,
    outdir: path.dirname(path.dirname(bundle.stack.dir)),
    nullProviderVersion: session.engine.env[NULL_PROVIDER_VERSION_ENV],
  });
  await session.init();
}

/** Everything but the state that differs from the bundle, one sentence each; empty when the plan still holds. */
export function whatChangedSince(bundle: ReviewBundle, configPath: string, engine: Engine, planDir: string): string[] {
  const changes: string[] = [];
  const applied = path.join(planDir, APPLIED_FILE);
  if (fs.existsSync(applied)) {
    const at = (JSON.parse(fs.readFileSync(applied, "utf8")) as { appliedAt?: string }).appliedAt ?? "earlier";
    changes.push(`this plan was already applied (${at})`);
  }
  if (!fs.existsSync(configPath)) {
    changes.push(`the federation file ${configPath} no longer exists`);
    return changes;
  }
  const configSha = sha256File(configPath);
  if (configSha !== bundle.federation.configSha256) {
    changes.push(`the federation file ${configPath} changed (sha256 ${short(bundle.federation.configSha256)}… at plan time, now ${short(configSha)}…)`);
  }
  if (engine.kind !== bundle.engine.kind || engine.version !== bundle.engine.version) {
    changes.push(`the engine is now ${engine.kind} ${engine.version}, the plan was made with ${bundle.engine.kind} ${bundle.engine.version}`);
  }
  const stack = resynthesizedStack(configPath, engine);
  const cdkSha = sha256Of(stack.text);
  if (stack.name !== bundle.stack.name) {
    changes.push(`the federation file now synthesizes stack ${stack.name}, the plan is for ${bundle.stack.name}`);
  } else if (cdkSha !== bundle.stack.cdkTfJsonSha256) {
    const location = stateLocationOf(JSON.parse(stack.text), bundle.stack.dir);
    const hint =
      location !== bundle.state.location
        ? ` — its state would now be at ${location} instead of ${bundle.state.location}: run apply from the directory you planned in, or set terraform.backend (or terraform.stateFile) in the federation file`
        : "";
    changes.push(
      `the synthesized stack differs from the one planned (cdk.tf.json sha256 ${short(bundle.stack.cdkTfJsonSha256)}… at plan time, now ${short(cdkSha)}…)${hint}`,
    );
  }
  return changes;
}

/** The sentence saying how the state moved since the plan, or undefined when it did not. */
export function stateChangedSince(bundle: ReviewBundle, now: StateFingerprint): string | undefined {
  if (sameState(now, bundle.state)) return undefined;
  return `the state ${bundle.state.location} changed (${describeState(bundle.state)} at plan time, now ${describeState(now)})`;
}

export async function applyReviewedPlan(opts: ApplyPlanOptions): Promise<ApplyPlanResult> {
  const out = opts.log ?? ((): void => undefined);
  const dir = path.resolve(opts.planDir);
  const bundle = readBundle(dir);
  const planFile = path.join(dir, bundle.plan.file);
  if (!fs.existsSync(planFile)) throw new PlanBundleError(dir, `its plan file ${bundle.plan.file} is missing`);
  if (sha256File(planFile) !== bundle.plan.sha256)
    throw new PlanBundleError(dir, `${bundle.plan.file} is not the plan that was reviewed (its sha256 differs from bundle.json)`);

  // Loading validates the file first: a now-invalid file fails with its own problems listed, and a
  // missing key passphrase or agent with exit 2 before any machine is touched.
  const configPath = path.resolve(opts.configPath ?? bundle.federation.configPath);
  const current = fs.existsSync(configPath) ? loadConfig(configPath) : undefined;
  // Keys, passphrases and the agent of every zone, before the engine or any machine: exit 2 if one is missing.
  if (current) sshRoutesOf(current);
  const chosen = commandEngineChoice(opts.engine, current?.engine);
  // Nothing chose: the engine the plan was made with, so that a job without the plan job's variables applies with the same one.
  const planned = bundle.engine.kind;
  const engineChoice: EngineChoice = chosen.source === "auto" && isEngineName(planned) ? { engine: planned, source: "plan bundle" } : chosen;
  // Without its federation file the plan is stale (whatChangedSince says so) before any run starts.
  if (!current) throw new StalePlanError(dir, whatChangedSince(bundle, configPath, await ensureEngine({ log: out, engine: engineChoice }), dir));
  // Warnings (a webhook that failed, a history not written) go where every other line goes (the console and engine.log).
  const record: RunRecord = new RunRecord(current, "apply", newRunId(), opts.events, { warn: (line) => log(line), ignoreWindow: opts.ignoreWindow });
  opts.onRun?.(record.paths);
  const log = (line: string): void => {
    record.engineLine(line);
    out(line);
  };
  try {
    const result = await applyChecked(opts, dir, bundle, planFile, configPath, log, record, current, engineChoice);
    await record.end();
    return { ...result, run: record.paths };
  } catch (err) {
    await record.end(err);
    throw err;
  }
}

/** The reviewed plan's estimate for run-start; none when it cannot be made (a stack directory not there). */
function reviewedEstimate(config: FederationConfig, bundle: ReviewBundle, dir: string): HistoryEstimate | undefined {
  try {
    return reviewedPlanEstimate(config, bundle.stack.dir, path.join(dir, PLAN_JSON_FILE));
  } catch {
    return undefined;
  }
}

/** The checks that the plan still holds, then the apply of exactly that plan, recorded in `record`. */
async function applyChecked(
  opts: ApplyPlanOptions,
  dir: string,
  bundle: ReviewBundle,
  planFile: string,
  configPath: string,
  log: (line: string) => void,
  record: RunRecord,
  config: FederationConfig,
  engineChoice: EngineChoice,
): Promise<Omit<ApplyPlanResult, "run">> {
  let prepared: EngineSession;
  try {
    const engine = await ensureEngine({ log, engine: engineChoice });
    const changes = whatChangedSince(bundle, configPath, engine, dir);
    if (changes.length > 0) throw new StalePlanError(dir, changes);

    prepared = new EngineSession({ engine, stackDir: bundle.stack.dir, configPath, log, terraform: config.terraform, env: record.env });
    await prepareStackDir(bundle, prepared, log);
    // Only an initialized stack can read its state, wherever the backend keeps it.
    const stateChange = stateChangedSince(bundle, await prepared.stateFingerprint());
    if (stateChange) throw new StalePlanError(dir, [stateChange]);
  } finally {
    // The steps by stage as the stack directory holds them (prepareStackDir re-synthesizes only the
    // planned stack), with their estimates once it is there; a refusal above still starts the run.
    if (!record.hasStarted) record.start(bundle.stack.dir, { estimate: reviewedEstimate(config, bundle, dir) });
  }
  log(`run directory ${record.paths.dir} (events: ${record.paths.eventsFile})`);
  // Before reconcile's first SSH command: outside the maintenance window nothing runs (exit 7).
  startWithinWindow(config, record.estimate, opts.ignoreWindow ?? false, log);
  const reconciled = await reconcile(prepared, config, "apply --plan", log, { taint: false, planDir: dir, runId: record.paths.runId });
  const runner = warmRunnerWanted(opts.warmRunner)
    ? await WarmRunnerProcess.start({ runDir: record.paths.dir, env: { ...process.env, ...record.env, [CONFIG_ENV]: configPath }, log })
    : undefined;
  try {
    return await applyReviewed(opts, dir, bundle, planFile, log, runner ? reconciled.session.withEnv(runner.env) : reconciled.session);
  } finally {
    await runner?.stop();
  }
}

/** The apply of exactly the reviewed plan, once every check passed. */
async function applyReviewed(
  opts: ApplyPlanOptions,
  dir: string,
  bundle: ReviewBundle,
  planFile: string,
  log: (line: string) => void,
  session: EngineSession,
): Promise<Omit<ApplyPlanResult, "run">> {
  const c = bundle.plan.counts;
  log(
    `apply: the reviewed plan of ${bundle.stack.name} (${c.create} to create, ${c.replace} to replace, ${c.update} to update, ${c.delete} to delete), state ${describeState(bundle.state)}`,
  );
  const { output } = await session.applyPlan(planFile, opts.parallelism ?? bundle.plan.parallelism, dir);
  fs.writeFileSync(
    path.join(dir, APPLIED_FILE),
    `${JSON.stringify({ appliedAt: new Date().toISOString(), state: await session.stateFingerprint() }, null, 2)}\n`,
  );
  return { bundle, output };
}
