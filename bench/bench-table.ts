/**
 * The bench's table: one row per figure, with the baseline measured in the same run, their ratio,
 * and issue 13's target where it sets one (met / missed).
 */
import { DeployFigures } from "./deploy-bench";

export interface BenchRow {
  readonly figure: string;
  readonly value: string;
  /** What it is compared with, measured in the same run. */
  readonly baseline?: string;
  readonly ratio?: number;
  readonly target?: string;
  /** Whether the target is met; undefined without a target or when it cannot be judged. */
  readonly met?: boolean;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const cpu = (ms: number) => `${(ms / 1000).toFixed(2)} CPU-s`;
const median = (xs: readonly number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

export function formatRows(rows: readonly BenchRow[]): string {
  const cols = [32, 16, 34, 8, 22];
  const head = ["figure", "value", "baseline (same run)", "ratio", "target"];
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 3 ? c.padStart(cols[i]) : c.padEnd(cols[i])))
      .join("  ")
      .trimEnd();
  return [
    line(head),
    ...rows.map((r) =>
      line([
        r.figure,
        r.value,
        r.baseline ?? "",
        r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
        r.target ? `${r.target}${r.met === undefined ? "" : r.met ? "  met" : "  MISSED"}` : "",
      ]),
    ),
  ].join("\n");
}

/** Rows of one deploy size; targets that the issue sets for that size only are shown there only. */
export function deployRows(f: DeployFigures): BenchRow[] {
  const n = `1+${f.slaves}`;
  const steps = Math.max(f.stepsRan, 1);
  const rows: BenchRow[] = [];
  const completed = f.exitCode === 0;
  rows.push({
    figure: `${n} deploy`,
    value: completed ? "completed" : `FAILED (exit ${f.exitCode})`,
    baseline: `${f.stepsRan} of ${f.stepsPlanned} steps ran`,
    target: f.slaves === 64 ? "completes (defaults)" : undefined,
    met: f.slaves === 64 ? completed : undefined,
  });
  rows.push({
    figure: `${n} wall vs critical path`,
    value: s(f.wallMs),
    baseline: `critical path ${s(f.criticalPathMs)} (${f.graphSource})`,
    ratio: f.wallMs / f.criticalPathMs,
  });
  rows.push({
    figure: `${n} steps span vs critical path`,
    value: s(f.stepsSpanMs),
    baseline: `critical path ${s(f.criticalPathMs)}`,
    ratio: f.stepsSpanMs / f.criticalPathMs,
  });
  if (f.replay) {
    const ratio = f.wallMs / f.replay.wallMs;
    rows.push({
      figure: `${n} wall vs ideal replay`,
      value: s(f.wallMs),
      baseline: `OpenSSH replay ${s(f.replay.wallMs)}`,
      ratio,
      target: f.slaves === 16 ? "≤ 1.15×" : undefined,
      met: f.slaves === 16 ? ratio <= 1.15 : undefined,
    });
    rows.push({ figure: `${n} CPU vs ideal replay`, value: cpu(f.treeCpuMs), baseline: `replay ${cpu(f.replay.cpuMs)}`, ratio: f.treeCpuMs / f.replay.cpuMs });
  }
  const runnerPerStep = (f.onefedCpuMs - f.noopOnefedCpuMs) / steps;
  rows.push({
    figure: `${n} runner CPU per step`,
    value: cpu(runnerPerStep),
    baseline: `whole tree ${cpu(f.treeCpuMs / steps)}/step`,
    ratio: runnerPerStep / (f.treeCpuMs / steps),
    target: "≤ 0.05 CPU-s",
    met: runnerPerStep <= 50,
  });
  rows.push({ figure: `${n} CPU: onefed / engine+rest`, value: cpu(f.onefedCpuMs), baseline: `engine, provider, shells ${cpu(f.treeCpuMs - f.onefedCpuMs)}` });
  rows.push({
    figure: `${n} peak memory (RSS sum)`,
    value: `${Math.round(f.peakRssBytes / 2 ** 20)} MB`,
    baseline: `${f.processesAtPeak} processes at the peak`,
    target: f.slaves === 16 ? "≤ 400 MB" : undefined,
    met: f.slaves === 16 ? f.peakRssBytes <= 400 * 2 ** 20 : undefined,
  });
  if (f.freezeWindowMs !== undefined) {
    const ratio = f.freezeWindowMs / f.unavoidableMs;
    rows.push({
      figure: `${n} freeze window`,
      value: s(f.freezeWindowMs),
      baseline: `unavoidable work ${s(f.unavoidableMs)}`,
      ratio,
      target: f.timing ? "≤ 1.1×" : "≤ 1.1× (realistic timing)",
      met: f.timing ? ratio <= 1.1 : undefined,
    });
  }
  if (f.downtimesMs.length > 0) {
    rows.push({
      figure: `${n} zone downtime max / median`,
      value: s(Math.max(...f.downtimesMs)),
      baseline: `median ${s(median(f.downtimesMs))} over ${f.downtimesMs.length} zones`,
    });
  }
  const share = f.probes / Math.max(f.remoteCommands, 1);
  rows.push({
    figure: `${n} probes / remote commands`,
    value: `${(share * 100).toFixed(0)} %`,
    baseline: `${f.probes} of ${f.remoteCommands} commands`,
    target: "≤ 30 %",
    met: share <= 0.3,
  });
  // What the link and the session start pay for: a probe batch is one SSH session (docs/round-trips.md).
  rows.push({
    figure: `${n} probe round trips / round trips`,
    value: `${((f.probeRoundTrips / Math.max(f.roundTrips, 1)) * 100).toFixed(0)} %`,
    baseline: `${f.probeRoundTrips} of ${f.roundTrips} SSH sessions`,
  });
  rows.push({
    figure: `${n} no-op re-apply`,
    value: s(f.noop.wallMs),
    baseline: `${f.noop.commands} commands, ${f.noop.stepsRan} steps ran${f.noop.exitCode === 0 ? "" : `, exit ${f.noop.exitCode}`}`,
    ratio: f.noop.wallMs / f.wallMs,
  });
  return rows;
}
