/**
 * Durations, estimates and the maintenance window on the sandbox (docs/estimates.md): a first
 * deploy appends its steps' durations to the history; `onefed plan` for a second federation of
 * the same shape estimates every stage within 25 % of the first run's measured stages; a window
 * that closes before the estimated end (or is closed now) refuses the deploy with exit 7 before any
 * command reaches any front-end; `--ignore-window` runs anyway and run-start records it.
 * Loopback range 127.0.190.x–127.0.192.x.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify, parse } from "yaml";
import { runPlanCommand } from "../../lib/cli/plan-command";
import { loadConfig } from "../../lib/config/load-config";
import { HistoryLine } from "../../lib/model/duration-history";
import { HISTORY_FILE_ENV, HISTORY_SOURCE_ENV } from "../../lib/model/environment";
import { ExitCode } from "../../lib/model/exit-codes";
import { WEEKDAYS } from "../../lib/model/federation";
import { RunEndEvent, RunEvent, RunStartEvent } from "../../lib/model/run-events";
import { readEvents } from "../../lib/run/observe/event-writer";
import { deploy } from "../../lib/terraform/deploy";
import { readHistory } from "../../lib/terraform/estimates/duration-history";
import { readBundle } from "../../lib/terraform/review/bundle";
import { describeAsRoot, runOnefed, SandboxFixture, startOnefed } from "../support/sandbox-fixture";

jest.setTimeout(1_800_000);

/** Each stage's measured duration in a run: its slowest step that ran (step-end done), as the estimate models a stage. */
function measuredStages(events: readonly RunEvent[]): number[] {
  const start = events.find((e): e is RunStartEvent => e.event === "run-start")!;
  const took = new Map(events.flatMap((e) => (e.event === "step-end" && e.status === "done" ? [[`${e.step}/${e.zone}`, e.duration_ms] as const] : [])));
  return start.stages.map((stage) => Math.max(0, ...stage.map((s) => took.get(`${s.step}/${s.zone}`) ?? 0)));
}

/** "HH:MM" in UTC, `minutes` from now. */
function utcClock(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);
}

/** Writes `window` into the federation file (a copy of its text with the block added or replaced). */
function setWindow(configPath: string, window: unknown): void {
  const doc = parse(fs.readFileSync(configPath, "utf8")) as Record<string, unknown>;
  if (window === undefined) delete doc.window;
  else doc.window = window;
  fs.writeFileSync(configPath, stringify(doc));
}

