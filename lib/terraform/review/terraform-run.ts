/**
 * The engine calls a reviewed plan needs, in the stack directory with our engine environment:
 * init, plan -out, show -json and apply <planfile>. Failures become one readable paragraph.
 */
import type { Engine } from "../engine";
import { engineEnv } from "../engine";
import { outputTail } from "../engine/errors";
import { runCommand } from "../engine/run-command";
import { spawnStreaming } from "../spawn-streaming";
import { EngineRunError, StalePlanError } from "./errors";

export interface EngineSession {
  readonly engine: Engine;
  /** Stack directory (cdktf.out/stacks/<stack>). */
  readonly stackDir: string;
  /** Federation file, passed to the runner's environment as deploy does. */
  readonly configPath: string;
  /** Receives terraform's output line by line. */
  readonly log: (line: string) => void;
}

/** terraform's own refusals of a plan made against another state (internal/backend/local). */
const STALE_PLAN = /Saved plan is stale|Saved plan does not match the given state/;

function env(s: EngineSession): NodeJS.ProcessEnv {
  return { ...engineEnv(s.engine), FEDERATION_CONFIG: s.configPath };
}

async function streamed(s: EngineSession, args: string[]): Promise<{ exitCode: number; output: string }> {
  return spawnStreaming(s.engine.binary, args, { cwd: s.stackDir, env: env(s), onLine: s.log });
}

export async function engineInit(s: EngineSession): Promise<void> {
  // -reconfigure: the backend comes from federation.yaml, never from a cached stack directory (see deploy.ts).
  const r = await streamed(s, ["init", "-input=false", "-no-color", "-reconfigure"]);
  if (r.exitCode !== 0) throw new EngineRunError("init", `${s.engine.kind} init failed in ${s.stackDir} (exit ${r.exitCode}); nothing was planned. Last lines:\n${outputTail(r.output)}`);
}

export async function enginePlan(s: EngineSession, planFile: string, parallelism: number): Promise<void> {
  const r = await streamed(s, ["plan", `-out=${planFile}`, "-input=false", "-no-color", `-parallelism=${parallelism}`]);
  if (r.exitCode !== 0) throw new EngineRunError("plan", `${s.engine.kind} plan failed in ${s.stackDir} (exit ${r.exitCode}); no plan was written. Last lines:\n${outputTail(r.output)}`);
}

/** `show -json <planfile>`: stdout only (warnings on stderr must not corrupt the JSON). */
export async function engineShowJson(s: EngineSession, planFile: string): Promise<string> {
  const r = await runCommand(s.engine.binary, ["show", "-json", "-no-color", planFile], { cwd: s.stackDir, env: env(s) });
  if (r.exitCode !== 0) throw new EngineRunError("show", `${s.engine.kind} show -json ${planFile} failed (exit ${r.exitCode}). Last lines:\n${outputTail(r.stderr || r.stdout)}`);
  return r.stdout;
}

/** Applies exactly the saved plan; terraform's stale-plan refusal becomes a StalePlanError. */
export async function engineApplyPlan(s: EngineSession, planFile: string, parallelism: number, planDir: string): Promise<string> {
  const r = await streamed(s, ["apply", "-input=false", "-no-color", `-parallelism=${parallelism}`, planFile]);
  if (r.exitCode === 0) return r.output;
  if (STALE_PLAN.test(r.output)) {
    throw new StalePlanError(planDir, [`${s.engine.kind} found that the state changed after the plan was made ("${STALE_PLAN.exec(r.output)![0]}") and applied nothing`]);
  }
  throw new EngineRunError(
    "apply",
    `${s.engine.kind} apply of the reviewed plan failed (exit ${r.exitCode}); the failing step's message is above. Zones may still be frozen (onezone disable). ` +
      "Fix the cause, then run `onefed plan` and `onefed apply --plan` again (or `onefed deploy`): finished steps will not run again and the failed one resumes.",
  );
}

/** For tests and messages: does this engine output say the saved plan no longer matches the state? */
export function isStalePlanOutput(output: string): boolean {
  return STALE_PLAN.test(output);
}
