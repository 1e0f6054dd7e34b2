/**
 * How long a run will take, walked over its stage graph: a stage lasts as long as its slowest step
 * (its steps run in parallel), and stages follow each other. A step whose effect is already applied
 * (in the state, or a no-op in the reviewed plan) takes no time. From the same walk: the freeze
 * window (first freeze's start → last unfreeze's end) and each zone's downtime (stop's start →
 * start's end). Terraform may start a step before its whole stage is done, so this errs long. Pure.
 */
import type { StepDuration, StepDurationEstimator } from "./step-durations";

/** One step resource of the plan, by stage. */
export interface PlannedStepRef {
  readonly step: string;
  readonly zone: number;
  readonly zoneName: string;
  /** Its effect is already applied: it will not run. @default false */
  readonly applied?: boolean;
}

export interface StepEstimate extends PlannedStepRef {
  readonly applied: boolean;
  /** Estimated duration: 0 when applied; undefined when the history has nothing for it. */
  readonly ms?: number;
  /** Where `ms` comes from (absent when applied or unknown). */
  readonly from?: StepDuration;
}

export interface StageEstimate {
  readonly steps: readonly StepEstimate[];
  /** The slowest known step (0 when every step is applied). */
  readonly ms: number;
  /** Steps that will run and that the history has nothing for: `ms` is then a lower bound. */
  readonly unknown: readonly StepEstimate[];
  /** Offset from the run's start, when every stage before it is fully known. */
  readonly startMs?: number;
}

/** A span of the run, as offsets from its start (ms). */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

export interface ZoneDowntime extends Span {
  readonly zone: number;
  readonly zoneName: string;
}

export interface RunEstimate {
  readonly stages: readonly StageEstimate[];
  /** The whole run; undefined when a step that will run has no history. */
  readonly totalMs?: number;
  /** Whether any step got an estimate from the history at all. */
  readonly fromHistory: boolean;
  /** First freeze's start to last unfreeze's end; undefined without freeze steps or when not known. */
  readonly freeze?: Span;
  /** Per zone with a stop and a start step whose times are known, in plan order. */
  readonly downtime: readonly ZoneDowntime[];
}

export function estimateRun(stages: readonly (readonly PlannedStepRef[])[], estimate: StepDurationEstimator): RunEstimate {
  let offset: number | undefined = 0;
  let fromHistory = false;
  const out: StageEstimate[] = [];
  for (const stage of stages) {
    const steps = stage.map((s): StepEstimate => {
      const applied = s.applied ?? false;
      if (applied) return { ...s, applied, ms: 0 };
      const from = estimate(s.step, s.zone);
      if (from) fromHistory = true;
      return from ? { ...s, applied, ms: from.ms, from } : { ...s, applied };
    });
    const unknown = steps.filter((s) => s.ms === undefined);
    const ms = Math.max(0, ...steps.map((s) => s.ms ?? 0));
    out.push({ steps, ms, unknown, ...(offset !== undefined ? { startMs: offset } : {}) });
    offset = offset !== undefined && unknown.length === 0 ? offset + ms : undefined;
  }
  return { stages: out, ...(offset !== undefined ? { totalMs: offset } : {}), fromHistory, ...freezeAndDowntime(out) };
}

/** Start and end offsets of a step, when its stage's start and its own duration are known. */
function spanOf(stage: StageEstimate, step: StepEstimate): Span | undefined {
  return stage.startMs !== undefined && step.ms !== undefined ? { startMs: stage.startMs, endMs: stage.startMs + step.ms } : undefined;
}

function freezeAndDowntime(stages: readonly StageEstimate[]): { freeze?: Span; downtime: ZoneDowntime[] } {
  const spans = (step: string) => stages.flatMap((stage) => stage.steps.filter((s) => s.step === step).map((s) => ({ s, span: spanOf(stage, s) })));
  const freezes = spans("freeze");
  const unfreezes = spans("unfreeze");
  let freeze: Span | undefined;
  if (freezes.length > 0 && unfreezes.length > 0 && [...freezes, ...unfreezes].every((x) => x.span)) {
    freeze = { startMs: Math.min(...freezes.map((x) => x.span!.startMs)), endMs: Math.max(...unfreezes.map((x) => x.span!.endMs)) };
  }
  const starts = new Map(spans("start").map((x) => [x.s.zone, x.span]));
  const downtime: ZoneDowntime[] = [];
  for (const { s, span } of spans("stop")) {
    const end = starts.get(s.zone);
    if (span && end) downtime.push({ zone: s.zone, zoneName: s.zoneName, startMs: span.startMs, endMs: end.endMs });
  }
  return { ...(freeze ? { freeze } : {}), downtime };
}
