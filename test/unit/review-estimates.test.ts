/**
 * review.md's "Estimates" section and bundle.json's copy (docs/estimates.md): each stage's estimate
 * and where it comes from, the freeze window and each zone's downtime, "no history yet" without
 * history; and the progress view's ETA from the same estimates.
 */
import { HistoryLine, zoneShapeOf } from "../../lib/model/duration-history";
import { RunEvent } from "../../lib/model/run-events";
import { runEta } from "../../lib/terraform/console/run-eta";
import { renderFrame } from "../../lib/terraform/console/progress-frame";
import { applyEvent, emptyProgress } from "../../lib/terraform/console/run-progress";
import { HistoryEstimate, plannedStepsOf } from "../../lib/terraform/estimates/history-estimate";
import { estimateRun } from "../../lib/terraform/estimates/run-estimate";
import { stepDurationEstimator } from "../../lib/terraform/estimates/step-durations";
import { bundleEstimates, renderEstimates } from "../../lib/terraform/review/estimates-section";
import { parsePlanJson } from "../../lib/terraform/review/plan-json";
import { renderReview } from "../../lib/terraform/review/render-review";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";
import { IDENTITY, planTextFromSynth, READY_DRIFT, seedConfig, synthJson } from "../fixtures/review/seed-inputs";

/** Every step of the seed's graph measured once: `ms(step)` each, zone 101's upgrade twice as long. */
function seedHistory(ms: (step: string) => number): HistoryLine[] {
  const config = seedConfig();
  return buildStepGraph(synthJson()).nodes.map((n) => ({
    v: 1,
    ts: "2026-11-29T10:00:00.000Z",
    run: "r0",
    source: "deploy",
    step: n.step,
    zone: n.zoneId,
    zone_shape: zoneShapeOf(config.zones.find((z) => z.id === n.zoneId)!),
    duration_ms: ms(n.step) * (n.step === "upgrade" && n.zoneId === 101 ? 2 : 1),
  }));
}

function seedEstimate(history: HistoryLine[], applied: (id: string) => boolean = () => false): HistoryEstimate {
  const config = seedConfig();
  const graph = buildStepGraph(synthJson());
  const shapes = new Map(config.zones.map((z) => [z.id, zoneShapeOf(z)]));
  const stages = plannedStepsOf(graph, (_a, id) => applied(id));
  return { ...estimateRun(stages, stepDurationEstimator(history, shapes)), historyFile: "artifacts/history.jsonl", historyLines: history.length };
}

const STEP_MS = (step: string) => (step === "upgrade" ? 60_000 : step === "restore" ? 30_000 : 2000);

describe("the review's Estimates section", () => {
  it("says there is no history yet", () => {
    expect(renderEstimates(undefined, Infinity)).toMatch(/^No history yet: no duration, freeze window or downtime can be estimated\./);
    expect(renderEstimates(seedEstimate([]), Infinity)).toMatch(/^No history yet \(`artifacts\/history\.jsonl` is empty or missing\)/);
  });

  it("gives every stage's estimate, the freeze window and each zone's downtime", () => {
    const e = seedEstimate(seedHistory(STEP_MS));
    const text = renderEstimates(e, Infinity);
    expect(text).toContain(`From the duration history \`artifacts/history.jsonl\` (${e.historyLines} measurements).`);
    expect(text).toMatch(
      /\*\*About \d+m\d\ds in all\.\*\* Federation frozen about \*\*\d+m\d\ds\*\* \(first freeze at \+\d+s, last unfreeze done at \+\d+m\d\ds\)\./,
    );
    // The upgrade stage lasts as long as zone 101's upgrade, the slowest.
    expect(text).toMatch(/\| \d+ \| 2m00s \| upgrade zone 101 \| same zone \(1 run\) \|/);
    for (const zone of ["0 M-EU-FR", "100 S-EU-GE", "101 S-US-CA"])
      expect(text).toMatch(new RegExp(`\\| ${zone} \\| \\d+m\\d\\ds \\| \\+\\d+s → \\+\\d+m\\d\\ds \\|`));
    expect(e.totalMs).toBe(e.stages.reduce((sum, s) => sum + s.ms, 0));
  });

  it("marks what the history lacks and a resumed plan's applied stages", () => {
    const history = seedHistory(STEP_MS).filter((l) => l.step !== "restore");
    const text = renderEstimates(
      seedEstimate(history, (id) => /preflight|download/.test(id)),
      Infinity,
    );
    expect(text).toMatch(/\*\*Total unknown:\*\* `restore` zone 100, `restore` zone 101 have no history\./);
    expect(text).toMatch(/\| 1 \| 0s \(applied\) \|  \| already applied \|/);
    // The master starts while the slaves restore: the stage lasts at least as long as its known step.
    expect(text).toMatch(/\| ≥ 2s \| start zone 0 \| same zone \(1 run\); no history: restore zone 100, restore zone 101 \|/);
  });

  it("falls back on zones of the same shape, and says so", () => {
    const history = seedHistory(STEP_MS).filter((l) => !(l.step === "restore" && l.zone === 101));
    expect(renderEstimates(seedEstimate(history), Infinity)).toMatch(/\| 30s \| restore zone 100 \| same zone and same shape \(1 run\) \|/);
  });

  it("is in review.md between the stages and the changes, and in bundle.json's shape", () => {
    const e = seedEstimate(seedHistory(STEP_MS));
    const review = renderReview({
      config: seedConfig(),
      plan: parsePlanJson(planTextFromSynth()),
      graph: buildStepGraph(synthJson()),
      drift: { status: "report", report: READY_DRIFT },
      identity: IDENTITY,
      estimate: e,
    });
    expect(review.indexOf("## Stages")).toBeLessThan(review.indexOf("## Estimates"));
    expect(review.indexOf("## Estimates")).toBeLessThan(review.indexOf("## Changes against the current state"));
    const b = bundleEstimates(e);
    expect(b).toMatchObject({ historyFile: "artifacts/history.jsonl", totalMs: e.totalMs, freeze: e.freeze });
    expect(b.stages[0].steps[0]).toEqual({ step: "preflight", zone: 0, applied: false, ms: 2000, basis: "zone", runs: 1 });
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });
});

