/**
 * A process as /proc/<pid>/stat describes it (proc(5)): its parent, CPU ticks and resident set.
 * The command name is in parentheses and may itself hold spaces and parentheses, so the fields
 * are counted from the last ")".
 */
import * as fs from "fs";
import * as path from "path";

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime, clock ticks (USER_HZ, 100 on Linux). */
  readonly cpuTicks: number;
  /** Resident set, pages. */
  readonly rssPages: number;
  /** Forked and not (yet) exec'd: the kernel's PF_FORKNOEXEC in the stat's flags. @default false */
  readonly forkedNoExec?: boolean;
}

/** PF_FORKNOEXEC (include/linux/sched.h): set on every new task, cleared by execve. */
const PF_FORKNOEXEC = 0x40;

/** Parses one stat line; undefined when it is not one. */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  // After ")": state(3) ppid(4) … flags(9) … utime(14) stime(15) … rss(24): index i is field i + 3.
  const f = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  if (f.length < 22 || !Number.isInteger(pid)) return undefined;
  const stat = { pid, comm: line.slice(open + 1, close), ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) };
  return (Number(f[6]) & PF_FORKNOEXEC) !== 0 ? { ...stat, forkedNoExec: true } : stat;
}

/** Every process now (those that exit while being read are skipped). */
export function readAllProcStats(procDir = "/proc"): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseProcStat(fs.readFileSync(`${procDir}/${name}/stat`, "utf8"));
      if (s) out.push(s);
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** `root` and every process below it. */
export function processTree(all: readonly ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of all) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)!).push(p);
  const out: ProcStat[] = [];
  const top = all.find((p) => p.pid === root);
  const queue = top ? [top] : [];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** A clone this large, not exec'd yet, with its parent's name and resident set, is taken for one that shares its parent's pages. */
const SHARED_CLONE_MIN_PAGES = (8 * 2 ** 20) / 4096;

/**
 * Whether a process is a clone of its parent caught between fork and exec that still shares the
 * parent's pages: Go's os/exec (terraform starting each local-exec shell) clones with CLONE_VM, so
 * until the child execs, /proc shows the parent's whole resident set a second time. Such a child
 * has not exec'd, bears its parent's name and the same RSS (within 1 %); small forks that live on
 * (a shell's subshell) are left alone: they count as they always did.
 */
export function sharesParentPages(p: ProcStat, parent: ProcStat | undefined): boolean {
  if (!p.forkedNoExec || !parent || p.comm !== parent.comm || p.rssPages < SHARED_CLONE_MIN_PAGES) return false;
  return Math.abs(p.rssPages - parent.rssPages) <= parent.rssPages / 100;
}

/**
 * A short name for a process of the deploy's tree, for the peak's breakdown: a node process by what
 * it runs (`onefed deploy`, `onefed runner`, or its script's file name), any other by its command
 * name (the kernel cuts it to 15 characters: `terraform-provi` is the null provider).
 */
export function processLabel(comm: string, argv: readonly string[]): string {
  if (comm !== "node" && !/^node\b/.test(path.basename(argv[0] ?? ""))) return comm;
  // The script is the first argument that is not an option (nor --require's or -r's module).
  const at = argv.findIndex((a, i) => i > 0 && !a.startsWith("-") && !["-r", "--require"].includes(argv[i - 1]));
  if (at < 0) return "node";
  const name = path.basename(argv[at]).replace(/\.js$/, "");
  const next = argv[at + 1];
  return name === "onefed" && next && !next.startsWith("-") ? `onefed ${next}` : name;
}

/** /proc/<pid>/cmdline as an argv; empty when the process is gone (or a kernel thread). */
export function readArgv(pid: number, procDir = "/proc"): string[] {
  try {
    return fs
      .readFileSync(`${procDir}/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a, i, all) => a !== "" || i < all.length - 1);
  } catch {
    return [];
  }
}
