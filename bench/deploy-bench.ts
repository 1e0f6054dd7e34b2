/**
 * One size of the deploy bench: a fresh 1+N sandbox, a full `onefed deploy`, a second deploy with
 * nothing to do, and, on a fresh sandbox of the same shape and addresses, the ideal replay of the
 * first deploy's remote commands. Everything is read from outside: the CLI's exit, the process
 * tree, the events file and the machines' command logs.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCommandLog, sandboxDown, sandboxUp, SandboxInfo, SandboxUpOptions } from "../sandbox";
import { MACHINE_DIR, SANDBOX_DIR } from "../sandbox/contract";
import { buildStepGraph } from "../lib/terraform/review/step-graph";
import { runDeploy, DeployRun } from "./deploy-run";
import { formatLargest, formatPeakShares, PeakShare } from "./tree-sampler";
import { freezeWindowBreakdown, WindowBreakdown } from "./freeze-window";
import { ReplayResult } from "./ideal-replay";
import { probeRoundTripShare, probeShare } from "./probe-classes";
import { buildReplayPlan, LoggedCommand, ReplayInputs, withReplayInputs } from "./replay-plan";
import {
  freezeWindowMs,
  parseRunTimeline,
  runCriticalPath,
  RunTimeline,
  stageGraph,
  StepKey,
  stepKey,
  stepsSpanMs,
  UNAVOIDABLE_STEPS,
  zoneDowntimesMs,
} from "./run-timeline";

export interface DeployFigures {
  readonly slaves: number;
  readonly timing?: string;
  readonly exitCode: number | null;
  /** Steps that ran, of those the run-start listed. */
  readonly stepsRan: number;
  readonly stepsPlanned: number;
  readonly wallMs: number;
  readonly stepsSpanMs: number;
  readonly criticalPathMs: number;
  /** "stack" when the stack's own edges were used, "stages" for the bound from run-start. */
  readonly graphSource: "stack" | "stages";
  readonly replay?: ReplayResult & { readonly cpuMs: number; readonly unmatchedEvents: number; readonly unmatchedLogLines: number };
  readonly treeCpuMs: number;
  /** node processes' CPU (onefed itself); the rest of the tree is the engine, its provider and shells. */
  readonly onefedCpuMs: number;
  /** The deploy process's own CPU (synth, engine driving). */
  readonly deployProcessCpuMs: number;
  readonly noopOnefedCpuMs: number;
  readonly peakRssBytes: number;
  readonly processesAtPeak: number;
  /** Who held the peak, the largest first. */
  readonly atPeak: readonly PeakShare[];
  readonly freezeWindowMs?: number;
  /** The chain of steps that held the freeze window open, and where their time went. */
  readonly freezeWindow?: WindowBreakdown;
  readonly unavoidableMs: number;
  readonly downtimesMs: readonly number[];
  readonly probes: number;
  /** SSH sessions that were probes only (a probe batch one session), of `roundTrips`. */
  readonly probeRoundTrips: number;
  readonly roundTrips: number;
  readonly remoteCommands: number;
  readonly noop: { readonly exitCode: number | null; readonly wallMs: number; readonly commands: number; readonly stepsRan: number };
}

export interface DeployBenchOptions {
  readonly root: string;
  readonly slaves: number;
  /** First loopback address of the sandbox (both the deploy's and the replay's, one after the other). */
  readonly addressBase: string;
  /** The sandbox's timing profile (`timing` option), when the sandbox offers one. @default none */
  readonly timing?: string;
  /** With a timing profile: its scale (`timingScale`, the fraction of real time). @default the sandbox's (0.1) */
  readonly timingScale?: number;
  /** Run the ideal replay (a second sandbox and the whole upgrade again). @default true */
  readonly replay?: boolean;
  readonly log: (line: string) => void;
}

/** The stack's step graph as step keys, from the deploy's output directory; undefined when it cannot be read. */
function stackGraph(outdir: string): Map<StepKey, StepKey[]> | undefined {
  try {
    const stacks = path.join(outdir, "stacks");
    const [stack] = fs.readdirSync(stacks);
    const g = buildStepGraph(JSON.parse(fs.readFileSync(path.join(stacks, stack, "cdk.tf.json"), "utf8")));
    const keyOf = new Map(g.nodes.map((n) => [n.id, stepKey(n.step, n.zoneId)]));
    return new Map(g.nodes.map((n) => [keyOf.get(n.id)!, n.after.map((a) => keyOf.get(a)!)]));
  } catch {
    return undefined;
  }
}

const logOfRun = (dir: string, run: DeployRun): LoggedCommand[] =>
  readCommandLog(dir).filter((e) => {
    const t = Date.parse(e.ts);
    return t >= run.startedAt && t <= run.endedAt;
  });

function machinesOf(info: SandboxInfo): Map<string, string> {
  return new Map(info.zones.flatMap((z) => [...z.frontends, ...z.nodes].map((m): [string, string] => [m.name, `${m.host}:${m.port}`])));
}

