/**
 * The one place onefed drives terraform/OpenTofu in a synthesized stack: init, plan -out,
 * show -json, apply and apply <planfile>, with one environment and one wording of each failure.
 * `onefed deploy`, `onefed plan` and `onefed apply --plan` all go through it.
 */
import { ChildProcess } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_ENV } from "../config/load-config";
import { PROCESS_SECRETS } from "../model/secrets";
import type { TerraformSettings } from "../model/state-backend";
import { STEP_NAMES, StepName, stepsInTriggers } from "../model/steps";
import { backendEnv } from "./backend-env";
import type { Engine } from "./engine/engine";
import { engineEnv } from "./engine/engine-env";
import { EngineRunError, EnginePhase, frozenZonesAdvice, StalePlanError, StateLockedError } from "./errors";
import { describeExit, outputTail, runProcess, type ProcessResult } from "./local-process";
import { parseStateFingerprint, stateLocationOf, type StateFingerprint } from "./state-fingerprint";

/** What a session runs with. */
export interface EngineSessionProps {
  /** The prepared engine (ensureEngine). */
  readonly engine: Engine;
  /** Stack directory, where the engine runs (cdktf.out/stacks/<stack>). */
  readonly stackDir: string;
  /** Federation file, handed to every resource's `onefed step` through the environment. */
  readonly configPath: string;
  /** Receives the engine's output line by line as it runs. @default no output */
  readonly log?: (line: string) => void;
  /** More variables for every run, e.g. the run's identity for the resources' `onefed step`. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Told about each engine process as it starts, so that signals can be forwarded to it. @default nobody */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** The federation file's state backend (its credentials join the environment) and lock timeout. @default the stack's backend as synthesized, credentials as the environment has them, no lock timeout */
  readonly terraform?: TerraformSettings;
}

/** A step resource as the state records it: its address and the (step, zone) its triggers name. */
export interface StateStep {
  readonly address: string;
  readonly step: StepName;
  readonly zoneId: number;
  /** The upgrade it belongs to (its from_version / to_version triggers). */
  readonly fromVersion: string;
  readonly toVersion: string;
}

/**
 * The environment of every engine run (and of `cdktf deploy`): the given base, our engine
 * variables, and the federation file the resources' `onefed step` must load.
 */
export function engineRunEnv(engine: Pick<Engine, "env">, configPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...engineEnv(engine, base), [CONFIG_ENV]: configPath };
}

/** terraform's and tofu's refusal to run while another run holds the state lock; the next "Error message:" line says why. */
const STATE_LOCKED = /Error acquiring the state lock/;
const LOCK_REASON = /Error message: *(.+)/;

/**
 * The pg backend's first `init` against a schema that does not exist yet creates the schema, the
 * sequence and the `states` table with `CREATE … IF NOT EXISTS`; two runs doing so at the same
 * instant (two CI runners, two teammates) race in PostgreSQL's catalog, and the loser fails with a
 * unique violation on one of its indexes. Nothing was planned or applied, and the objects exist once
 * the winner is done: an init again succeeds.
 */
const PG_CATALOG_RACE = /duplicate key value violates unique constraint \W?pg_(?:type_typname_nsp|class_relname_nsp|namespace_nspname)_index/;

/** How often `init` runs when it loses that race, and the pause before the next run (ms, up to twice that). */
const INIT_RUNS = 3;
const INIT_RETRY_PAUSE_MS = 500;

/** terraform's and tofu's own refusals of a plan made against another state (internal/backend/local). */
const STALE_PLAN = /Saved plan is stale|Saved plan does not match the given state/;

/** Does this engine output say that the saved plan no longer matches the state? */
export function isStalePlanOutput(output: string): boolean {
  return STALE_PLAN.test(output);
}

/**
 * The steps of a state as `show -json` prints it: a resource's triggers say which zone and which
 * step (`step`), or which steps in order (`steps`, a chain); a chain claims each of its steps.
 */
export function parseStateSteps(json: string): StateStep[] {
  if (!json.trim()) return [];
  const state = JSON.parse(json) as {
    values?: { root_module?: { resources?: Array<{ address: string; type: string; values?: { triggers?: Record<string, string> } }> } };
  };
  const isStep = (s: string): s is StepName => (STEP_NAMES as readonly string[]).includes(s);
  return (state.values?.root_module?.resources ?? []).flatMap((r) => {
    const t = r.values?.triggers;
    if (r.type !== "null_resource" || !t || !/^\d+$/.test(t.zone_id ?? "")) return [];
    const steps = stepsInTriggers(t);
    if (steps.length === 0 || !steps.every(isStep)) return [];
    return steps.map((step) => ({ address: r.address, step, zoneId: Number(t.zone_id), fromVersion: t.from_version, toVersion: t.to_version }));
  });
}

/** " Last lines of its output:" and the indented tail, or nothing when there was no output; secrets redacted. */
function quotedTail(text: string): string {
  return text.trim() ? ` Last lines of its output:\n${outputTail(PROCESS_SECRETS.redact(text))}` : "";
}

