/**
 * Synthesize and apply with a real engine: `terraform init` + `apply` in the stack directory
 * (through the engine session), or the cdktf CLI's `deploy` (what pipelines run), both with the
 * same engine environment.
 */
import * as os from "os";
import * as path from "path";
import { synthesizeInChild } from "./synth-in-child";
import { loadConfig } from "../config/load-config";
import { NULL_PROVIDER_VERSION_ENV } from "../model/environment";
import { ensureEngine } from "./engine/ensure-engine";
import { commandEngineChoice } from "./engine/engine-selection";
import { EngineSession } from "./engine-session";
import { DeployInterruptedError, EngineRunError, frozenZonesAdvice, StateLockedError } from "./errors";
import { describeExit, ProcessResult, runProcess } from "./local-process";
import { InterruptForwarder } from "./interrupts";
import { projectRoot } from "./project-root";
import { lockLostTo, reconcile } from "./reconcile";
import { LockHeldError } from "../run/ledger/federation-ledger";
import { newRunId } from "../run/ledger/run-identity";
import { FederationConfig } from "../model/federation";
import { RunPaths, RunRecord } from "./run-record";
import { sshRoutesOf } from "../run/ssh-routes";
import { deployEstimate } from "./estimates/run-start-estimate";
import { startWithinWindow } from "./estimates/window-guard";
import { CONFIG_ENV } from "../config/load-config";
import { WarmRunnerProcess, warmRunnerWanted } from "./warm-runner-process";

