/**
 * Samples a process tree every 200 ms: the peak of its summed resident set. Short-lived processes
 * between two samples are missed, so this is a lower bound on the true peak (documented in
 * docs/bench.md); CPU comes from the kernel's own accounting instead (see deploy-run.ts).
 */
import { processTree, readAllProcStats } from "./proc-stat";

const PAGE_BYTES = 4096;

export class TreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private peakCount = 0;

  constructor(
    private readonly root: number,
    private readonly periodMs = 200,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    return this;
  }

  /** Stops; the peak summed RSS in bytes and how many processes were alive at that moment. */
  stop(): { readonly peakRssBytes: number; readonly processesAtPeak: number } {
    clearInterval(this.timer);
    return { peakRssBytes: this.peak, processesAtPeak: this.peakCount };
  }

  private sample(): void {
    const tree = processTree(readAllProcStats(), this.root);
    const rss = tree.reduce((n, p) => n + p.rssPages * PAGE_BYTES, 0);
    if (rss > this.peak) {
      this.peak = rss;
      this.peakCount = tree.length;
    }
  }
}
