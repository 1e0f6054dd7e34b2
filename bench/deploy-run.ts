/**
 * One `onefed deploy` as an operator runs it (the built CLI, plain console, default settings) on a
 * sandbox, measured from outside: wall time, the CPU of its whole process tree (the kernel's
 * accounting of every reaped descendant, through /usr/bin/time), each node process's own CPU, the
 * peak of the tree's summed RSS, its events and the commands the machines logged meanwhile.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LargeProcess, PeakShare, TreeSampler } from "./tree-sampler";

export interface NodeProcessCpu {
  readonly pid: number;
  readonly ppid: number;
  /** argv[1..3]: the script and its first arguments (`…/onefed.js`, `step`, `upgrade`). */
  readonly args: readonly string[];
  readonly cpu_ms: number;
}

export interface DeployRun {
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** User + system CPU of the deploy and every descendant it reaped. */
  readonly treeCpuMs: number;
  /** The node processes (onefed's own) that exited normally. */
  readonly nodeProcesses: readonly NodeProcessCpu[];
  readonly peakRssBytes: number;
  readonly processesAtPeak: number;
  /** Who held the peak (each process's name and RSS at that sample), the largest first. */
  readonly atPeak: readonly PeakShare[];
  /** The largest RSS each large process reached, and its CPU (the tree sampler's `largest`). */
  readonly largest: readonly LargeProcess[];
  readonly eventsText: string;
  /** When it started and ended (epoch ms), to cut the command logs. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Where its console output went. */
  readonly outputFile: string;
}

export interface DeployRunOptions {
  /** The built CLI, dist/lib/cli/onefed.js. */
  readonly cli: string;
  readonly sandboxDir: string;
  /** dist/bench/node-cpu-probe.js. */
  readonly probe: string;
  /** A name for this run's files in the sandbox directory. */
  readonly name: string;
}

export async function runDeploy(o: DeployRunOptions): Promise<DeployRun> {
  const files = (suffix: string) => path.join(o.sandboxDir, `bench-${o.name}.${suffix}`);
  const [events, time, cpu, outputFile] = [files("events.jsonl"), files("time"), files("node-cpu.jsonl"), files("output.txt")];
  for (const f of [events, time, cpu]) fs.rmSync(f, { force: true });
  const out = fs.openSync(outputFile, "w");
  const argv = [
    "-o",
    time,
    "-f",
    "%U %S",
    process.execPath,
    o.cli,
    "deploy",
    "--config",
    "federation.yaml",
    "--out",
    "cdktf.out",
    "--events",
    events,
    "--console",
    "plain",
    // The default unless the bench is told otherwise (BENCH_PARALLELISM): what an operator gets.
    ...(process.env.BENCH_PARALLELISM ? ["--parallelism", process.env.BENCH_PARALLELISM] : []),
  ];
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${o.probe}`].filter(Boolean).join(" ");
  const startedAt = Date.now();
  const t0 = process.hrtime.bigint();
  const child = spawn("/usr/bin/time", argv, {
    cwd: o.sandboxDir,
    stdio: ["ignore", out, out],
    env: { ...process.env, NODE_OPTIONS: nodeOptions, BENCH_NODE_CPU_FILE: cpu },
  });
  const sampler = new TreeSampler(child.pid!).start();
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const endedAt = Date.now();
  const peak = sampler.stop();
  fs.closeSync(out);
  const [user, sys] = fs.readFileSync(time, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  const nodeProcesses = fs.existsSync(cpu)
    ? fs
        .readFileSync(cpu, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as NodeProcessCpu)
    : [];
  return {
    exitCode,
    wallMs,
    treeCpuMs: (user + sys) * 1000,
    nodeProcesses,
    peakRssBytes: peak.peakRssBytes,
    processesAtPeak: peak.processesAtPeak,
    atPeak: peak.atPeak,
    largest: peak.largest,
    eventsText: fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "",
    startedAt,
    endedAt,
    outputFile,
  };
}
