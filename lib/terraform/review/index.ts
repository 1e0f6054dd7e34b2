/**
 * Plan review: `onefed plan` writes a bundle (plan file, plan JSON, review.md, graph pictures,
 * bundle.json) for a pull request; `onefed apply --plan` applies exactly that plan, or refuses.
 */
export { applyReviewedPlan, APPLIED_FILE, type ApplyPlanOptions, type ApplyPlanResult } from "./apply-plan";
export * from "./bundle";
export type { DriftOutcome } from "./drift-outcome";
export { EngineRunError, PlanBundleError, ReviewInputError, StalePlanError } from "./errors";
export { createPlanReview, DEFAULT_PLAN_DIR, type DriftCheckFn, type PlanReviewOptions, type PlanReviewResult } from "./make-plan";
export { renderMermaid } from "./mermaid";
export { checkMermaid } from "./mermaid-check";
export { parsePlanJson, type PlanModel } from "./plan-json";
export { renderReview, type PlanIdentity, type ReviewInput } from "./render-review";
export { buildStepGraph, type StepGraph, type StepNode } from "./step-graph";
export { renderSvg } from "./svg";
