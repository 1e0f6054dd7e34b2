import { freezeWindowMs, parseRunTimeline, runCriticalPath, stageGraph, stepsSpanMs, UNAVOIDABLE_STEPS, zoneDowntimesMs } from "../../bench/run-timeline";

const RUN = "20261130T120000Z-ab12cd34";
const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + s * 1000).toISOString();
const ev = (s: number, event: string, step: string | null, zone: number | null, more: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, ts: at(s), event, run: RUN, step, zone, ...more });
const step = (step: string, zone: number, from: number, to: number, status = "done") => [
  ev(from, "step-start", step, zone, { zone_name: `Z${zone}`, hosts: [] }),
  ev(to, status === "fail" ? "step-fail" : "step-end", step, zone, { status, summary: "", duration_ms: (to - from) * 1000 }),
];

/** A 1+1 upgrade, times in seconds: freeze 1–2 (slave) and 2–3 (master), stop 3–4, upgrade master 4–10, … */
const EVENTS = [
  ev(0, "run-start", null, null, {
    command: "deploy",
    stages: [
      [{ step: "freeze", zone: 100 }],
      [{ step: "freeze", zone: 0 }],
      [
        { step: "stop", zone: 0 },
        { step: "stop", zone: 100 },
      ],
      [{ step: "upgrade", zone: 0 }],
      [
        { step: "start", zone: 0 },
        { step: "restore", zone: 100 },
      ],
      [{ step: "start", zone: 100 }],
      [{ step: "unfreeze", zone: 0 }],
      [{ step: "unfreeze", zone: 100 }],
    ],
  }),
  ...step("freeze", 100, 1, 2),
  ...step("freeze", 0, 2, 3),
  ...step("stop", 0, 3, 4),
  ...step("stop", 100, 3, 5),
  ...step("upgrade", 0, 5, 10),
  ev(6, "command-start", "upgrade", 0, { host: "127.0.0.1:22", command: "onedb upgrade -v" }),
  ev(9, "command-end", "upgrade", 0, { host: "127.0.0.1:22", command: "onedb upgrade -v", exit_code: 0, signal: null, duration_ms: 3000 }),
  ...step("start", 0, 10, 11),
  ...step("restore", 100, 10, 14),
  ...step("start", 100, 14, 15),
  ...step("unfreeze", 0, 15, 16),
  ...step("unfreeze", 100, 16, 17),
  ev(18, "run-end", null, null, { status: "done", duration_ms: 18000, exit_code: 0 }),
].join("\n");

describe("bench: a run's timeline from its events", () => {
  const t = parseRunTimeline(EVENTS + '\n{"v":1,"ts"'); // a last line still being written is ignored

  test("steps, commands and the run's bounds", () => {
    expect(t.steps.size).toBe(10);
    expect(t.stages).toHaveLength(8);
    expect(t.commands).toEqual([
      { step: "upgrade", zone: 0, host: "127.0.0.1:22", command: "onedb upgrade -v", start: Date.parse(at(6)), end: Date.parse(at(9)), exitCode: 0 },
    ]);
    expect(t.runEnd! - t.runStart).toBe(18000);
    expect(t.runStatus).toBe("done");
    expect(stepsSpanMs(t)).toBe(16000);
  });

  test("freeze window: the first freeze's start to the last unfreeze's end", () => {
    expect(freezeWindowMs(t)).toBe(16000);
  });

  test("downtime per zone: its stop's start to its start's end", () => {
    expect(zoneDowntimesMs(t)).toEqual(
      new Map([
        [0, 8000],
        [100, 12000],
      ]),
    );
  });

  test("critical path over the stages, and the unavoidable work alone", () => {
    const g = stageGraph(t);
    // freeze 1 + freeze 1 + stop 2 + upgrade 5 + restore 4 + start 1 + unfreeze 1 + unfreeze 1
    expect(runCriticalPath(t, g).ms).toBe(16000);
    // stop 2 + upgrade 5 + restore 4 + start 1
    expect(runCriticalPath(t, g, UNAVOIDABLE_STEPS).ms).toBe(12000);
  });

  test("no freeze steps (a type A upgrade): no freeze window", () => {
    const a = parseRunTimeline([ev(0, "run-start", null, null, { stages: [[{ step: "stop", zone: 0 }]] }), ...step("stop", 0, 1, 2)].join("\n"));
    expect(freezeWindowMs(a)).toBeUndefined();
  });

  test("a file without run-start is refused", () => {
    expect(() => parseRunTimeline(step("stop", 0, 1, 2).join("\n"))).toThrow(/run-start/);
  });
});