export interface DeployOptions {
  /** Federation file. @default $FEDERATION_CONFIG or ./federation.yaml */
  readonly configPath?: string;
  /** cdktf output directory. @default <cwd>/cdktf.out */
  readonly outdir?: string;
  /** `engine` calls terraform directly; `cdktf` runs `cdktf deploy`. @default "engine" */
  readonly via?: "engine" | "cdktf";
  /** The engine to run, as `--engine` names it (terraform, tofu, auto). @default $ONEFED_ENGINE, else the federation file's engine, else auto */
  readonly engine?: string;
  /** Terraform -parallelism. @default zones + 2 (the widest stage), at least 10, at most 8 step processes or 16 warm-runner steps per CPU (defaultParallelism) */
  readonly parallelism?: number;
  /** Receives one line per thing worth telling, the engine's output included. @default stdout */
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

/** A step's refusal by another run's lock, as its local-exec output shows it (describeError: "<class>: <message>"). */
const LOCK_REFUSAL = new RegExp(`\\(local-exec\\): ${LockHeldError.name}: `);

/** How the steps run: in the deploy's warm runner, or each in its own process (`--no-warm-runner`, or no runner could start). */
export type StepRunners = "warm" | "process";

/** Step processes per CPU at most: each needs CPU to start and to finish its own SSH handshakes. */
const PROCESSES_PER_CPU = 8;
/**
 * Steps per CPU at most in the warm runner: a running step there is a shell and two `cat`s and
 * shares the runner's one SSH connection per machine (no start-up, no handshake of its own), so the
 * widest stage of 1+16 (17 steps) fits on 2 cores instead of leaving one zone a whole step behind.
 */
const WARM_STEPS_PER_CPU = 16;

/**
 * The widest stage (zones + 2) runs at once, at least 10, but never more than 8 step processes per
 * CPU: a 1+64 federation on 2 cores starved them past the connect timeout (docs/round-trips.md,
 * "Safe under load"). With the warm runner, 16 steps per CPU.
 */
export function defaultParallelism(zoneCount: number, cpus: number = os.availableParallelism(), runners: StepRunners = "process"): number {
  return Math.min(Math.max(10, zoneCount + 2), Math.max(10, (runners === "warm" ? WARM_STEPS_PER_CPU : PROCESSES_PER_CPU) * cpus));
}

export async function deploy(opts: DeployOptions = {}): Promise<{ stackDir: string; output: string; run: RunPaths }> {
  const out = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const config = loadConfig(opts.configPath);
  // Warnings (a webhook that failed, a history not written) go where every other line goes (the console and engine.log).
  const record: RunRecord = new RunRecord(config, "deploy", newRunId(), opts.events, { warn: (line) => log(line), ignoreWindow: opts.ignoreWindow });
  opts.onRun?.(record.paths);
  const log = (line: string): void => {
    record.engineLine(line);
    out(line);
  };
  let interrupted = false;
  try {
    const result = await deployRecorded(opts, config, record, log, () => (interrupted = true));
    await record.end();
    return { ...result, run: record.paths };
  } catch (err) {
    await record.end(err, interrupted);
    throw err;
  }
}

async function deployRecorded(
  opts: DeployOptions,
  config: FederationConfig,
  record: RunRecord,
  log: (line: string) => void,
  onInterrupt: () => void,
): Promise<{ stackDir: string; output: string }> {
  // Keys, passphrases and the agent of every zone, before the engine or any machine: exit 2 if one is missing.
  sshRoutesOf(config);
  // Started now, so that it loads while the engine is prepared and initialized; awaited before the apply.
  const runner = warmRunnerWanted(opts.warmRunner)
    ? WarmRunnerProcess.start({ runDir: record.paths.dir, env: { ...process.env, ...record.env, [CONFIG_ENV]: config.sourcePath }, log })
    : Promise.resolve(undefined);
  try {
    return await deployWith(opts, config, record, log, onInterrupt, runner);
  } finally {
    await (await runner)?.stop();
  }
}

async function deployWith(
  opts: DeployOptions,
  config: FederationConfig,
  record: RunRecord,
  log: (line: string) => void,
  onInterrupt: () => void,
  runner: Promise<WarmRunnerProcess | undefined>,
): Promise<{ stackDir: string; output: string }> {
  const engine = await ensureEngine({ log, engine: commandEngineChoice(opts.engine, config.engine) });
  const outdir = path.resolve(opts.outdir ?? "cdktf.out");

  const { stack } = synthesizeInChild({ configPath: config.sourcePath, outdir, nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
  const stackDir = path.join(outdir, "stacks", stack);
  log(`synthesized ${stack} → ${stackDir}`);
  const interrupts = new InterruptForwarder(`the deploy of federation ${config.name}`, log).start();
  // A step refused by another run's lock says so in its output; only then is the lock read again.
  let lockRefused = false;
  const engineLog = (line: string): void => {
    if (LOCK_REFUSAL.test(line)) lockRefused = true;
    log(line);
  };
  try {
    const session = new EngineSession({
      engine,
      stackDir,
      configPath: config.sourcePath,
      log: engineLog,
      onSpawn: interrupts.attach,
      terraform: config.terraform,
      env: { ...record.env, ...(await runner)?.env },
    });
    const init = await session.init().catch((err: unknown) => {
      record.start(stackDir);
      throw err;
    });
    await startEstimated(opts, config, record, session, stackDir, log);
    const { session: run, run: identity } = await reconcile(session, config, "deploy", log, { runId: record.paths.runId });
    const parallelism = opts.parallelism ?? defaultParallelism(config.zones.length, undefined, (await runner) ? "warm" : "process");
    const apply = await (opts.via === "cdktf" ? cdktfDeploy(run, outdir, parallelism, engineLog, interrupts) : run.apply(parallelism)).catch(
      async (err: unknown) => {
        if (interrupts.interrupted) {
          onInterrupt();
          throw new DeployInterruptedError(config.name);
        }
        // Refused by the federation lock in a step, or by the state lock before any: name the federation's holder when there is one.
        throw ((lockRefused || err instanceof StateLockedError) && (await lockLostTo(config, identity, "deploy"))) || err;
      },
    );
    return { stackDir, output: init.output + apply.output };
  } finally {
    interrupts.stop();
  }
}

/**
 * run-start with the run's estimate, then the maintenance window's check: a refusal (exit 7) comes
 * after run-start (so the events record it) and before reconcile's first SSH command.
 */
async function startEstimated(
  opts: DeployOptions,
  config: FederationConfig,
  record: RunRecord,
  session: EngineSession,
  stackDir: string,
  log: (line: string) => void,
): Promise<void> {
  const estimate = await deployEstimate(config, session, stackDir).catch((err: unknown) => {
    record.start(stackDir);
    throw err;
  });
  record.start(stackDir, { estimate });
  log(`run directory ${record.paths.dir} (events: ${record.paths.eventsFile})`);
  startWithinWindow(config, estimate, opts.ignoreWindow ?? false, log);
}

/** `cdktf deploy` from the project root (it synthesizes through cdktf.json), with the session's environment (engine, run). */
async function cdktfDeploy(
  session: EngineSession,
  outdir: string,
  parallelism: number,
  log: (line: string) => void,
  interrupts: InterruptForwarder,
): Promise<ProcessResult> {
  const root = projectRoot();
  const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
  // `providers lock` asks the registry for every platform's checksums; offline it cannot, and our
  // mirror's own init records the local checksum anyway.
  const args = ["deploy", "--auto-approve", "--skip-provider-lock", "--no-color", `--terraform-parallelism=${parallelism}`, "--output", outdir];
  const r = await runProcess(cdktf, args, { cwd: root, env: { ...session.env, CI: "1" }, onLine: log, onSpawn: interrupts.attach });
  if (r.exitCode !== 0) {
    throw (
      session.lockRefusal(r, "cdktf deploy") ??
      new EngineRunError(
        "cdktf deploy",
        r,
        `cdktf deploy failed (${describeExit(r)}); the failing step's message is above. ${frozenZonesAdvice("deploy again")}`,
      )
    );
  }
  return r;
}
