/**
 * The review's "Estimates" section and the bundle's machine-readable copy: each stage's estimated
 * duration, the freeze window and each zone's downtime, from the duration history
 * (docs/estimates.md), or "no history yet". Pure.
 */
import type { HistoryEstimate } from "../estimates/history-estimate";
import type { StageEstimate, StepEstimate } from "../estimates/run-estimate";
import { formatElapsed } from "../../run/observe/time-format";
import { cell, cellCode, code, table } from "./markdown";

/** The estimates as bundle.json records them (offsets from the run's start, ms). */
export interface BundleEstimates {
  /** The history file read. */
  readonly historyFile: string;
  /** Its well-formed lines; 0: no history yet. */
  readonly historyLines: number;
  /** The whole run; absent when a step that runs has no history. */
  readonly totalMs?: number;
  readonly stages: readonly {
    readonly ms: number;
    readonly startMs?: number;
    readonly steps: readonly {
      readonly step: string;
      readonly zone: number;
      readonly applied: boolean;
      readonly ms?: number;
      readonly basis?: string;
      readonly runs?: number;
    }[];
  }[];
  readonly freeze?: { readonly startMs: number; readonly endMs: number };
  readonly downtime: readonly { readonly zone: number; readonly zoneName: string; readonly startMs: number; readonly endMs: number }[];
}

export function bundleEstimates(e: HistoryEstimate): BundleEstimates {
  return {
    historyFile: e.historyFile,
    historyLines: e.historyLines,
    ...(e.totalMs !== undefined ? { totalMs: e.totalMs } : {}),
    stages: e.stages.map((s) => ({
      ms: s.ms,
      ...(s.startMs !== undefined ? { startMs: s.startMs } : {}),
      steps: s.steps.map((x) => ({
        step: x.step,
        zone: x.zone,
        applied: x.applied,
        ...(x.ms !== undefined ? { ms: x.ms } : {}),
        ...(x.from ? { basis: x.from.basis, runs: x.from.runs } : {}),
      })),
    })),
    ...(e.freeze ? { freeze: e.freeze } : {}),
    downtime: e.downtime,
  };
}

const HOW =
  "Each step's estimate is the median of its most recent runs (up to 5) on the same zone, else on zones of the same shape " +
  "(front-ends, nodes, package manager, database backend). A stage lasts as long as its slowest step; steps already applied take no time. " +
  "Terraform starts a step as soon as the steps it waits for are done, so these times err long.";

/** The section's body (without its heading); `estimate` undefined or without lines: no history yet. */
export function renderEstimates(estimate: HistoryEstimate | undefined, maxRows: number): string {
  if (!estimate || estimate.historyLines === 0) {
    const where = estimate ? ` (${code(estimate.historyFile)} is empty or missing)` : "";
    return (
      `No history yet${where}: no duration, freeze window or downtime can be estimated. ` +
      "Every finished `onefed deploy` or `onefed apply` records how long its steps took; the next plan estimates from them."
    );
  }
  const parts = [`From the duration history ${code(estimate.historyFile)} (${estimate.historyLines} measurements). ${HOW}`];
  parts.push(headline(estimate));
  const rows = estimate.stages.map((s, i) => [String(i + 1), stageTime(s), cell(slowest(s)), cell(basisOf(s))]);
  parts.push(table(["stage", "estimate", "slowest step", "from"], rows, maxRows, "bundle.json"));
  if (estimate.downtime.length > 0) {
    const down = estimate.downtime.map((d) => [
      `${d.zone} ${cell(d.zoneName)}`,
      formatElapsed(d.endMs - d.startMs),
      `+${formatElapsed(d.startMs)} → +${formatElapsed(d.endMs)}`,
    ]);
    parts.push(table(["zone", "downtime (stop → start)", "from the run's start"], down, maxRows, "bundle.json"));
  }
  return parts.join("\n\n");
}

function headline(e: HistoryEstimate): string {
  const total =
    e.totalMs !== undefined
      ? `**About ${formatElapsed(e.totalMs)} in all.**`
      : `**Total unknown:** ${unknownSteps(e.stages)} ${e.stages.flatMap((s) => s.unknown).length === 1 ? "has" : "have"} no history.`;
  const freeze = e.freeze
    ? ` Federation frozen about **${formatElapsed(e.freeze.endMs - e.freeze.startMs)}** (first freeze at +${formatElapsed(e.freeze.startMs)}, last unfreeze done at +${formatElapsed(e.freeze.endMs)}).`
    : e.stages.some((s) => s.steps.some((x) => x.step === "freeze"))
      ? " Freeze window: unknown."
      : "";
  return total + freeze;
}

function stageTime(s: StageEstimate): string {
  if (s.steps.every((x) => x.applied)) return "0s (applied)";
  return s.unknown.length > 0 ? `≥ ${formatElapsed(s.ms)}` : formatElapsed(s.ms);
}

function slowest(s: StageEstimate): string {
  const known = s.steps.filter((x) => !x.applied && x.ms !== undefined).sort((a, b) => b.ms! - a.ms!);
  if (known.length === 0) return "";
  return `${known[0].step} zone ${known[0].zone}`;
}

function basisOf(s: StageEstimate): string {
  const running = s.steps.filter((x) => !x.applied);
  if (running.length === 0) return "already applied";
  const bases = new Set(running.filter((x) => x.from).map((x) => x.from!.basis));
  const runs = running.filter((x) => x.from).map((x) => x.from!.runs);
  const words = [...bases].map((b) => (b === "zone" ? "same zone" : "same shape")).join(" and ");
  const lo = Math.min(...runs);
  const hi = Math.max(...runs);
  const count = lo === hi ? `${lo} run${lo === 1 ? "" : "s"}` : `${lo}–${hi} runs`;
  const known = runs.length > 0 ? `${words} (${count})` : "";
  const missing = s.unknown.length > 0 ? `no history: ${describeSteps(s.unknown)}` : "";
  return [known, missing].filter(Boolean).join("; ");
}

function describeSteps(steps: readonly StepEstimate[]): string {
  return steps.map((x) => `${x.step} zone ${x.zone}`).join(", ");
}

function unknownSteps(stages: readonly StageEstimate[]): string {
  const all = stages.flatMap((s) => s.unknown);
  const shown = all.slice(0, 4).map((x) => cellCode(`${x.step}`) + ` zone ${x.zone}`);
  return shown.join(", ") + (all.length > 4 ? ` and ${all.length - 4} more` : "");
}
