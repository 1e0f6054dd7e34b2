/**
 * `npm run bench`: costs on the step runner's hot path, each as a ratio against a baseline measured
 * in the same run on the same machine (absolute times on a shared 2-core box mean little).
 *
 *   runner start-up   `onefed step --help` vs `node -e 0`   (every step resource pays it)
 *   config load       the runner's federation-file load (compiled check) vs the same load that also
 *                     builds TypeBox's error list, as every step did before the check was generated
 *   100-zone graph    depends_on edges and `terraform plan` CPU-seconds with the stage barriers vs the
 *                     same resources with every-to-every edges (bench/graph-scale.ts; BENCH_GRAPH=0 skips it)
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { graphScale } from "./graph-scale";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const root = path.resolve(__dirname, "..", "..");

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

function row(name: string, baselineName: string, baseline: number, value: number): string {
  return `${name.padEnd(28)} ${value.toFixed(1).padStart(8)} ms   baseline ${baselineName.padEnd(22)} ${baseline.toFixed(1).padStart(8)} ms   ratio ${(value / baseline).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const cli = path.join(root, "dist", "lib", "cli", "onefed.js");
  const lines: string[] = [`onefed benchmarks (median of ${ROUNDS}; node ${process.version})`];

  const nodeBare = timeSpawn(["-e", "0"]);
  lines.push(row("runner start (step --help)", "node -e 0", nodeBare, timeSpawn([cli, "step", "--help"])));
  lines.push(row("cli start (--help)", "node -e 0", nodeBare, timeSpawn([cli, "--help"])));
  const fixture = path.join(root, "test", "fixtures", "federation.yaml");
  const load = `require(${JSON.stringify(path.join(root, "dist", "lib", "config", "load-config.js"))}).loadConfig(${JSON.stringify(fixture)})`;
  const withTypeBox = `require("@sinclair/typebox/value").Value.Errors(require(${JSON.stringify(path.join(root, "dist", "lib", "config", "schema.js"))}).FederationFileSchema, {}).First(); ${load}`;
  lines.push(row("config load (runner)", "load with TypeBox", timeSpawn(["-e", withTypeBox]), timeSpawn(["-e", load])));

  if (process.env.BENCH_GRAPH !== "0") {
    const g = await graphScale(root);
    lines.push(
      `${g.zones}-zone graph: ${g.resources} resources, ${g.edges} depends_on edges   baseline every-to-every: ${g.baselineResources} resources, ${g.baselineEdges} edges   ratio ${(g.edges / g.baselineEdges).toFixed(2)}×`,
      `${g.zones}-zone synth`.padEnd(28) + ` ${g.synthCpuSeconds.toFixed(1).padStart(8)} CPU-s`,
      `${`${g.zones}-zone terraform plan`.padEnd(28)} ${g.planCpuSeconds.toFixed(1).padStart(8)} CPU-s  baseline ${"every-to-every".padEnd(22)} ${g.baselinePlanCpuSeconds.toFixed(1).padStart(8)} CPU-s  ratio ${(g.planCpuSeconds / g.baselinePlanCpuSeconds).toFixed(2)}×`,
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
