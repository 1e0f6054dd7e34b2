/**
 * The progress view's text: a few lines that say where the run is (stage k of n, steps done /
 * running / failed, zones frozen or stopped now, elapsed), what runs right now, and where the logs
 * are. Pure: a function of the progress and the clock, each line cut to the terminal's width.
 */
import { printable } from "../../model/printable";
import { formatElapsed, utcSeconds } from "../../run/observe/time-format";
import { runEta } from "./run-eta";
import { currentStage, RunProgress, stepCounts } from "./run-progress";

export interface FrameInput {
  readonly progress: RunProgress;
  /** Epoch ms. */
  readonly now: number;
  /** When the command started (before any run-start), epoch ms. */
  readonly since: number;
  /** Terminal columns. */
  readonly width: number;
  /** The last line onefed or the engine printed (what happens before the steps run). @default none */
  readonly lastLine?: string;
  /** The run directory. @default not shown */
  readonly runDir?: string;
}

/** The frame's lines (no newlines), each at most `width` columns. */
export function renderFrame(f: FrameInput): string[] {
  const p = f.progress;
  const zone = (id: number) => `zone ${id}${p.zoneNames.has(id) ? ` (${p.zoneNames.get(id)})` : ""}`;
  const lines: string[] = [];
  const title = p.federation
    ? `onefed ${p.command ?? "deploy"} · ${p.federation} ${p.fromVersion} → ${p.toVersion} · run ${p.runId}`
    : "onefed: preparing the run";
  const elapsed = f.now - (p.startedAt ?? f.since);
  lines.push(`${title} · ${formatElapsed(elapsed)}${p.federation && !p.ended ? ` · ${etaText(p, f.now, elapsed)}` : ""}`);
  const c = stepCounts(p);
  lines.push(
    `stage ${currentStage(p)} of ${p.stages.length} · steps: ${c.done} done, ${c.running} running, ${c.failed} failed` +
      (c.planned ? ` (${c.planned} in the plan; steps already applied do not run)` : ""),
  );
  const held = (m: Map<number, number>) => (m.size === 0 ? "none" : [...m].map(([id, since]) => `${zone(id)} ${formatElapsed(f.now - since)}`).join(", "));
  lines.push(`frozen: ${held(p.frozen)} · stopped: ${held(p.stopped)}`);
  const steps = [...p.steps.values()];
  const running = steps.filter((x) => x.state === "running");
  // Columns: a zone's label is as long as its id and name, so both step and zone are padded.
  const width = Math.max(0, ...running.map((s) => s.step.length));
  const zoneWidth = Math.max(0, ...running.map((s) => zone(s.zone).length));
  for (const s of running) {
    const cmd = s.command ? `  ${s.command.host} $ ${s.command.line}` : "";
    lines.push(`  ${s.step.padEnd(width)}  ${zone(s.zone).padEnd(zoneWidth)}  ${formatElapsed(f.now - s.startedAt).padStart(6)}${cmd}`);
  }
  for (const s of steps.filter((x) => x.state === "failed")) {
    lines.push(`failed: ${s.step} ${zone(s.zone)}: ${firstLine(s.message ?? "")}`);
  }
  if (p.ended) lines.push(`run ${p.ended.status} after ${formatElapsed(p.ended.at - (p.startedAt ?? f.since))}`);
  else if (f.lastLine) lines.push(`last: ${f.lastLine}`);
  if (f.runDir) lines.push(`logs: ${f.runDir}`);
  return lines.map((l) => fit(printable(l), f.width));
}

/** "ETA 12:58:02Z (6m40s left, ~18m in all)", or why it is not known. */
function etaText(p: RunProgress, now: number, elapsed: number): string {
  const eta = runEta(p, now);
  if (!eta.known) return `ETA unknown (${eta.reason})`;
  return `ETA ${utcSeconds(now + eta.remainingMs)} (${formatElapsed(eta.remainingMs)} left, ~${formatElapsed(elapsed + eta.remainingMs)} in all)`;
}

function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  return nl < 0 ? text : `${text.slice(0, nl)} …`;
}

/** Cut to `width` columns (a wrapped line would break the redraw, which counts lines). */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}
