/**
 * What fills the freeze window (first `freeze` start → last `unfreeze` end), read from a run's events
 * and the stack's step graph: the chain of steps that held the window open, walked back from the last
 * unfreeze through each step's last-finished predecessor, with the wait before each step and where
 * each step's time went (the remote commands it sent, by kind). The steps bench/run-timeline.ts's
 * UNAVOIDABLE_STEPS name weigh as unavoidable work; everything else on the chain is what onefed adds.
 *
 *   node dist/bench/freeze-window.js EVENTS.jsonl [GRAPH.json]   (the bench keeps both in $TMPDIR)
 */
import * as fs from "fs";
import { isLedgerTransaction } from "./probe-classes";
import { parseRunTimeline, RunTimeline, StepKey, StepSpan, UNAVOIDABLE_STEPS } from "./run-timeline";

/** One step on the window's chain. */
export interface WindowLeg {
  readonly key: StepKey;
  readonly step: string;
  readonly zone: number;
  /** Milliseconds from the window's start to this step's start. */
  readonly at: number;
  /** Between the predecessor that released it (or the window's start) and its step-start: scheduling, runner start. */
  readonly waitMs: number;
  readonly ms: number;
  /** Whether the step counts as unavoidable work. */
  readonly unavoidable: boolean;
  /** Wall time under commands of each kind (overlapping commands of one kind counted once), biggest first. */
  readonly kinds: readonly { readonly kind: string; readonly ms: number }[];
  /** The step's time under no remote command at all: the runner's own work and pauses. */
  readonly outsideCommandsMs: number;
}

export interface WindowBreakdown {
  readonly windowMs: number;
  /** First to last. */
  readonly legs: readonly WindowLeg[];
  /** Sum of the unavoidable legs' durations on the chain. */
  readonly unavoidableMs: number;
  /** Everything else on the chain: waits plus the other steps. */
  readonly addedMs: number;
}

/** A remote command's kind for the breakdown: what a maintainer would move or shorten. */
export function commandKind(command: string): string {
  if (command.includes("/ledger/") || isLedgerTransaction(command)) return "ledger";
  if (/^onezone (disable|enable)\b/.test(command)) return "onezone disable/enable";
  if (/^onezone show\b/.test(command)) return "onezone show";
  if (/^onezone list -j\b/.test(command)) return "onezone list (zone pool)";
  if (/^onezone list\b/.test(command)) return "onezone list (FED_INDEX)";
  if (/^systemctl (stop|start|restart)\b/.test(command)) return "systemctl stop/start";
  if (/^systemctl\b/.test(command)) return "systemctl probes";
  if (/^onedb (upgrade|backup|restore|fsck)\b/.test(command)) return `onedb ${command.split(" ")[1]}`;
  if (/apt-get install (-y|--download-only)|dnf .*upgrade|yum .*upgrade/.test(command)) return "package install";
  if (/sha256sum/.test(command)) return "sha256";
  if (/^sftp\b|^internal-sftp/.test(command)) return "sftp";
  return "other probes and writes";
}

/** Total length of the union of intervals. */
function unionMs(spans: readonly (readonly [number, number])[]): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [s, e] of sorted) {
    if (current === undefined || s > current[1]) {
      if (current) total += current[1] - current[0];
      current = [s, e];
    } else current[1] = Math.max(current[1], e);
  }
  return total + (current ? current[1] - current[0] : 0);
}

