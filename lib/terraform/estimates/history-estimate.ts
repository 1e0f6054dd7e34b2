/**
 * The estimate of a planned run from the federation's duration history: what `onefed plan`'s
 * review shows, what the window check judges and what the progress view counts down from.
 */
import { zoneShapeOf } from "../../model/duration-history";
import type { FederationConfig } from "../../model/federation";
import type { StepGraph } from "../review/step-graph";
import { historyFilePath, readHistory } from "./duration-history";
import { estimateRun, PlannedStepRef, RunEstimate } from "./run-estimate";
import { stepDurationEstimator } from "./step-durations";
import { formatElapsed } from "../../run/observe/time-format";

export interface HistoryEstimate extends RunEstimate {
  /** The history file read. */
  readonly historyFile: string;
  /** Its well-formed lines (0: no history yet). */
  readonly historyLines: number;
}

/** Estimates `stages` for `config`'s zones from the history ($ONEFED_HISTORY_FILE or backup.localDirectory's). */
export function estimateFromHistory(
  config: FederationConfig,
  stages: readonly (readonly PlannedStepRef[])[],
  env: NodeJS.ProcessEnv = process.env,
): HistoryEstimate {
  const historyFile = historyFilePath(config, env);
  const history = readHistory(historyFile);
  const shapes = new Map(config.zones.map((z) => [z.id, zoneShapeOf(z)]));
  return { ...estimateRun(stages, stepDurationEstimator(history, shapes)), historyFile, historyLines: history.length };
}

/** The graph's stages as the estimate walks them; `applied(address)` says which steps will not run. */
export function plannedStepsOf(graph: StepGraph, applied: (address: string, resource: string) => boolean): PlannedStepRef[][] {
  return graph.stages.map((stage) => stage.map((n) => ({ step: n.step, zone: n.zoneId, zoneName: n.zoneName, applied: applied(n.address, n.resource) })));
}

/** Why a run has no total estimate, for messages: "no history yet", or the steps the history lacks. */
export function whyNoEstimate(e: HistoryEstimate): string {
  if (e.historyLines === 0) return `no history yet in ${e.historyFile}`;
  const unknown = e.stages.flatMap((s) => s.unknown).map((s) => `${s.step} on zone ${s.zone}`);
  const shown = unknown.slice(0, 5).join(", ") + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : "");
  return `the history has nothing for ${shown}`;
}

/** One line for the run's log: the total, the freeze window and the longest downtime, or why there is no estimate. */
export function describeEstimate(e: HistoryEstimate): string {
  if (e.totalMs === undefined) return `unknown (${whyNoEstimate(e)})`;
  const parts = [`about ${formatElapsed(e.totalMs)} in all, from ${e.historyFile}`];
  if (e.freeze) parts.push(`federation frozen about ${formatElapsed(e.freeze.endMs - e.freeze.startMs)}`);
  const longest = [...e.downtime].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0];
  if (longest) parts.push(`longest downtime zone ${longest.zone} (${longest.zoneName}) about ${formatElapsed(longest.endMs - longest.startMs)}`);
  return parts.join("; ");
}
