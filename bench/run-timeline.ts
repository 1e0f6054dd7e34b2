/**
 * One run as its events file tells it (docs/events.md, format v1): when each step ran, every remote
 * command it sent, and the windows an operator cares about (the freeze, each zone's downtime).
 * Only the documented fields are read, so this keeps working whatever runs the steps.
 */
import { criticalPath, CriticalPath, PathNode } from "./critical-path";

/** `step@zone`, the key of one step resource. */
export type StepKey = string;
export const stepKey = (step: string, zone: number): StepKey => `${step}@${zone}`;

export interface StepSpan {
  readonly step: string;
  readonly zone: number;
  /** step-start and step-end/step-fail, epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly status: "done" | "already-done" | "failed" | "unfinished";
}

export interface CommandSpan {
  readonly step: string;
  readonly zone: number;
  /** host:port. */
  readonly host: string;
  /** As the events file holds it (redacted, cut at 1000 characters with "…"). */
  readonly command: string;
  readonly start: number;
  /** command-end's time; the start when it never ended. */
  readonly end: number;
  readonly exitCode: number | null;
}

export interface RunTimeline {
  readonly runStart: number;
  readonly runEnd?: number;
  readonly runStatus?: string;
  /** run-start's stages, as step keys. */
  readonly stages: readonly (readonly StepKey[])[];
  readonly steps: ReadonlyMap<StepKey, StepSpan>;
  readonly commands: readonly CommandSpan[];
}

interface RawEvent {
  ts: string;
  event: string;
  step: string | null;
  zone: number | null;
  stages?: { step: string; zone: number }[][];
  status?: string;
  host?: string;
  command?: string;
  exit_code?: number | null;
}

/** Parses an events file's text (JSON lines; a last line without its newline is ignored if it does not parse). */
export function parseRunTimeline(text: string): RunTimeline {
  const events: RawEvent[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      events.push(JSON.parse(line) as RawEvent);
    } catch {
      /* a line still being written */
    }
  }
  const start = events.find((e) => e.event === "run-start");
  if (!start) throw new Error("the events file has no run-start");
  const end = events.find((e) => e.event === "run-end");
  const steps = new Map<StepKey, StepSpan>();
  const open = new Map<string, { t: number; host: string; command: string; step: string; zone: number }[]>();
  const commands: CommandSpan[] = [];
  for (const e of events) {
    const t = Date.parse(e.ts);
    if (e.step === null || e.zone === null) continue;
    const key = stepKey(e.step, e.zone);
    if (e.event === "step-start") steps.set(key, { step: e.step, zone: e.zone, start: t, end: t, status: "unfinished" });
    else if (e.event === "step-end" || e.event === "step-fail") {
      const s = steps.get(key);
      if (s) steps.set(key, { ...s, end: t, status: e.event === "step-fail" ? "failed" : e.status === "already-done" ? "already-done" : "done" });
    } else if (e.event === "command-start") {
      const k = `${key} ${e.host} ${e.command}`;
      (open.get(k) ?? open.set(k, []).get(k)!).push({ t, host: e.host!, command: e.command!, step: e.step, zone: e.zone });
    } else if (e.event === "command-end") {
      const started = open.get(`${key} ${e.host} ${e.command}`)?.shift();
      if (started)
        commands.push({ step: e.step, zone: e.zone, host: started.host, command: started.command, start: started.t, end: t, exitCode: e.exit_code ?? null });
    }
  }
  for (const pending of open.values()) for (const c of pending) commands.push({ ...c, start: c.t, end: c.t, exitCode: null });
  commands.sort((a, b) => a.start - b.start);
  return {
    runStart: Date.parse(start.ts),
    runEnd: end ? Date.parse(end.ts) : undefined,
    runStatus: end?.status,
    stages: (start.stages ?? []).map((s) => s.map((n) => stepKey(n.step, n.zone))),
    steps,
    commands,
  };
}

/** Milliseconds a step took from its step-start to its end (0 for a step that did not run). */
export const spanMs = (t: RunTimeline, key: StepKey): number => {
  const s = t.steps.get(key);
  return s ? s.end - s.start : 0;
};

/** First and last step event: how long the steps took, from the first start to the last end. */
export function stepsSpanMs(t: RunTimeline): number {
  const spans = [...t.steps.values()];
  if (spans.length === 0) return 0;
  return Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
}

/** The work of the freeze window that no runner can avoid: the database and package work of a type B upgrade. */
export const UNAVOIDABLE_STEPS: readonly string[] = ["stop", "upgrade", "backup", "restore", "start"];

/** Critical path of the run's steps over `graph` (step keys and their predecessors), weighted by each step's duration; `only` keeps the weight of those steps alone. */
export function runCriticalPath(t: RunTimeline, graph: ReadonlyMap<StepKey, readonly StepKey[]>, only?: readonly string[]): CriticalPath {
  const nodes: PathNode[] = [...graph].map(([id, after]) => {
    const s = t.steps.get(id);
    const weighs = s !== undefined && (only === undefined || only.includes(s.step));
    return { id, ms: weighs ? s.end - s.start : 0, after };
  });
  return criticalPath(nodes);
}

/** The graph of run-start's stages: every step waits for the whole stage before it (a bound when the stack's edges are not at hand). */
export function stageGraph(t: RunTimeline): Map<StepKey, StepKey[]> {
  return new Map(t.stages.flatMap((stage, i) => stage.map((id): [StepKey, StepKey[]] => [id, i === 0 ? [] : [...t.stages[i - 1]]])));
}

/** First freeze's start to the last unfreeze's end: how long the federation refused writes; undefined without a freeze. */
export function freezeWindowMs(t: RunTimeline): number | undefined {
  const spans = [...t.steps.values()];
  const freezes = spans.filter((s) => s.step === "freeze");
  const unfreezes = spans.filter((s) => s.step === "unfreeze");
  if (freezes.length === 0 || unfreezes.length === 0) return undefined;
  return Math.max(...unfreezes.map((s) => s.end)) - Math.min(...freezes.map((s) => s.start));
}

/** Per zone: its stop's start to its start's end (oned down). */
export function zoneDowntimesMs(t: RunTimeline): Map<number, number> {
  const out = new Map<number, number>();
  for (const stop of t.steps.values()) {
    if (stop.step !== "stop") continue;
    const start = t.steps.get(stepKey("start", stop.zone));
    if (start) out.set(stop.zone, start.end - stop.start);
  }
  return out;
}