/** The window's chain and where its time went; undefined when the run froze nothing. */
export function freezeWindowBreakdown(t: RunTimeline, graph: ReadonlyMap<StepKey, readonly StepKey[]>): WindowBreakdown | undefined {
  const spans = [...t.steps.entries()];
  const freezes = spans.filter(([, s]) => s.step === "freeze");
  const unfreezes = spans.filter(([, s]) => s.step === "unfreeze");
  if (freezes.length === 0 || unfreezes.length === 0) return undefined;
  const open = Math.min(...freezes.map(([, s]) => s.start));
  let [key, span] = unfreezes.reduce((a, b) => (b[1].end > a[1].end ? b : a));
  const close = span.end;
  const chain: [StepKey, StepSpan][] = [];
  for (;;) {
    chain.unshift([key, span]);
    if (span.start <= open) break;
    // The predecessor that released this step: the one that finished last (through barriers, as the graph resolves them).
    const before = (graph.get(key) ?? [])
      .map((k): [StepKey, StepSpan | undefined] => [k, t.steps.get(k)])
      .filter((e): e is [StepKey, StepSpan] => e[1] !== undefined && e[1].end > open);
    if (before.length === 0) break;
    [key, span] = before.reduce((a, b) => (b[1].end > a[1].end ? b : a));
  }
  const legs = chain.map(([k, s], i): WindowLeg => {
    const released = i === 0 ? open : chain[i - 1][1].end;
    const commands = t.commands.filter((c) => c.step === s.step && c.zone === s.zone && c.end > s.start && c.start < s.end);
    const byKind = new Map<string, [number, number][]>();
    for (const c of commands) {
      const kind = commandKind(c.command);
      (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push([Math.max(c.start, s.start), Math.min(c.end, s.end)]);
    }
    const kinds = [...byKind].map(([kind, iv]) => ({ kind, ms: unionMs(iv) })).sort((a, b) => b.ms - a.ms);
    const all = commands.map((c): [number, number] => [Math.max(c.start, s.start), Math.min(c.end, s.end)]);
    return {
      key: k,
      step: s.step,
      zone: s.zone,
      at: s.start - open,
      waitMs: Math.max(0, s.start - released),
      ms: s.end - s.start,
      unavoidable: UNAVOIDABLE_STEPS.includes(s.step),
      kinds,
      outsideCommandsMs: s.end - s.start - unionMs(all),
    };
  });
  const unavoidableMs = legs.filter((l) => l.unavoidable).reduce((n, l) => n + l.ms, 0);
  return { windowMs: close - open, legs, unavoidableMs, addedMs: close - open - unavoidableMs };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The breakdown as text lines: one per leg, then the added time by cause. */
export function formatBreakdown(b: WindowBreakdown): string[] {
  const lines = [`freeze window ${sec(b.windowMs)}: unavoidable steps on its chain ${sec(b.unavoidableMs)}, added ${sec(b.addedMs)}`];
  lines.push(`  ${"at".padStart(7)} ${"wait".padStart(6)} ${"step".padStart(7)}  step@zone            where the step's time went`);
  for (const l of b.legs) {
    const where = [...l.kinds.slice(0, 4).map((k) => `${k.kind} ${sec(k.ms)}`), `no command ${sec(l.outsideCommandsMs)}`].join(", ");
    lines.push(
      `  ${sec(l.at).padStart(7)} ${sec(l.waitMs).padStart(6)} ${sec(l.ms).padStart(7)}  ${`${l.key}${l.unavoidable ? "" : " +"}`.padEnd(20)} ${where}`,
    );
  }
  const waits = b.legs.reduce((n, l) => n + l.waitMs, 0);
  const added = new Map<string, number>([["waits between steps", waits]]);
  for (const l of b.legs.filter((x) => !x.unavoidable)) added.set(`${l.step} steps`, (added.get(`${l.step} steps`) ?? 0) + l.ms);
  lines.push(`  added (+): ${[...added].map(([k, v]) => `${k} ${sec(v)}`).join(", ")}`);
  return lines;
}

if (require.main === module) {
  const [eventsFile, graphFile] = process.argv.slice(2);
  if (!eventsFile) {
    process.stderr.write("usage: node dist/bench/freeze-window.js EVENTS.jsonl [GRAPH.json]\n");
    process.exit(2);
  }
  const t = parseRunTimeline(fs.readFileSync(eventsFile, "utf8"));
  const graph = graphFile
    ? new Map(Object.entries(JSON.parse(fs.readFileSync(graphFile, "utf8")) as Record<string, StepKey[]>))
    : new Map(t.stages.flatMap((stage, i) => stage.map((k): [StepKey, StepKey[]] => [k, i === 0 ? [] : [...t.stages[i - 1]]])));
  const b = freezeWindowBreakdown(t, graph);
  process.stdout.write(b ? `${formatBreakdown(b).join("\n")}\n` : "the run froze nothing\n");
}
