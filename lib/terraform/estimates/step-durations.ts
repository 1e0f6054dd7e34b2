/**
 * How long one step will take on one zone, from the duration history: the median of the recent
 * runs of the same step on the same zone, else of the same step on zones of the same shape (servers,
 * nodes, package manager, database backend). Pure: the history is read by the caller.
 */
import { HistoryLine, sameShape, ZoneShape } from "../../model/duration-history";

/** How many of the most recent measurements count: old runs stop weighing once the federation changed. */
export const RECENT_RUNS = 5;

/** Which measurements an estimate comes from. */
export type EstimateBasis = "zone" | "shape";

export interface StepDuration {
  /** The median of the measurements, in ms. */
  readonly ms: number;
  /** `zone`: this step on this zone; `shape`: this step on zones of the same shape. */
  readonly basis: EstimateBasis;
  /** How many measurements the median is of. */
  readonly runs: number;
}

/** Estimates a (step, zone); undefined when the history has nothing to go by. */
export type StepDurationEstimator = (step: string, zone: number) => StepDuration | undefined;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** The newest `n` lines (by their time; the file order breaks ties, the later line first). */
function newest(lines: readonly HistoryLine[], n: number): HistoryLine[] {
  return lines
    .map((l, i) => ({ l, i }))
    .sort((a, b) => (a.l.ts === b.l.ts ? b.i - a.i : a.l.ts < b.l.ts ? 1 : -1))
    .slice(0, n)
    .map(({ l }) => l);
}

/**
 * The estimator over a history. `shapes` are the planned federation's zones (by id): a zone of the
 * same id but another shape (the file changed) is matched by shape, not by id.
 */
export function stepDurationEstimator(history: readonly HistoryLine[], shapes: ReadonlyMap<number, ZoneShape>, recent = RECENT_RUNS): StepDurationEstimator {
  const byStep = new Map<string, HistoryLine[]>();
  for (const l of history) (byStep.get(l.step) ?? byStep.set(l.step, []).get(l.step)!).push(l);
  return (step, zone) => {
    const shape = shapes.get(zone);
    const lines = byStep.get(step) ?? [];
    if (!shape) return undefined;
    const sameZone = lines.filter((l) => l.zone === zone && sameShape(l.zone_shape, shape));
    if (sameZone.length > 0) return of(newest(sameZone, recent), "zone");
    const sameKind = lines.filter((l) => sameShape(l.zone_shape, shape));
    if (sameKind.length > 0) return of(newest(sameKind, recent), "shape");
    return undefined;
  };
}

function of(lines: readonly HistoryLine[], basis: EstimateBasis): StepDuration {
  return { ms: median(lines.map((l) => l.duration_ms)), basis, runs: lines.length };
}
