/**
 * What the twin's run measured, read back from its events file (docs/events.md): each stage's
 * wall time (first step-start to last step-end of the steps that ran in it) with its steps' own
 * durations, and the first step that failed.
 */
import * as fs from "fs";
import type { PlannedStep, RunEvent } from "../../model/run-events";

/** One step's outcome in the twin. */
export interface StepDuration {
  readonly step: string;
  readonly zone: number;
  readonly zoneName: string;
  /** `done`, `already-done` (nothing to do), `failed`, or `not-run` (the run stopped first). */
  readonly status: "done" | "already-done" | "failed" | "not-run";
  /** The step's own duration; absent when it did not run. */
  readonly durationMs?: number;
}

/** One stage of the plan as the twin ran it. */
export interface StageDuration {
  /** 1-based, as the review numbers stages. */
  readonly stage: number;
  readonly steps: readonly StepDuration[];
  /** Wall time from its first step's start to its last step's end; absent when none of its steps ran. */
  readonly durationMs?: number;
}

/** A step that failed on the twin. */
export interface StepFailure {
  readonly step: string;
  readonly zone: number;
  readonly zoneName: string;
  /** The step's error paragraph (redacted by the step process). */
  readonly message: string;
}

/** The measurements of one twin run. */
export interface RunMeasurements {
  readonly stages: readonly StageDuration[];
  /** The first step-fail, in time order; absent when no step failed. */
  readonly failure?: StepFailure;
  /** The run-end message when the run failed outside any step. */
  readonly runMessage?: string;
}

/** Parses a JSON-lines events file; lines that are not whole JSON objects (a cut last line) are skipped. */
export function readEvents(file: string): RunEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return line.trim() === "" ? [] : [JSON.parse(line) as RunEvent];
      } catch {
        return [];
      }
    });
}

const key = (step: string | null, zone: number | null): string => `${step}@${zone}`;

/** Stage durations and the failure from a run's events (the last run-start in the file). */
export function measureRun(events: readonly RunEvent[]): RunMeasurements {
  const startAt = events.map((e) => e.event).lastIndexOf("run-start");
  const run = startAt < 0 ? [] : events.slice(startAt);
  const planned: readonly (readonly PlannedStep[])[] = run[0]?.event === "run-start" ? run[0].stages : [];
  const started = new Map<string, number>();
  const ended = new Map<string, { at: number; status: StepDuration["status"]; durationMs: number }>();
  let failure: StepFailure | undefined;
  const names = new Map<string, string>();
  let runMessage: string | undefined;
  for (const e of run) {
    const at = Date.parse(e.ts);
    if (e.event === "step-start") {
      started.set(key(e.step, e.zone), at);
      names.set(key(e.step, e.zone), e.zone_name);
    } else if (e.event === "step-end") ended.set(key(e.step, e.zone), { at, status: e.status, durationMs: e.duration_ms });
    else if (e.event === "step-fail") {
      ended.set(key(e.step, e.zone), { at, status: "failed", durationMs: e.duration_ms });
      failure ??= { step: e.step ?? "", zone: e.zone ?? -1, zoneName: names.get(key(e.step, e.zone)) ?? "", message: e.message };
    } else if (e.event === "run-end" && e.status !== "done") runMessage = e.message;
  }
  const stages = planned.map((stage, i): StageDuration => {
    const steps = stage.map((p): StepDuration => {
      const end = ended.get(key(p.step, p.zone));
      return { step: p.step, zone: p.zone, zoneName: p.zone_name, status: end?.status ?? "not-run", ...(end ? { durationMs: end.durationMs } : {}) };
    });
    const starts = stage.map((p) => started.get(key(p.step, p.zone))).filter((t): t is number => t !== undefined);
    const ends = stage.map((p) => ended.get(key(p.step, p.zone))?.at).filter((t): t is number => t !== undefined);
    const durationMs = starts.length > 0 && ends.length > 0 ? Math.max(...ends) - Math.min(...starts) : undefined;
    return { stage: i + 1, steps, ...(durationMs !== undefined ? { durationMs } : {}) };
  });
  return { stages, ...(failure ? { failure } : {}), ...(runMessage !== undefined ? { runMessage } : {}) };
}

/** "1m02s", "850 ms": how the report shows a duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The report's table: one line per stage, its wall time and its steps (step zone: duration). */
export function renderStageTable(stages: readonly StageDuration[]): string[] {
  return stages.map((s) => {
    const steps = s.steps
      .map(
        (p) =>
          `${p.step} ${p.zone}${p.status === "done" ? ` ${formatDuration(p.durationMs!)}` : p.status === "failed" ? " FAILED" : p.status === "already-done" ? " (already done)" : " (not run)"}`,
      )
      .join(", ");
    return `  stage ${String(s.stage).padStart(2)}  ${(s.durationMs !== undefined ? formatDuration(s.durationMs) : "-").padStart(8)}  ${steps}`;
  });
}