describe("the progress view's ETA", () => {
  const T0 = Date.parse("2026-11-30T12:40:00.000Z");
  const ev = (s: number, e: Record<string, unknown>) =>
    ({ v: 1, ts: new Date(T0 + s * 1000).toISOString(), run: "r1", step: null, zone: null, ...e }) as unknown as RunEvent;
  const start = (estimates: boolean) =>
    ev(0, {
      event: "run-start",
      command: "deploy",
      federation: "prod",
      from_version: "6.10.0",
      to_version: "7.0.0",
      run_dir: "/r",
      stages: [
        [{ step: "preflight", zone: 0, zone_name: "M", ...(estimates ? { estimated_ms: 0 } : {}) }],
        [
          { step: "upgrade", zone: 0, zone_name: "M", ...(estimates ? { estimated_ms: 60_000 } : {}) },
          { step: "upgrade", zone: 100, zone_name: "S", ...(estimates ? { estimated_ms: 40_000 } : {}) },
        ],
        [{ step: "verify", zone: 0, zone_name: "M", ...(estimates ? { estimated_ms: 10_000 } : {}) }],
      ],
    });

  it("counts down: a running step's estimate less its elapsed time, then the stages after it", () => {
    const p = [
      start(true),
      ev(1, { event: "step-start", step: "upgrade", zone: 0, zone_name: "M", hosts: [] }),
      ev(1, { event: "step-start", step: "upgrade", zone: 100, zone_name: "S", hosts: [] }),
    ].reduce(applyEvent, emptyProgress());
    // 21 s into the upgrades: zone 0 has 40 s left, zone 100 20 s; then verify's 10 s.
    expect(runEta(p, T0 + 21_000)).toEqual({ known: true, remainingMs: 50_000 });
    applyEvent(p, ev(45, { event: "step-end", step: "upgrade", zone: 100, status: "done", summary: "", duration_ms: 44_000 }));
    // Overdue steps count as about to end.
    expect(runEta(p, T0 + 90_000)).toEqual({ known: true, remainingMs: 10_000 });
    expect(renderFrame({ progress: p, now: T0 + 21_000, since: T0, width: 200 })[0]).toBe(
      "onefed deploy · prod 6.10.0 → 7.0.0 · run r1 · 21s · ETA 2026-11-30T12:41:11Z (50s left, ~1m11s in all)",
    );
  });

  it("is unknown without history", () => {
    const p = applyEvent(emptyProgress(), start(false));
    expect(runEta(p, T0)).toEqual({ known: false, reason: "no history yet" });
    expect(renderFrame({ progress: p, now: T0, since: T0, width: 200 })[0]).toMatch(/ · ETA unknown \(no history yet\)$/);
  });
});