describeAsRoot("durations, estimates and the maintenance window", () => {
  let first: SandboxFixture;
  let second: SandboxFixture;
  let firstEvents: RunEvent[] = [];
  let firstHistory = "";

  beforeAll(async () => {
    [first, second] = await Promise.all([SandboxFixture.up("127.0.190.1"), SandboxFixture.up("127.0.191.1")]);
    const output: string[] = [];
    const result = await deploy({ configPath: first.configPath, outdir: path.join(first.dir, "cdktf.out"), log: (l) => output.push(l) }).catch((err: Error) => {
      err.message += `\n--- output ---\n${output.join("\n")}`;
      throw err;
    });
    firstEvents = readEvents(result.run.eventsFile);
    firstHistory = path.join(loadConfig(first.configPath).backup.localDirectory, "history.jsonl");
  });
  afterAll(async () => {
    delete process.env[HISTORY_FILE_ENV];
    await Promise.all([first?.down(), second?.down()]);
  });

  it("appends one history line per step the first deploy ran, with its zone's shape", () => {
    const history = readHistory(firstHistory);
    const done = firstEvents.filter((e) => e.event === "step-end" && e.status === "done");
    expect(done.length).toBeGreaterThan(20);
    expect(history.map((l) => `${l.step}/${l.zone}/${l.duration_ms}`).sort()).toEqual(
      done.map((e) => `${e.step}/${e.zone}/${(e as { duration_ms: number }).duration_ms}`).sort(),
    );
    const runId = firstEvents[0].run;
    for (const l of history) {
      expect(l).toMatchObject({ v: 1, run: runId, source: "deploy", zone_shape: { servers: 1, nodes: 0, package_manager: "apt", db_backend: "sqlite" } });
    }
    // Each zone's database size comes from its safety backup.
    expect(history.filter((l) => l.step === "upgrade").every((l) => typeof l.db_size_bytes === "number" && l.db_size_bytes > 0)).toBe(true);
  });

  it("estimates each stage of a same-shaped federation's plan within 25 % of the first run's measured stages", async () => {
    const planDir = path.join(second.dir, "plan");
    process.env[HISTORY_FILE_ENV] = firstHistory;
    const lines: string[] = [];
    try {
      const code = await runPlanCommand(
        ["--config", second.configPath, "--out", planDir, "--cdktf-out", path.join(second.dir, "cdktf.out"), "--no-check"],
        (l) => lines.push(l),
      );
      expect({ code, tail: code === 0 ? "" : lines.slice(-30).join("\n") }).toEqual({ code: 0, tail: "" });
    } finally {
      delete process.env[HISTORY_FILE_ENV];
    }
    const estimates = readBundle(planDir).estimates!;
    const measured = measuredStages(firstEvents);
    expect(estimates.historyFile).toBe(firstHistory);
    expect(estimates.stages.map((s) => s.ms)).toHaveLength(measured.length);
    const off = estimates.stages
      .map((s, i) => ({ stage: i + 1, estimated: s.ms, measured: measured[i] }))
      .filter((x) => Math.abs(x.estimated - x.measured) > 0.25 * x.measured);
    expect(off).toEqual([]);
    expect(estimates.totalMs).toBe(estimates.stages.reduce((sum, s) => sum + s.ms, 0));
    expect(estimates.freeze!.endMs).toBeGreaterThan(estimates.freeze!.startMs);
    expect(estimates.downtime.map((d) => d.zone).sort()).toEqual([0, 100, 101]);
    const review = fs.readFileSync(path.join(planDir, "review.md"), "utf8");
    expect(review).toMatch(/## Estimates\n\nFrom the duration history `[^`]+history\.jsonl` \(\d+ measurements\)/);
    expect(review).toMatch(/\*\*About \S+ in all\.\*\* Federation frozen about \*\*\S+\*\*/);
  });

  it("refuses a deploy whose estimated end falls after the window closes, before any command reaches a front-end (exit 7)", async () => {
    // The sandbox runs in about a minute, less than the window's granularity: the same history, a hundred times slower.
    const slow = path.join(second.dir, "slow-history.jsonl");
    fs.writeFileSync(
      slow,
      readHistory(firstHistory)
        .map((l: HistoryLine) => `${JSON.stringify({ ...l, duration_ms: l.duration_ms * 100 })}\n`)
        .join(""),
    );
    setWindow(second.configPath, { days: [...WEEKDAYS], start: utcClock(-60), end: utcClock(3), timezone: "UTC" });
    const before = second.log().length;
    const events = path.join(second.dir, "refused-events.jsonl");
    const r = await runOnefed(["deploy", "--config", second.configPath, "--out", path.join(second.dir, "cdktf.out"), "--events", events], second.dir, {
      [HISTORY_FILE_ENV]: slow,
    });
    expect({ code: r.code, output: r.output }).toEqual({
      code: ExitCode.OutsideWindow,
      output: expect.stringMatching(
        /OutsideWindowError: federation sandbox: the run \(estimated at \S+ from the duration history\) would end .+ UTC, \S+ after the maintenance window \(.+\) closes .+\. Nothing was run on any zone\./,
      ),
    });
    expect(second.log().slice(before)).toEqual([]);
    const recorded = readEvents(events);
    expect(recorded.map((e) => e.event)).toEqual(["run-start", "run-end"]);
    expect(recorded[0]).toMatchObject({ ignore_window: false, estimated_ms: expect.any(Number) });
    expect((recorded[1] as RunEndEvent).exit_code).toBe(ExitCode.OutsideWindow);
  });

  it("refuses outside the window even without history, saying the end could not be estimated", async () => {
    const tomorrow = WEEKDAYS[(new Date().getUTCDay() + 2) % 7];
    setWindow(second.configPath, { days: [tomorrow], start: "00:00", end: "00:01", timezone: "UTC" });
    const before = second.log().length;
    const r = await runOnefed(["deploy", "--config", second.configPath, "--out", path.join(second.dir, "cdktf.out")], second.dir, {
      [HISTORY_FILE_ENV]: path.join(second.dir, "no-history.jsonl"),
    });
    expect(r.code).toBe(ExitCode.OutsideWindow);
    expect(r.output).toMatch(
      /is outside the maintenance window \(.+\); it next opens .+ \(the run's end could not be estimated: no history yet in .+no-history\.jsonl\)/,
    );
    expect(second.log().slice(before)).toEqual([]);
  });

  it("runs anyway with --ignore-window, records it in run-start, and appends the durations as the source says", async () => {
    const history = path.join(second.dir, "rehearsal-history.jsonl");
    const events = path.join(second.dir, "ignored-events.jsonl");
    const p = startOnefed(
      ["deploy", "--config", second.configPath, "--out", path.join(second.dir, "cdktf.out"), "--events", events, "--ignore-window"],
      second.dir,
      { [HISTORY_FILE_ENV]: history, [HISTORY_SOURCE_ENV]: "rehearsal" },
    );
    const r = await p.finished(1_500_000);
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    expect(r.output).toMatch(/window: --ignore-window: running anyway although now .* is outside the maintenance window/);
    const recorded = readEvents(events);
    expect(recorded[0]).toMatchObject({ event: "run-start", ignore_window: true });
    const lines = readHistory(history);
    expect(lines.length).toBe(recorded.filter((e) => e.event === "step-end" && e.status === "done").length);
    expect(new Set(lines.map((l) => l.source))).toEqual(new Set(["rehearsal"]));
  });
});
