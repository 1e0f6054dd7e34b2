/**
 * Samples a process tree every 200 ms: the peak of its summed resident set, and who held it (each
 * process's name and RSS at that sample). Short-lived processes between two samples are missed, so
 * this is a lower bound on the true peak (documented in docs/bench.md); CPU comes from the kernel's
 * own accounting instead (see deploy-run.ts).
 */
import { processLabel, processTree, readAllProcStats, readArgv, sharesParentPages } from "./proc-stat";

const PAGE_BYTES = 4096;

/** The processes alive at the peak that share a name (processLabel): how many, and their RSS summed. */
export interface PeakShare {
  readonly label: string;
  readonly count: number;
  readonly rssBytes: number;
}

export interface TreePeak {
  readonly peakRssBytes: number;
  readonly processesAtPeak: number;
  /** Who held the peak, the largest first. */
  readonly atPeak: readonly PeakShare[];
  /** Each process above LARGE_BYTES at some sample: the largest RSS it reached, the largest first. */
  readonly largest: readonly LargeProcess[];
}

/** One of the large processes of the tree: its own largest RSS, and its CPU as last sampled (at most one period short). */
export interface LargeProcess {
  readonly label: string;
  readonly pid: number;
  readonly rssBytes: number;
  readonly cpuTicks: number;
}

/**
 * `terraform 105 MB 6.4 CPU-s, onefed runner 93 MB 4.6 CPU-s, + 9 shorter-lived`: the processes
 * that lived long enough to use a CPU-second (runner, engine apply, deploy, provider), on one line;
 * the others (init, show, the synth) are only counted.
 */
export function formatLargest(processes: readonly LargeProcess[]): string {
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const long = processes.filter((p) => p.cpuTicks >= 100);
  const parts = long.map((p) => `${p.label} ${mb(p.rssBytes)} MB ${(p.cpuTicks / 100).toFixed(1)} CPU-s`);
  if (processes.length > long.length) parts.push(`+ ${processes.length - long.length} shorter-lived`);
  return parts.join(", ");
}

/** A process this large is one of the long-lived ones (runner, engine, provider, deploy), whose own maximum is worth telling. */
const LARGE_BYTES = 10 * 2 ** 20;

/** Groups the processes of one sample by name, the largest share first. */
export function peakShares(processes: readonly { readonly label: string; readonly rssBytes: number }[]): PeakShare[] {
  const by = new Map<string, { count: number; rssBytes: number }>();
  for (const p of processes) {
    const s = by.get(p.label) ?? by.set(p.label, { count: 0, rssBytes: 0 }).get(p.label)!;
    s.count++;
    s.rssBytes += p.rssBytes;
  }
  return [...by].map(([label, s]) => ({ label, ...s })).sort((a, b) => b.rssBytes - a.rssBytes || a.label.localeCompare(b.label));
}

/** `runner 106, terraform 105, 16× sh 27 (MB)`: a peak's breakdown on one line. */
export function formatPeakShares(shares: readonly PeakShare[]): string {
  const mb = (b: number) => Math.round(b / 2 ** 20);
  return shares.map((s) => `${s.count > 1 ? `${s.count}× ` : ""}${s.label} ${mb(s.rssBytes)}`).join(", ") + " (MB)";
}

export class TreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private peakCount = 0;
  private atPeak: PeakShare[] = [];
  private readonly largest = new Map<number, { label: string; rssBytes: number; cpuTicks: number }>();

  constructor(
    private readonly root: number,
    private readonly periodMs = 200,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    return this;
  }

  /** Stops; the peak summed RSS in bytes, how many processes were alive at that moment and who they were. */
  stop(): TreePeak {
    clearInterval(this.timer);
    const largest = [...this.largest].map(([pid, p]) => ({ pid, ...p }));
    return { peakRssBytes: this.peak, processesAtPeak: this.peakCount, atPeak: this.atPeak, largest: largest.sort((a, b) => b.rssBytes - a.rssBytes) };
  }

  private sample(): void {
    const all = processTree(readAllProcStats(), this.root);
    const byPid = new Map(all.map((p) => [p.pid, p]));
    // A clone that still shares its parent's pages (terraform between fork and exec of a shell) is its parent's memory, counted once.
    const tree = all.filter((p) => !sharesParentPages(p, byPid.get(p.ppid)));
    const rss = tree.reduce((n, p) => n + p.rssPages * PAGE_BYTES, 0);
    for (const p of tree) {
      const bytes = p.rssPages * PAGE_BYTES;
      const seen = this.largest.get(p.pid);
      if (seen) {
        seen.rssBytes = Math.max(seen.rssBytes, bytes);
        seen.cpuTicks = p.cpuTicks;
      } else if (bytes > LARGE_BYTES) this.largest.set(p.pid, { label: processLabel(p.comm, readArgv(p.pid)), rssBytes: bytes, cpuTicks: p.cpuTicks });
    }
    if (rss > this.peak) {
      this.peak = rss;
      this.peakCount = tree.length;
      // Names only at a new peak: reading every cmdline each sample would cost the bench's own CPU.
      this.atPeak = peakShares(tree.map((p) => ({ label: processLabel(p.comm, readArgv(p.pid)), rssBytes: p.rssPages * PAGE_BYTES })));
    }
  }
}
