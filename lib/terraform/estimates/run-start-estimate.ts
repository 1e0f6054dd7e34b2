/**
 * The estimate a deploy or an apply of a reviewed plan starts with (run-start, the window check,
 * the progress view's ETA): the stack's stages less the steps that will not run. Read locally (the
 * state through the engine, the plan from its JSON), before any SSH command, so that the window
 * check can refuse before anything touches a zone.
 */
import * as fs from "fs";
import * as path from "path";
import type { FederationConfig } from "../../model/federation";
import type { EngineSession } from "../engine-session";
import { buildStepGraph } from "../review/step-graph";
import { parsePlanJson } from "../review/plan-json";
import { historyFilePath, readHistory } from "./duration-history";
import { estimateFromHistory, HistoryEstimate, plannedStepsOf } from "./history-estimate";

/**
 * A deploy's: the steps terraform's state already holds do not run. Undefined when there is nothing
 * to estimate with and nothing to check (no history, no window): the state is not read then.
 */
export async function deployEstimate(config: FederationConfig, session: EngineSession, stackDir: string): Promise<HistoryEstimate | undefined> {
  if (!config.window && readHistory(historyFilePath(config)).length === 0) return undefined;
  const graph = buildStepGraph(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")));
  const inState = new Set((await session.stateSteps()).map((s) => s.address));
  return estimateFromHistory(
    config,
    plannedStepsOf(graph, (address) => inState.has(address)),
  );
}

/**
 * The estimate an apply of a reviewed plan starts with: the planned stack's stages, less the steps
 * the plan leaves as they are (no-op: already applied). Undefined without history and window.
 */
export function reviewedPlanEstimate(config: FederationConfig, stackDir: string, planJsonFile: string): HistoryEstimate | undefined {
  if (!config.window && readHistory(historyFilePath(config)).length === 0) return undefined;
  const graph = buildStepGraph(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")));
  const kinds = new Map(parsePlanJson(fs.readFileSync(planJsonFile, "utf8")).changes.map((c) => [c.address, c.kind]));
  return estimateFromHistory(
    config,
    plannedStepsOf(graph, (address) => kinds.get(address) === "no-op"),
  );
}