/** How an engine command fails: refused by the state lock, or failed in its phase. */
type EngineFailure = EngineRunError | StateLockedError;

export class EngineSession {
  /** The engine every run uses. */
  public readonly engine: Engine;
  /** Where the engine runs. */
  public readonly stackDir: string;
  /** The federation file the resources load. */
  public readonly configPath: string;
  /** The environment of every run (engineRunEnv). */
  public readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string) => void;

  constructor(props: EngineSessionProps) {
    this.engine = props.engine;
    this.stackDir = props.stackDir;
    this.configPath = props.configPath;
    const log = props.log ?? ((): void => undefined);
    // A backend's credentials could appear in what the engine prints (a connection error): redact every line.
    this.log = (line) => log(PROCESS_SECRETS.redact(line));
    this.env = { ...engineRunEnv(props.engine, props.configPath), ...(props.terraform ? backendEnv(props.terraform.backend) : {}), ...props.env };
    this.lockArgs = props.terraform?.lockTimeoutSeconds ? [`-lock-timeout=${props.terraform.lockTimeoutSeconds}s`] : [];
    this.props = props;
  }

  private readonly props: EngineSessionProps;
  /** -lock-timeout for every command that takes the state lock; none when the file sets no timeout (terraform's 0s). */
  private readonly lockArgs: readonly string[];

  /** The same session with more variables for every run. */
  withEnv(env: Readonly<Record<string, string>>): EngineSession {
    return new EngineSession({ ...this.props, env: { ...this.props.env, ...env } });
  }

  /**
   * The state's lineage, which names this upgrade across re-runs and runners. A stack without state
   * yet gets one now (an empty state pushed with a fresh lineage), so that even the first run's
   * steps carry the lineage a resumed run will present.
   */
  async ensureLineage(): Promise<string> {
    const lineage = (await this.stateFingerprint()).lineage;
    if (lineage) return lineage;
    const fresh = randomUUID();
    const file = path.join(this.stackDir, `.onefed-initial-state-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify({ version: 4, terraform_version: "1.0.0", serial: 1, lineage: fresh, outputs: {}, resources: [] }), { mode: 0o600 });
    try {
      const pushed = await this.quiet(["state", "push", ...this.lockArgs, file]);
      // Read back, not assumed: a remote backend gives a new state a lineage of its own, and another
      // runner of a shared state may have pushed first (then this push fails, and theirs names the upgrade).
      const stored = (await this.stateFingerprint()).lineage;
      if (stored) return stored;
      if (pushed.exitCode === 0) return fresh;
      throw this.failed(
        "state",
        pushed,
        `${this.kind} state push of an empty state failed in ${this.stackDir} (${describeExit(pushed)}); nothing was applied.${quotedTail(pushed.output)}`,
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /**
   * Where the state lives and its serial and lineage, read through the engine (`state pull`) so
   * that every backend answers alike: what `apply --plan`'s stale check compares.
   */
  async stateFingerprint(): Promise<StateFingerprint> {
    const pulled = await this.quiet(["state", "pull"]);
    if (pulled.exitCode !== 0)
      throw new EngineRunError(
        "state",
        pulled,
        `${this.kind} state pull failed in ${this.stackDir} (${describeExit(pulled)}); nothing was applied.${quotedTail(pulled.output)}`,
      );
    return parseStateFingerprint(this.stateLocation(), pulled.stdout);
  }

  /** The state's place as the synthesized stack names it (never a credential: those are in the environment). */
  stateLocation(): string {
    try {
      return stateLocationOf(JSON.parse(fs.readFileSync(path.join(this.stackDir, "cdk.tf.json"), "utf8")), this.stackDir);
    } catch {
      return `the state of ${this.stackDir}`;
    }
  }

  /** Every step resource the state holds (`show -json` of the state). */
  async stateSteps(): Promise<StateStep[]> {
    const r = await this.quiet(["show", "-json", "-no-color"]);
    if (r.exitCode !== 0)
      throw new EngineRunError(
        "show",
        r,
        `${this.kind} show -json failed in ${this.stackDir} (${describeExit(r)}); nothing was applied.${quotedTail(r.stderr || r.stdout)}`,
      );
    return parseStateSteps(r.stdout);
  }

  /** Marks resources for re-creation: the next plan or apply runs their steps again. */
  async taint(addresses: readonly string[]): Promise<void> {
    for (const address of addresses) {
      const r = await this.quiet(["taint", "-no-color", ...this.lockArgs, address]);
      if (r.exitCode !== 0)
        throw this.failed(
          "taint",
          r,
          `${this.kind} taint ${address} failed in ${this.stackDir} (${describeExit(r)}); nothing was applied.${quotedTail(r.output)}`,
        );
    }
  }

  /** `init`; -reconfigure because the state lives where the federation file says, not where a cached stack directory last pointed. */
  async init(): Promise<ProcessResult> {
    for (let run = 1; ; run++) {
      // The stack directory is a cache that two federation files with the same name share, so its recorded backend is no authority.
      const r = await this.streamed(["init", "-input=false", "-no-color", "-reconfigure"]);
      if (r.exitCode === 0) return r;
      if (run < INIT_RUNS && PG_CATALOG_RACE.test(r.output)) {
        const pause = INIT_RETRY_PAUSE_MS + Math.floor(Math.random() * INIT_RETRY_PAUSE_MS);
        this.log(
          `${this.kind} init met another run creating the pg backend's schema at the same moment (a unique violation in PostgreSQL's catalog); nothing was planned or applied: init again in ${pause} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, pause));
        continue;
      }
      throw new EngineRunError(
        "init",
        r,
        `${this.kind} init failed in ${this.stackDir} (${describeExit(r)}); nothing was planned or applied.${quotedTail(r.output)}`,
      );
    }
  }

  /** `plan -out=<planFile>`. */
  async plan(planFile: string, parallelism: number): Promise<ProcessResult> {
    const r = await this.streamed(["plan", `-out=${planFile}`, "-input=false", "-no-color", ...this.lockArgs, `-parallelism=${parallelism}`]);
    if (r.exitCode !== 0)
      throw this.failed("plan", r, `${this.kind} plan failed in ${this.stackDir} (${describeExit(r)}); no plan was written.${quotedTail(r.output)}`);
    return r;
  }

  /** `show -json <planFile>`: stdout only, not streamed (warnings on stderr must not corrupt the JSON). */
  async showJson(planFile: string): Promise<string> {
    const r = await runProcess(this.engine.binary, ["show", "-json", "-no-color", planFile], { cwd: this.stackDir, env: this.env });
    if (r.exitCode !== 0)
      throw new EngineRunError("show", r, `${this.kind} show -json ${planFile} failed (${describeExit(r)}).${quotedTail(r.stderr || r.stdout)}`);
    return r.stdout;
  }

  /** `apply -auto-approve`: what `onefed deploy` runs. */
  async apply(parallelism: number): Promise<ProcessResult> {
    const r = await this.streamed(["apply", "-input=false", "-no-color", "-auto-approve", ...this.lockArgs, `-parallelism=${parallelism}`]);
    if (r.exitCode !== 0) throw this.lockRefusal(r, "apply") ?? this.applyFailed(r, "apply", "deploy again");
    return r;
  }

  /**
   * `apply <planFile>`: exactly the saved plan. The engine's own stale-plan refusal (nothing was
   * applied) becomes a StalePlanError naming `planDir`.
   */
  async applyPlan(planFile: string, parallelism: number, planDir: string): Promise<ProcessResult> {
    const r = await this.streamed(["apply", "-input=false", "-no-color", ...this.lockArgs, `-parallelism=${parallelism}`, planFile]);
    if (r.exitCode === 0) return r;
    const locked = this.lockRefusal(r, "apply of the reviewed plan");
    if (locked) throw locked;
    const stale = STALE_PLAN.exec(r.output);
    if (stale) throw new StalePlanError(planDir, [`${this.kind} found that the state changed after the plan was made ("${stale[0]}") and applied nothing`]);
    throw this.applyFailed(r, "apply of the reviewed plan", "run `onefed plan` and `onefed apply --plan` again (or `onefed deploy`)");
  }

  private get kind(): string {
    return this.engine.kind;
  }

  /** A StateLockedError when the engine refused because another run holds the state lock, else undefined. */
  lockRefusal(r: ProcessResult, what: string): StateLockedError | undefined {
    if (r.exitCode === 0 || !STATE_LOCKED.test(r.output)) return undefined;
    const reason = LOCK_REASON.exec(r.output)?.[1].trim() || "Error acquiring the state lock";
    return new StateLockedError(`${this.kind} ${what}`, this.stateLocation(), PROCESS_SECRETS.redact(reason), this.stackDir);
  }

  /** The state lock's refusal, or the phase's own failure. */
  private failed(phase: EnginePhase, r: ProcessResult, message: string): EngineFailure {
    return this.lockRefusal(r, phase === "state" ? "state push" : phase) ?? new EngineRunError(phase, r, message);
  }

  private applyFailed(r: ProcessResult, what: string, retry: string): EngineRunError {
    if (r.startError !== undefined) return new EngineRunError("apply", r, `${this.kind} ${what} ${describeExit(r)}; nothing was applied.`);
    return new EngineRunError("apply", r, `${this.kind} ${what} failed (${describeExit(r)}); the failing step's message is above. ${frozenZonesAdvice(retry)}`);
  }

  private streamed(args: readonly string[]): Promise<ProcessResult> {
    return runProcess(this.engine.binary, args, { cwd: this.stackDir, env: this.env, onLine: this.log, onSpawn: this.props.onSpawn });
  }

  private quiet(args: readonly string[]): Promise<ProcessResult> {
    return runProcess(this.engine.binary, args, { cwd: this.stackDir, env: this.env });
  }
}
