/**
 * What `onefed rehearse` reports: each stage's wall time and its steps' durations, read back from
 * the twin's events file, the first failed step with its paragraph, and the `--inject` test option.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import type { RunEvent } from "../../lib/model/run-events";
import { RehearsalFailedError } from "../../lib/terraform/rehearse/errors";
import { parseInjection } from "../../lib/terraform/rehearse/injection";
import { formatDuration, measureRun, readEvents, renderStageTable } from "../../lib/terraform/rehearse/stage-durations";

const RUN = "20261130T160000Z-ab12cd34";
const at = (s: number): string => new Date(Date.UTC(2026, 10, 30, 16, 0, 0) + s * 1000).toISOString();
const base = (ts: number, step: string | null, zone: number | null) => ({ v: 1 as const, ts: at(ts), run: RUN, step, zone });

const runStart = (ts: number): RunEvent => ({
  ...base(ts, null, null),
  event: "run-start",
  command: "apply",
  federation: "prod",
  from_version: "6.10.0",
  to_version: "7.0.0",
  run_dir: "/tmp/twin/artifacts/runs/x",
  stages: [
    [{ step: "preflight", zone: 0, zone_name: "M" }],
    [
      { step: "download", zone: 0, zone_name: "M" },
      { step: "download", zone: 100, zone_name: "S" },
    ],
    [{ step: "upgrade", zone: 100, zone_name: "S" }],
    [{ step: "verify", zone: 100, zone_name: "S" }],
  ],
});
const start = (ts: number, step: string, zone: number): RunEvent => ({
  ...base(ts, step, zone),
  event: "step-start",
  zone_name: zone === 0 ? "M" : "S",
  hosts: [],
});
const end = (ts: number, step: string, zone: number, ms: number, status: "done" | "already-done" = "done"): RunEvent => ({
  ...base(ts, step, zone),
  event: "step-end",
  status,
  summary: "",
  duration_ms: ms,
});

describe("stage durations from the twin's events", () => {
  it("gives each stage its wall time (first start to last end) and each step its own duration", () => {
    const m = measureRun([
      runStart(0),
      start(1, "preflight", 0),
      end(3, "preflight", 0, 1900),
      start(3, "download", 0),
      start(4, "download", 100),
      end(8, "download", 0, 4900),
      end(10, "download", 100, 5800),
      start(10, "upgrade", 100),
      end(40, "upgrade", 100, 29_950),
      start(41, "verify", 100),
      end(42, "verify", 100, 800, "already-done"),
    ]);
    expect(m.failure).toBeUndefined();
    expect(m.stages).toEqual([
      { stage: 1, durationMs: 2000, steps: [{ step: "preflight", zone: 0, zoneName: "M", status: "done", durationMs: 1900 }] },
      {
        stage: 2,
        durationMs: 7000,
        steps: [
          { step: "download", zone: 0, zoneName: "M", status: "done", durationMs: 4900 },
          { step: "download", zone: 100, zoneName: "S", status: "done", durationMs: 5800 },
        ],
      },
      { stage: 3, durationMs: 30_000, steps: [{ step: "upgrade", zone: 100, zoneName: "S", status: "done", durationMs: 29_950 }] },
      { stage: 4, durationMs: 1000, steps: [{ step: "verify", zone: 100, zoneName: "S", status: "already-done", durationMs: 800 }] },
    ]);
    expect(renderStageTable(m.stages)).toEqual([
      "  stage  1     2.0 s  preflight 0 1.9 s",
      "  stage  2     7.0 s  download 0 4.9 s, download 100 5.8 s",
      "  stage  3    30.0 s  upgrade 100 29.9 s",
      "  stage  4     1.0 s  verify 100 (already done)",
    ]);
  });

  it("names the first failed step with its paragraph; steps after it did not run", () => {
    const m = measureRun([
      runStart(0),
      start(1, "preflight", 0),
      end(2, "preflight", 0, 900),
      start(3, "download", 0),
      start(3, "download", 100),
      end(4, "download", 0, 1000),
      end(4, "download", 100, 1000),
      start(5, "upgrade", 100),
      { ...base(9, "upgrade", 100), event: "step-fail", message: "onedb upgrade failed on 127.0.201.3:22 (exit 255): Injected failure", duration_ms: 4000 },
      { ...base(10, null, null), event: "run-end", status: "failed", duration_ms: 10_000, exit_code: 1, message: "a step failed" },
    ]);
    expect(m.failure).toEqual({ step: "upgrade", zone: 100, zoneName: "S", message: "onedb upgrade failed on 127.0.201.3:22 (exit 255): Injected failure" });
    expect(m.runMessage).toBe("a step failed");
    expect(m.stages.map((s) => s.steps.map((p) => p.status))).toEqual([["done"], ["done", "done"], ["failed"], ["not-run"]]);
    expect(m.stages[3].durationMs).toBeUndefined();
    expect(renderStageTable(m.stages).slice(2)).toEqual(["  stage  3     4.0 s  upgrade 100 FAILED", "  stage  4         -  verify 100 (not run)"]);
    const err = new RehearsalFailedError(m.failure!.step, m.failure!.zone, m.failure!.message, m.stages, "/tmp/twin", false);
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.message).toBe(
      "the rehearsal failed at step upgrade on zone 100: onedb upgrade failed on 127.0.201.3:22 (exit 255): Injected failure " +
        "The real federation was not touched. The twin was taken down; rehearse with --keep to keep it and its run's logs.",
    );
  });

  it("reads the last run of an events file, skipping a cut last line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rehearse-events-"));
    const file = path.join(dir, "events.jsonl");
    fs.writeFileSync(
      file,
      [runStart(0), start(1, "preflight", 0), runStart(5), start(6, "preflight", 0), end(7, "preflight", 0, 1000)].map((e) => JSON.stringify(e)).join("\n") +
        '\n{"v":1,"ts"',
    );
    try {
      const m = measureRun(readEvents(file));
      expect(m.stages[0]).toEqual({ stage: 1, durationMs: 1000, steps: [{ step: "preflight", zone: 0, zoneName: "M", status: "done", durationMs: 1000 }] });
      expect(readEvents(path.join(dir, "missing.jsonl"))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [850, "850 ms"],
    [1940, "1.9 s"],
    [62_000, "1m02s"],
    [3_600_000, "60m00s"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("--inject STEP:ZONE[:TEXT]", () => {
  it.each([
    ["upgrade:100", { step: "upgrade", zone: 100, match: "onedb upgrade" }],
    ["backup:0", { step: "backup", zone: 0, match: "onedb backup -v --federated" }],
    ["download:101:apt-get install", { step: "download", zone: 101, match: "apt-get install" }],
    ["start:7:a:b", { step: "start", zone: 7, match: "a:b" }],
  ])("%s", (spec, expected) => expect(parseInjection(spec)).toEqual(expected));

  it.each([
    ["upgrad:100", /"upgrad" is not a step/],
    ["upgrade", /"" is not a zone id/],
    ["upgrade:x", /"x" is not a zone id/],
    ["upgrade:100:", /TEXT is empty/],
    ["sync:0", /step sync has no command of its own to fail: give one as sync:0:TEXT/],
  ])("refuses %s", (spec, message) => {
    expect(() => parseInjection(spec)).toThrow(UsageError);
    expect(() => parseInjection(spec)).toThrow(message);
  });
});
