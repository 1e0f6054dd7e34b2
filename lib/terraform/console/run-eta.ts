/**
 * The progress view's ETA: what is left of the run's estimate (run-start's `estimated_ms` per
 * planned step, from the duration history) walked over the stages as the estimate was (a stage
 * lasts as long as its slowest step): done steps take nothing more, a running step what is left
 * of its estimate, a step not started its whole estimate. Pure.
 */
import { currentStage, RunProgress } from "./run-progress";

export type Eta =
  /** `remainingMs` from now; the run's estimated whole length is elapsed + remaining. */
  | { readonly known: true; readonly remainingMs: number }
  /** Why not: no step has an estimate (no history yet), or some step has none. */
  | { readonly known: false; readonly reason: string };

export function runEta(p: RunProgress, now: number): Eta {
  const planned = p.stages.flat();
  if (planned.length === 0 || planned.every((s) => s.estimated_ms === undefined)) return { known: false, reason: "no history yet" };
  // Stages before the current one that still have unstarted steps were skipped by terraform (already applied).
  const current = Math.max(1, currentStage(p));
  let remainingMs = 0;
  for (const [i, stage] of p.stages.entries()) {
    if (i + 1 < current) continue;
    let slowest = 0;
    for (const s of stage) {
      const progress = p.steps.get(`${s.step}/${s.zone}`);
      if (progress && progress.state !== "running") continue;
      if (s.estimated_ms === undefined) return { known: false, reason: `no history for ${s.step} on zone ${s.zone}` };
      slowest = Math.max(slowest, progress ? Math.max(0, s.estimated_ms - (now - progress.startedAt)) : s.estimated_ms);
    }
    remainingMs += slowest;
  }
  return { known: true, remainingMs };
}
