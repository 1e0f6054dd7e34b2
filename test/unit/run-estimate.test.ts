/**
 * The estimate math (docs/estimates.md): a step's estimate is the median of its recent runs on the
 * same zone, else on zones of the same shape; a stage lasts as long as its slowest step, applied
 * steps take nothing; the freeze window runs from the first freeze's start to the last unfreeze's
 * end, a zone's downtime from its stop's start to its start's end.
 */
import { HistoryLine, ZoneShape } from "../../lib/model/duration-history";
import { estimateRun, PlannedStepRef } from "../../lib/terraform/estimates/run-estimate";
import { median, stepDurationEstimator } from "../../lib/terraform/estimates/step-durations";

const SINGLE: ZoneShape = { servers: 1, nodes: 0, package_manager: "apt", db_backend: "sqlite" };
const HA: ZoneShape = { servers: 3, nodes: 0, package_manager: "apt", db_backend: "mysql" };

let n = 0;
const line = (
  step: string,
  zone: number,
  ms: number,
  shape: ZoneShape = SINGLE,
  ts = `2026-11-${String(10 + (n++ % 20)).padStart(2, "0")}T00:00:00.000Z`,
): HistoryLine => ({
  v: 1,
  ts,
  run: `r${n}`,
  source: "deploy",
  step,
  zone,
  zone_shape: shape,
  duration_ms: ms,
});

describe("stepDurationEstimator", () => {
  it("takes the median, of odd and even counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it.each([
    ["the same step on the same zone first", "upgrade", 0, { ms: 20_000, basis: "zone", runs: 3 }],
    ["else the same step on a zone of the same shape", "upgrade", 100, { ms: 20_000, basis: "zone", runs: 1 }],
    ["a zone with no run of its own but the same shape as others", "upgrade", 102, { ms: 20_000, basis: "shape", runs: 5 }],
    ["nothing for a shape never seen", "upgrade", 101, undefined],
    ["nothing for a step never seen", "restore", 0, undefined],
    ["nothing for a zone the federation does not have", "upgrade", 999, undefined],
  ])("%s", (_what, step, zone, expected) => {
    const history = [
      line("upgrade", 0, 10_000),
      line("upgrade", 0, 20_000),
      line("upgrade", 0, 30_000),
      line("upgrade", 100, 20_000),
      // Zone 101 was single once; now HA: its own old run does not count.
      line("upgrade", 101, 1_000, SINGLE),
      line("stop", 101, 9_000, HA),
    ];
    const shapes = new Map([
      [0, SINGLE],
      [100, SINGLE],
      [101, HA],
      [102, SINGLE],
    ]);
    expect(stepDurationEstimator(history, shapes)(step, zone)).toEqual(expected);
  });

  it("counts only the most recent runs", () => {
    const old = [1, 2, 3].map((d) => line("stop", 0, 100_000, SINGLE, `2026-01-0${d}T00:00:00.000Z`));
    const recent = [1, 2, 3, 4, 5].map((d) => line("stop", 0, d * 1000, SINGLE, `2026-11-0${d}T00:00:00.000Z`));
    expect(stepDurationEstimator([...recent, ...old], new Map([[0, SINGLE]]))("stop", 0)).toEqual({ ms: 3000, basis: "zone", runs: 5 });
  });
});

describe("estimateRun", () => {
  const step = (s: string, zone: number, applied = false): PlannedStepRef => ({ step: s, zone, zoneName: `Z${zone}`, applied });
  const DURATIONS: Record<string, number> = {
    "preflight/0": 4000,
    "freeze/0": 1000,
    "freeze/100": 3000,
    "stop/0": 2000,
    "stop/100": 5000,
    "upgrade/0": 60_000,
    "restore/100": 20_000,
    "start/0": 7000,
    "start/100": 6000,
    "unfreeze/0": 1000,
    "unfreeze/100": 2000,
    "verify/0": 3000,
  };
  const estimator = (s: string, z: number) =>
    DURATIONS[`${s}/${z}`] !== undefined ? { ms: DURATIONS[`${s}/${z}`], basis: "zone" as const, runs: 1 } : undefined;
  const STAGES = [
    [step("preflight", 0)],
    [step("freeze", 0), step("freeze", 100)],
    [step("stop", 0), step("stop", 100)],
    [step("upgrade", 0)],
    [step("restore", 100), step("start", 0)],
    [step("start", 100)],
    [step("unfreeze", 0), step("unfreeze", 100)],
    [step("verify", 0)],
  ];

  it("gives each stage its slowest step, in sequence", () => {
    const e = estimateRun(STAGES, estimator);
    expect(e.stages.map((s) => s.ms)).toEqual([4000, 3000, 5000, 60_000, 20_000, 6000, 2000, 3000]);
    expect(e.stages.map((s) => s.startMs)).toEqual([0, 4000, 7000, 12_000, 72_000, 92_000, 98_000, 100_000]);
    expect(e.totalMs).toBe(103_000);
    expect(e.fromHistory).toBe(true);
  });

  it("spans the freeze window from the first freeze's start to the last unfreeze's end", () => {
    expect(estimateRun(STAGES, estimator).freeze).toEqual({ startMs: 4000, endMs: 100_000 });
  });

  it("gives each zone's downtime from its stop's start to its start's end", () => {
    expect(estimateRun(STAGES, estimator).downtime).toEqual([
      { zone: 0, zoneName: "Z0", startMs: 7000, endMs: 79_000 },
      { zone: 100, zoneName: "Z100", startMs: 7000, endMs: 98_000 },
    ]);
  });

  it("counts applied steps as nothing (a resumed run)", () => {
    const resumed = STAGES.map((stage, i) => stage.map((s) => ({ ...s, applied: i < 4 })));
    const e = estimateRun(resumed, estimator);
    expect(e.stages.slice(0, 4).map((s) => s.ms)).toEqual([0, 0, 0, 0]);
    expect(e.totalMs).toBe(31_000);
    // Frozen and stopped already when the run starts: from its start.
    expect(e.freeze).toEqual({ startMs: 0, endMs: 28_000 });
    expect(e.downtime.map((d) => [d.zone, d.startMs, d.endMs])).toEqual([
      [0, 0, 7000],
      [100, 0, 26_000],
    ]);
  });

  it("leaves the total, and whatever follows a step without history, unknown", () => {
    const e = estimateRun(STAGES, (s, z) => (s === "restore" ? undefined : estimator(s, z)));
    expect(e.totalMs).toBeUndefined();
    expect(e.stages[4]).toMatchObject({ ms: 7000, startMs: 72_000, unknown: [expect.objectContaining({ step: "restore", zone: 100 })] });
    expect(e.stages[5].startMs).toBeUndefined();
    expect(e.freeze).toBeUndefined();
    // Zone 0's start shares the stage with the unknown restore: its own times are known; zone 100's are not.
    expect(e.downtime.map((d) => d.zone)).toEqual([0]);
  });

  it("says nothing came from history when nothing did", () => {
    const e = estimateRun(STAGES, () => undefined);
    expect({ fromHistory: e.fromHistory, total: e.totalMs, freeze: e.freeze }).toEqual({ fromHistory: false, total: undefined, freeze: undefined });
  });
});
