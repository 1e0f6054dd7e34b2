import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseProcStat, processLabel, processTree, readAllProcStats, sharesParentPages } from "../../bench/proc-stat";
import { formatLargest, formatPeakShares, peakShares } from "../../bench/tree-sampler";

/** A /proc/<pid>/stat line as Linux 6.x prints it (proc(5)): 52 fields. */
const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number, rss: number) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1200 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 5000 123456789 ${rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0`;

describe("bench: /proc/<pid>/stat", () => {
  test("parent, CPU ticks and resident pages", () => {
    expect(parseProcStat(statLine(4242, "node", 1, 150, 30, 16000))).toEqual({ pid: 4242, comm: "node", ppid: 1, cpuTicks: 180, rssPages: 16000 });
  });

  test("a command name with spaces and parentheses does not shift the fields", () => {
    expect(parseProcStat(statLine(7, "a) (b c", 3, 1, 2, 99))).toEqual({ pid: 7, comm: "a) (b c", ppid: 3, cpuTicks: 3, rssPages: 99 });
  });

  test("not a stat line", () => {
    expect(parseProcStat("")).toBeUndefined();
    expect(parseProcStat("12 (x) S 1 2")).toBeUndefined();
  });

  test("the tree below a root, and only that tree", () => {
    const all = [
      { pid: 1, comm: "init", ppid: 0, cpuTicks: 0, rssPages: 1 },
      { pid: 10, comm: "time", ppid: 1, cpuTicks: 0, rssPages: 1 },
      { pid: 11, comm: "node", ppid: 10, cpuTicks: 0, rssPages: 1 },
      { pid: 12, comm: "terraform", ppid: 11, cpuTicks: 0, rssPages: 1 },
      { pid: 13, comm: "sh", ppid: 12, cpuTicks: 0, rssPages: 1 },
      { pid: 20, comm: "other", ppid: 1, cpuTicks: 0, rssPages: 1 },
    ];
    expect(processTree(all, 10).map((p) => p.pid)).toEqual([10, 11, 12, 13]);
    expect(processTree(all, 99)).toEqual([]);
  });

  test("reads a proc directory, skipping what is not a process", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-proc-"));
    try {
      fs.mkdirSync(path.join(dir, "5"));
      fs.writeFileSync(path.join(dir, "5", "stat"), statLine(5, "sshd", 1, 1, 1, 10));
      fs.mkdirSync(path.join(dir, "6")); // exited before its stat was read
      fs.mkdirSync(path.join(dir, "self"));
      expect(readAllProcStats(dir).map((p) => p.pid)).toEqual([5]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("this very process is in the real /proc", () => {
    const me = readAllProcStats().find((p) => p.pid === process.pid);
    expect(me?.rssPages).toBeGreaterThan(0);
  });
});

describe("bench: a clone between fork and exec", () => {
  const terraform = { pid: 10, comm: "terraform", ppid: 1, cpuTicks: 500, rssPages: 23_000 };
  const clone = { pid: 11, comm: "terraform", ppid: 10, cpuTicks: 0, rssPages: 23_010, forkedNoExec: true };

  test("the flags say forked and not exec'd (PF_FORKNOEXEC)", () => {
    const forked = statLine(11, "terraform", 10, 0, 0, 23_010).replace(" 4194560 ", ` ${0x400040} `);
    expect(parseProcStat(forked)).toEqual(clone);
  });

  test("shares its parent's pages when it bears its name and its resident set", () => {
    expect(sharesParentPages(clone, terraform)).toBe(true);
  });

  test("anything else counts as before: exec'd, another name, another size, a small subshell, no parent", () => {
    expect(sharesParentPages({ ...clone, forkedNoExec: undefined }, terraform)).toBe(false);
    expect(sharesParentPages({ ...clone, comm: "sh" }, terraform)).toBe(false);
    expect(sharesParentPages({ ...clone, rssPages: 400 }, terraform)).toBe(false);
    const sh = { pid: 20, comm: "sh", ppid: 1, cpuTicks: 0, rssPages: 350 };
    expect(sharesParentPages({ ...sh, pid: 21, ppid: 20, forkedNoExec: true }, sh)).toBe(false);
    expect(sharesParentPages(clone, undefined)).toBe(false);
  });
});

describe("bench: who held the peak", () => {
  test("a node process by what it runs, any other by its command name", () => {
    expect(processLabel("node", ["/usr/bin/node", "--max-semi-space-size=2", "/opt/onefed/dist/lib/cli/onefed.js", "runner", "--fifo", "/r/runner.fifo"])).toBe(
      "onefed runner",
    );
    expect(processLabel("node", ["/usr/bin/node", "--require", "/b/probe.js", "/opt/onefed/dist/lib/cli/onefed.js", "deploy"])).toBe("onefed deploy");
    expect(processLabel("node", ["/usr/bin/node", "/opt/onefed/dist/lib/terraform/synth-in-child.js", "{}"])).toBe("synth-in-child");
    expect(processLabel("node", [])).toBe("node");
    expect(processLabel("terraform-provi", ["/cache/terraform-provider-null_v3.2.4_x5"])).toBe("terraform-provi");
    expect(processLabel("sh", ["/bin/sh", "/opt/onefed/bin/onefed-step"])).toBe("sh");
  });

  test("grouped by name, the largest first, on one line", () => {
    const mb = 2 ** 20;
    const shares = peakShares([
      { label: "cat", rssBytes: 1.5 * mb },
      { label: "onefed runner", rssBytes: 80 * mb },
      { label: "cat", rssBytes: 1.5 * mb },
      { label: "terraform", rssBytes: 90 * mb },
    ]);
    expect(shares).toEqual([
      { label: "terraform", count: 1, rssBytes: 90 * mb },
      { label: "onefed runner", count: 1, rssBytes: 80 * mb },
      { label: "cat", count: 2, rssBytes: 3 * mb },
    ]);
    expect(formatPeakShares(shares)).toBe("terraform 90, onefed runner 80, 2× cat 3 (MB)");
  });
});

describe("bench: the large processes' own largest", () => {
  test("the long-lived ones with their RSS and CPU, the others counted", () => {
    const mb = 2 ** 20;
    expect(
      formatLargest([
        { label: "terraform", pid: 4, rssBytes: 105 * mb, cpuTicks: 640 },
        { label: "onefed runner", pid: 5, rssBytes: 93 * mb, cpuTicks: 460 },
        { label: "terraform", pid: 6, rssBytes: 71 * mb, cpuTicks: 10 },
        { label: "synth-in-child", pid: 7, rssBytes: 78 * mb, cpuTicks: 99 },
      ]),
    ).toBe("terraform 105 MB 6.4 CPU-s, onefed runner 93 MB 4.6 CPU-s, + 2 shorter-lived");
  });
});