/**
 * What the deploy sent besides command lines, copied out of its sandbox (which goes down before the
 * replay): the ledger transactions' stdin the front-end shells kept, and the local artifacts it uploaded.
 */
function keptInputs(dir: string, to: string): ReplayInputs {
  const stdin = new Map<string, string>();
  const frontends = path.join(dir, SANDBOX_DIR.frontends);
  for (const fe of fs.readdirSync(frontends)) {
    const kept = path.join(frontends, fe, MACHINE_DIR.stdin);
    if (!fs.existsSync(kept)) continue;
    fs.mkdirSync(path.join(to, fe), { recursive: true });
    for (const name of fs.readdirSync(kept)) {
      const copy = path.join(to, fe, name);
      fs.copyFileSync(path.join(kept, name), copy);
      // `<ts>-<pid>`: the ts of the command's log line.
      stdin.set(`${fe}\0${name.slice(0, name.lastIndexOf("-"))}`, copy);
    }
  }
  const artifacts = path.join(dir, SANDBOX_DIR.artifacts);
  const uploads = new Map<string, string>();
  fs.mkdirSync(path.join(to, SANDBOX_DIR.artifacts), { recursive: true });
  for (const name of fs.existsSync(artifacts) ? fs.readdirSync(artifacts) : []) {
    if (!fs.statSync(path.join(artifacts, name)).isFile()) continue;
    const copy = path.join(to, SANDBOX_DIR.artifacts, name);
    fs.copyFileSync(path.join(artifacts, name), copy);
    uploads.set(name, copy);
  }
  return { stdinOf: (fe, ts) => stdin.get(`${fe}\0${ts}`), upload: (name) => uploads.get(name) };
}

async function up(dir: string, o: DeployBenchOptions): Promise<SandboxInfo> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  // `timing` is passed only when asked for: a sandbox without the option ignores nothing silently.
  const options = {
    dir,
    addressBase: o.addressBase,
    slaves: o.slaves,
    ...(o.timing ? { timing: o.timing } : {}),
    ...(o.timing && o.timingScale !== undefined ? { timingScale: o.timingScale } : {}),
  } as SandboxUpOptions;
  return sandboxUp(options);
}

/** Each kind of onefed node process's CPU in a run (`onefed runner 3.95, onefed deploy 1.21, synth-in-child 1.02 (CPU-s)`), the largest first. */
export function nodeCpuByKind(run: Pick<DeployRun, "nodeProcesses">): string {
  const by = new Map<string, number>();
  for (const p of run.nodeProcesses) {
    const kind = p.args[0]?.endsWith("onefed.js") ? `onefed ${p.args[1]}` : path.basename(p.args[0] ?? "node").replace(/\.js$/, "");
    by.set(kind, (by.get(kind) ?? 0) + p.cpu_ms);
  }
  return (
    [...by]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(3)}`)
      .join(", ") + " (CPU-s)"
  );
}

function onefedCpu(run: DeployRun, topPid?: number): { all: number; top: number } {
  const all = run.nodeProcesses.reduce((n, p) => n + p.cpu_ms, 0);
  const top = run.nodeProcesses.filter((p) => p.args[1] === "deploy" && (topPid === undefined || p.ppid === topPid)).reduce((n, p) => n + p.cpu_ms, 0);
  return { all, top };
}

function replayIn(root: string, planFile: string, loginFile: string, workDir: string): Promise<ReplayResult & { cpuMs: number }> {
  const timeFile = path.join(workDir, "replay.time");
  const script = path.join(root, "dist", "bench", "ideal-replay.js");
  return new Promise((resolve, reject) => {
    const p = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%U %S", process.execPath, script, planFile, loginFile, workDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the ideal replay failed (${code}): ${err.trim()}`));
      const [user, sys] = fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      resolve({ ...(JSON.parse(out) as ReplayResult), cpuMs: (user + sys) * 1000 });
    });
  });
}

async function idealReplay(
  o: DeployBenchOptions,
  base: string,
  replayDir: string,
  info: SandboxInfo,
  plan: ReturnType<typeof buildReplayPlan>,
  commands: number,
): Promise<DeployFigures["replay"]> {
  o.log(`1+${o.slaves}: ideal replay of ${commands} commands on a fresh sandbox`);
  await up(replayDir, o);
  const planFile = path.join(base, "replay-plan.json");
  const loginFile = path.join(base, "replay-login.json");
  fs.writeFileSync(planFile, JSON.stringify(plan));
  fs.writeFileSync(
    loginFile,
    JSON.stringify({ user: info.user, privateKeyPath: path.join(replayDir, "keys", "id_ed25519"), knownHostsPath: path.join(replayDir, "known_hosts") }),
  );
  let replay: NonNullable<DeployFigures["replay"]>;
  try {
    replay = { ...(await replayIn(o.root, planFile, loginFile, base)), unmatchedEvents: plan.unmatchedEvents, unmatchedLogLines: plan.unmatchedLogLines };
  } finally {
    await sandboxDown(replayDir);
  }
  fs.writeFileSync(path.join(os.tmpdir(), `onefed-bench-1p${o.slaves}-replay-differences.json`), JSON.stringify(replay.differences, null, 1));
  o.log(
    `1+${o.slaves}: replay ran ${replay.commands} commands over ${replay.masters} masters in ${(replay.wallMs / 1000).toFixed(1)} s; ${replay.differentExits} exited otherwise than in the deploy; ${plan.unmatchedEvents} events without a log line, ${plan.unmatchedLogLines} log lines without an event`,
  );
  return replay;
}

