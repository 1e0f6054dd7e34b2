/**
 * A run's progress as its events tell it: which stage it is in, which steps are done, running or
 * failed, which zones are frozen or stopped right now. Pure: the progress view folds the events
 * file into it and renders it; a test feeds it events.
 */
import { PlannedStep, RunEvent } from "../../model/run-events";

export type StepState = "running" | "done" | "failed";

/** One step on one zone that has started in this run. */
export interface StepProgress {
  readonly step: string;
  readonly zone: number;
  readonly zoneName: string;
  state: StepState;
  /** Epoch ms. */
  readonly startedAt: number;
  endedAt?: number;
  /** The command it runs now (host and line), while one runs. */
  command?: { readonly host: string; readonly line: string; readonly since: number };
  /** The failure paragraph, when it failed. */
  message?: string;
}

export interface RunProgress {
  command?: string;
  federation?: string;
  fromVersion?: string;
  toVersion?: string;
  runId?: string;
  /** Epoch ms of run-start. */
  startedAt?: number;
  stages: readonly (readonly PlannedStep[])[];
  /** By `step/zone`, in the order they started. */
  readonly steps: Map<string, StepProgress>;
  /** Zones whose freeze is done and whose unfreeze is not (zone id → since, epoch ms). */
  readonly frozen: Map<number, number>;
  /** Zones whose stop is done and whose start is not. */
  readonly stopped: Map<number, number>;
  readonly zoneNames: Map<number, string>;
  /** Set by run-end. */
  ended?: { readonly status: string; readonly at: number; readonly message?: string };
}

export function emptyProgress(): RunProgress {
  return { stages: [], steps: new Map(), frozen: new Map(), stopped: new Map(), zoneNames: new Map() };
}

const key = (step: string | null, zone: number | null): string => `${step}/${zone}`;

/** Folds one event into the progress (in place; returns it). Unknown events are ignored. */
export function applyEvent(p: RunProgress, e: RunEvent): RunProgress {
  const at = Date.parse(e.ts);
  switch (e.event) {
    case "run-start":
      Object.assign(p, { command: e.command, federation: e.federation, fromVersion: e.from_version, toVersion: e.to_version, runId: e.run, startedAt: at });
      p.stages = e.stages ?? [];
      for (const s of p.stages.flat()) p.zoneNames.set(s.zone, s.zone_name);
      break;
    case "step-start":
      p.zoneNames.set(e.zone!, e.zone_name);
      p.steps.set(key(e.step, e.zone), { step: e.step!, zone: e.zone!, zoneName: e.zone_name, state: "running", startedAt: at });
      break;
    case "command-start": {
      const s = p.steps.get(key(e.step, e.zone));
      if (s) s.command = { host: e.host, line: e.command, since: at };
      break;
    }
    case "command-end": {
      const s = p.steps.get(key(e.step, e.zone));
      if (s?.command?.line === e.command && s.command.host === e.host) s.command = undefined;
      break;
    }
    case "step-end":
    case "step-fail": {
      const s = p.steps.get(key(e.step, e.zone));
      if (s) {
        s.state = e.event === "step-end" ? "done" : "failed";
        s.endedAt = at;
        s.command = undefined;
        if (e.event === "step-fail") s.message = e.message;
      }
      if (e.event === "step-end") zoneStateAfter(p, e.step!, e.zone!, at);
      break;
    }
    case "run-end":
      p.ended = { status: e.status, at, ...(e.message !== undefined ? { message: e.message } : {}) };
      break;
  }
  return p;
}

/** What a finished step changes in a zone's state: freeze/unfreeze, stop/start. */
function zoneStateAfter(p: RunProgress, step: string, zone: number, at: number): void {
  if (step === "freeze" && !p.frozen.has(zone)) p.frozen.set(zone, at);
  if (step === "unfreeze") p.frozen.delete(zone);
  if (step === "stop" && !p.stopped.has(zone)) p.stopped.set(zone, at);
  if (step === "start") p.stopped.delete(zone);
}

/** Counts of the steps this run started, and of the plan's steps. */
export function stepCounts(p: RunProgress): { done: number; running: number; failed: number; planned: number } {
  let done = 0;
  let running = 0;
  let failed = 0;
  for (const s of p.steps.values()) {
    if (s.state === "done") done++;
    else if (s.state === "running") running++;
    else failed++;
  }
  return { done, running, failed, planned: p.stages.reduce((n, stage) => n + stage.length, 0) };
}

/**
 * The stage the run is in, 1-based: the latest stage any started step belongs to (a resumed run
 * skips the stages terraform's state already holds, so "the first unfinished" would never move).
 * 0 before any step started.
 */
export function currentStage(p: RunProgress): number {
  let stage = 0;
  p.stages.forEach((steps, i) => {
    if (steps.some((s) => p.steps.has(key(s.step, s.zone)))) stage = i + 1;
  });
  return stage;
}
