/**
 * `npm run bench`: onefed's costs, each against a baseline measured in the same run on the same
 * machine (absolute times on a shared 2-core box mean little), with issue 13's targets. docs/bench.md
 * says what each figure means and how it is measured.
 *
 *   runner start-up   `onefed step --help` vs `node -e 0`   (every step resource pays it)
 *   config load       the runner's federation-file load (compiled check) vs the same load with TypeBox's error list
 *   full deploys      1+N sandboxes (BENCH_SIZES=2,16,64, the default): wall vs critical path and vs an
 *                     ideal OpenSSH replay, CPU, peak memory, freeze window, downtime, probes, no-op
 *                     re-apply (bench/deploy-bench.ts; needs root; BENCH_SIZES=none skips them)
 *   100-zone graph    depends_on edges and `terraform plan` CPU-seconds with the stage barriers vs the
 *                     same resources with every-to-every edges, and vs no depends_on at all (the
 *                     per-resource floor), and vs one resource per step (before the chains); the
 *                     transitive dependency pairs the plan's cost follows
 *                     (bench/graph-scale.ts; BENCH_GRAPH=0 skips it)
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { BenchRow, deployRows, formatRows } from "./bench-table";
import { deployBench } from "./deploy-bench";
import { formatBreakdown } from "./freeze-window";
import { graphScale } from "./graph-scale";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const root = path.resolve(__dirname, "..", "..");
/** Third octet of the first sandbox's loopback addresses; each size takes the next. */
const NET = Number(process.env.BENCH_NET ?? 220);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeSpawn(args: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

const msRow = (figure: string, baselineName: string, baseline: number, value: number): BenchRow => ({
  figure,
  value: `${value.toFixed(1)} ms`,
  baseline: `${baselineName} ${baseline.toFixed(1)} ms`,
  ratio: value / baseline,
});

/** BENCH_SIZES: slave counts, comma-separated; "none" for no deploy. */
function sizes(): number[] {
  const raw = process.env.BENCH_SIZES ?? "2,16,64";
  if (raw === "none" || raw === "") return [];
  const out = raw.split(",").map((x) => Number(x.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) throw new Error(`BENCH_SIZES=${raw}: expected slave counts such as 2,16,64 (or none)`);
  return out;
}

async function main(): Promise<void> {
  const cli = path.join(root, "dist", "lib", "cli", "onefed.js");
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const rows: BenchRow[] = [];
  const windows: string[] = [];

  const nodeBare = timeSpawn(["-e", "0"]);
  rows.push(msRow("runner start (step --help)", "node -e 0", nodeBare, timeSpawn([cli, "step", "--help"])));
  rows.push(msRow("cli start (--help)", "node -e 0", nodeBare, timeSpawn([cli, "--help"])));
  const fixture = path.join(root, "test", "fixtures", "federation.yaml");
  const load = `require(${JSON.stringify(path.join(root, "dist", "lib", "config", "load-config.js"))}).loadConfig(${JSON.stringify(fixture)})`;
  const withTypeBox = `require("@sinclair/typebox/value").Value.Errors(require(${JSON.stringify(path.join(root, "dist", "lib", "config", "schema.js"))}).FederationFileSchema, {}).First(); ${load}`;
  rows.push(msRow("config load (runner)", "with TypeBox", timeSpawn(["-e", withTypeBox]), timeSpawn(["-e", load])));

  const timing = process.env.BENCH_TIMING || undefined;
  const timingScale = process.env.BENCH_TIMING_SCALE ? Number(process.env.BENCH_TIMING_SCALE) : undefined;
  if (timingScale !== undefined && !(timingScale > 0))
    throw new Error(`BENCH_TIMING_SCALE=${process.env.BENCH_TIMING_SCALE}: expected a fraction of real time such as 0.1`);
  const replay = process.env.BENCH_REPLAY !== "0";
  const wanted = sizes();
  if (wanted.length > 0 && process.getuid?.() !== 0) log("full deploys skipped: the sandbox needs root");
  else
    for (const [i, slaves] of wanted.entries()) {
      try {
        const figures = await deployBench({ root, slaves, addressBase: `127.0.${NET + i}.1`, timing, timingScale, replay, log });
        rows.push(...deployRows(figures));
        if (figures.freezeWindow) windows.push(`1+${slaves} ${formatBreakdown(figures.freezeWindow).join("\n")}`);
      } catch (err) {
        rows.push({
          figure: `1+${slaves} deploy bench`,
          value: "ERROR",
          baseline: (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 200),
        });
      }
    }

  if (process.env.BENCH_GRAPH !== "0") {
    log("100-zone synth and plan");
    const g = await graphScale(root);
    rows.push(
      { figure: `${g.zones}-zone graph edges`, value: `${g.edges}`, baseline: `every-to-every ${g.baselineEdges}`, ratio: g.edges / g.baselineEdges },
      { figure: `${g.zones}-zone synth`, value: `${g.synthCpuSeconds.toFixed(1)} CPU-s`, baseline: `${g.resources} resources` },
      {
        figure: `${g.zones}-zone terraform plan`,
        value: `${g.planCpuSeconds.toFixed(1)} CPU-s`,
        baseline: `every-to-every ${g.baselinePlanCpuSeconds.toFixed(1)} CPU-s`,
        ratio: g.planCpuSeconds / g.baselinePlanCpuSeconds,
        target: "≤ 6 CPU-s",
        met: g.planCpuSeconds <= 6,
      },
      {
        figure: `${g.zones}-zone plan without depends_on`,
        value: `${g.unorderedPlanCpuSeconds.toFixed(1)} CPU-s`,
        baseline: `with barriers ${g.planCpuSeconds.toFixed(1)} CPU-s`,
        ratio: g.unorderedPlanCpuSeconds / g.planCpuSeconds,
      },
      {
        figure: `${g.zones}-zone plan, steps in chains`,
        value: `${g.planCpuSeconds.toFixed(1)} CPU-s`,
        baseline: `one resource per step ${g.unfoldedPlanCpuSeconds.toFixed(1)} CPU-s`,
        ratio: g.planCpuSeconds / g.unfoldedPlanCpuSeconds,
      },
      { figure: `${g.zones}-zone dependency pairs`, value: `${g.dependencyPairs}`, baseline: `${g.resources} resources` },
      {
        figure: `${g.zones}-zone pairs, one resource per step`,
        value: `${g.unfoldedDependencyPairs}`,
        baseline: `${g.unfoldedResources} resources`,
      },
    );
  }
  const head = `onefed bench · node ${process.version} · ${new Date().toISOString()} · sandbox timing ${timing ?? "default"}${timing && timingScale !== undefined ? ` × ${timingScale}` : ""}${replay ? "" : " · no replay"} · micro figures: median of ${ROUNDS}`;
  process.stdout.write(`${head}\n${formatRows(rows)}\n`);
  // What fills each freeze window: the chain of steps that held it open ("+": not unavoidable work).
  for (const w of windows) process.stdout.write(`\n${w}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