export async function deployBench(o: DeployBenchOptions): Promise<DeployFigures> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `onefed-bench-1p${o.slaves}-`));
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, "deploy");
  const replayDir = path.join(base, "replay");
  const cli = path.join(o.root, "dist", "lib", "cli", "onefed.js");
  const probe = path.join(o.root, "dist", "bench", "node-cpu-probe.js");
  try {
    o.log(`1+${o.slaves}: sandbox up at ${o.addressBase}`);
    const info = await up(dir, o);
    o.log(`1+${o.slaves}: deploy`);
    // The ledger's records the deploy sends, kept so that the replay sends them too.
    fs.writeFileSync(path.join(dir, SANDBOX_DIR.recordStdin), "");
    const first = await runDeploy({ cli, sandboxDir: dir, probe, name: "deploy" });
    fs.rmSync(path.join(dir, SANDBOX_DIR.recordStdin), { force: true });
    o.log(`1+${o.slaves}: deploy exited ${first.exitCode} after ${(first.wallMs / 1000).toFixed(1)} s; again, with nothing to do`);
    o.log(
      `1+${o.slaves}: peak ${Math.round(first.peakRssBytes / 2 ** 20)} MB, ${first.processesAtPeak} processes: ${formatPeakShares(first.atPeak)}; each large process's own largest: ${formatLargest(first.largest)}`,
    );
    const noop = await runDeploy({ cli, sandboxDir: dir, probe, name: "noop" });
    o.log(`1+${o.slaves}: node CPU in the deploy: ${nodeCpuByKind(first)}; in the no-op: ${nodeCpuByKind(noop)}`);
    const timeline: RunTimeline = parseRunTimeline(first.eventsText);
    const noopTimeline = noop.eventsText ? parseRunTimeline(noop.eventsText) : undefined;
    const fromStack = stackGraph(path.join(dir, "cdktf.out"));
    const graph = fromStack ?? stageGraph(timeline);
    const log = logOfRun(dir, first);
    const noopLog = logOfRun(dir, noop);
    const share = probeShare(log.map((e) => e.command));
    const roundTrips = probeRoundTripShare(log);
    const plan = buildReplayPlan(timeline, withReplayInputs(log, keptInputs(dir, path.join(base, "replay-inputs"))), machinesOf(info), graph);
    await sandboxDown(dir);

    // Kept for a closer look (the freeze window's breakdown reads them): the run's events and the stack's step graph.
    fs.writeFileSync(path.join(os.tmpdir(), `onefed-bench-1p${o.slaves}-${o.addressBase}-events.jsonl`), first.eventsText);
    fs.writeFileSync(path.join(os.tmpdir(), `onefed-bench-1p${o.slaves}-${o.addressBase}-graph.json`), JSON.stringify(Object.fromEntries(graph)));
    const replay = o.replay === false ? undefined : await idealReplay(o, base, replayDir, info, plan, log.length);
    const cpu = onefedCpu(first);
    const noopCpu = onefedCpu(noop);
    return {
      slaves: o.slaves,
      timing: o.timing,
      exitCode: first.exitCode,
      stepsRan: timeline.steps.size,
      stepsPlanned: timeline.stages.flat().length,
      wallMs: first.wallMs,
      stepsSpanMs: stepsSpanMs(timeline),
      criticalPathMs: runCriticalPath(timeline, graph).ms,
      graphSource: fromStack ? "stack" : "stages",
      replay,
      treeCpuMs: first.treeCpuMs,
      onefedCpuMs: cpu.all,
      deployProcessCpuMs: cpu.top,
      noopOnefedCpuMs: noopCpu.all,
      peakRssBytes: first.peakRssBytes,
      processesAtPeak: first.processesAtPeak,
      atPeak: first.atPeak,
      freezeWindowMs: freezeWindowMs(timeline),
      freezeWindow: freezeWindowBreakdown(timeline, graph),
      unavoidableMs: runCriticalPath(timeline, graph, UNAVOIDABLE_STEPS).ms,
      downtimesMs: [...zoneDowntimesMs(timeline).values()],
      probes: share.probes,
      remoteCommands: share.total,
      probeRoundTrips: roundTrips.probes,
      roundTrips: roundTrips.total,
      noop: { exitCode: noop.exitCode, wallMs: noop.wallMs, commands: noopLog.length, stepsRan: noopTimeline?.steps.size ?? 0 },
    };
  } finally {
    for (const d of [dir, replayDir]) await sandboxDown(d).catch(() => undefined);
    fs.rmSync(base, { recursive: true, force: true });
  }
}
