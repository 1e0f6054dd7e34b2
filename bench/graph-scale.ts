/**
 * Synth + `terraform plan` of a 100-zone federation (hosts.manage, so every zone has 10 steps), with
 * the stage barriers as synthesized and, as the baselines in the same run, the same resources with
 * every barrier replaced by direct every-to-every edges (the graph before the barriers existed) and
 * the same resources with no depends_on at all (the per-resource floor: what the plan costs without
 * any ordering), and the same steps one resource each (the graph before a zone's back-to-back steps
 * were folded into chains). CPU-seconds (user + sys) of the engine process, from /usr/bin/time; edges as
 * depends_on lists them. The dependency pairs are the figure the plan's cost follows (docs/bench.md,
 * "Where the 100-zone plan's CPU goes"): they do not depend on the machine's load.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine } from "../lib/terraform/engine/ensure-engine";
import { NULL_PROVIDER_VERSION_ENV } from "../lib/model/environment";
import { synthesize } from "../lib/synth/synthesize";

type Resources = Record<string, { depends_on?: string[]; triggers?: Record<string, string> }>;
interface Stack {
  resource: { null_resource: Resources };
  output?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
}

export interface GraphScaleFigures {
  readonly zones: number;
  readonly resources: number;
  readonly edges: number;
  readonly baselineResources: number;
  readonly baselineEdges: number;
  readonly synthCpuSeconds: number;
  readonly planCpuSeconds: number;
  readonly baselinePlanCpuSeconds: number;
  /** Σ over resources of the resources each depends on transitively (barriers resolved or not, the same). */
  readonly dependencyPairs: number;
  /** `terraform plan` of the same resources without any depends_on. */
  readonly unorderedPlanCpuSeconds: number;
  /** The same steps one resource each (before the chains): resources, dependency pairs, plan CPU-seconds. */
  readonly unfoldedResources: number;
  readonly unfoldedDependencyPairs: number;
  readonly unfoldedPlanCpuSeconds: number;
}

/** The federation file of `zones` zones: the master and `zones - 1` slaves, one front-end each. */
function federationYaml(root: string, dir: string, zones: number): string {
  const fixtures = path.join(root, "test", "fixtures");
  const lines = [
    `federation: { name: scale, fromVersion: "6.10.0", toVersion: "7.0.0" }`,
    `ssh: { user: root, privateKeyPath: ${path.join(fixtures, "id_ed25519_fixture")}, knownHostsPath: ${path.join(fixtures, "known_hosts")} }`,
    `backup: { localDirectory: ${path.join(dir, "artifacts")} }`,
    `hosts: { manage: true }`,
    "zones:",
    `  - { id: 0, name: M, role: master, endpoint: "http://10.0.0.1:2633/RPC2", frontends: [ { host: 10.0.0.1 } ] }`,
  ];
  for (let i = 1; i < zones; i++) {
    const host = `10.1.${Math.floor(i / 200)}.${(i % 200) + 10}`;
    lines.push(`  - { id: ${99 + i}, name: S-${99 + i}, role: slave, endpoint: "http://${host}:2633/RPC2", frontends: [ { host: ${host} } ] }`);
  }
  return lines.join("\n") + "\n";
}

/** The same stack without barriers: a dependency on a barrier becomes one on every step behind it. */
export function withoutBarriers(stack: Stack): Stack {
  const res = stack.resource.null_resource;
  const isBarrier = (address: string) => typeof res[address.replace(/^null_resource\./, "")]?.triggers?.barrier === "string";
  const behind = (address: string): string[] =>
    (res[address.replace(/^null_resource\./, "")].depends_on ?? []).flatMap((d) => (isBarrier(d) ? behind(d) : [d]));
  const flat: Resources = {};
  for (const [name, r] of Object.entries(res)) {
    if (typeof r.triggers?.barrier === "string") continue;
    flat[name] = { ...r, depends_on: [...new Set((r.depends_on ?? []).flatMap((d) => (isBarrier(d) ? behind(d) : [d])))] };
  }
  return { ...stack, resource: { ...stack.resource, null_resource: flat } };
}

/**
 * The same steps one resource each, as before they were folded into chains: a chain's steps become
 * `zone_<id>_<step>` resources, the first with the chain's depends_on, each other after the one before
 * it, and a dependency on the chain one on its last step. The same order, one resource per step.
 */
export function unfolded(stack: Stack): Stack {
  const res = stack.resource.null_resource;
  type Res = Resources[string] & { provisioner?: unknown[] };
  const lastOf = new Map<string, string>();
  const out: Resources = {};
  const stepsOf = (r: Res) => (typeof r.triggers?.steps === "string" ? r.triggers.steps.split(",") : []);
  for (const [name, r] of Object.entries(res) as [string, Res][]) {
    const steps = stepsOf(r);
    if (steps.length > 0) lastOf.set(`null_resource.${name}`, `null_resource.zone_${r.triggers!.zone_id}_${steps[steps.length - 1].replace(/-/g, "_")}`);
  }
  const deps = (r: Res) => [...new Set((r.depends_on ?? []).map((d) => lastOf.get(d) ?? d))];
  for (const [name, r] of Object.entries(res) as [string, Res][]) {
    const steps = stepsOf(r);
    if (steps.length === 0) {
      out[name] = { ...r, depends_on: deps(r) };
      continue;
    }
    const { steps: _steps, ...triggers } = r.triggers!;
    steps.forEach((step, i) => {
      const own = `zone_${triggers.zone_id}_${step.replace(/-/g, "_")}`;
      const previous = i === 0 ? deps(r) : [`null_resource.zone_${triggers.zone_id}_${steps[i - 1].replace(/-/g, "_")}`];
      out[own] = { ...r, triggers: { ...triggers, step }, provisioner: r.provisioner?.slice(i, i + 1), depends_on: previous } as Res;
    });
  }
  // The outputs that read a chain (a zone's safety backup) read its last step.
  const output =
    stack.output && (JSON.parse(JSON.stringify(stack.output).replace(/null_resource\.[A-Za-z0-9_-]+/g, (a) => lastOf.get(a) ?? a)) as Stack["output"]);
  return { ...stack, ...(output ? { output } : {}), resource: { ...stack.resource, null_resource: out } };
}

/** The same stack without any depends_on: what the plan costs per resource, with no join at all. */
export function withoutEdges(stack: Stack): Stack {
  const bare: Resources = {};
  for (const [name, { depends_on: _dependsOn, ...r }] of Object.entries(stack.resource.null_resource)) bare[name] = r;
  return { ...stack, resource: { ...stack.resource, null_resource: bare } };
}

/**
 * Σ over resources of how many resources each depends on transitively. Terraform builds exactly
 * these sets (its `dependencies`, AttachDependenciesTransformer) for every resource node of the plan
 * and again of the apply graph it checks, and sorts each by address: the part of the plan that grows
 * with the ordering, whatever the number of declared edges.
 */
export function dependencyPairs(stack: Stack): number {
  const res = stack.resource.null_resource;
  const memo = new Map<string, Set<string>>();
  const ancestors = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const set = new Set<string>();
    for (const d of res[name].depends_on ?? []) {
      const dep = d.replace(/^null_resource\./, "");
      if (!(dep in res)) continue;
      set.add(dep);
      for (const a of ancestors(dep)) set.add(a);
    }
    memo.set(name, set);
    return set;
  };
  return Object.keys(res).reduce((n, name) => n + ancestors(name).size, 0);
}

const edgesOf = (stack: Stack) => Object.values(stack.resource.null_resource).reduce((n, r) => n + (r.depends_on ?? []).length, 0);

/** CPU-seconds of one `terraform plan` of `stack` in a fresh directory (init not counted). */
function planCpu(binary: string, env: NodeJS.ProcessEnv, dir: string, stack: Stack): number {
  fs.mkdirSync(dir, { recursive: true });
  const { backend: _backend, ...terraform } = (stack.terraform ?? {}) as Record<string, unknown>;
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ ...stack, terraform }));
  const init = spawnSync(binary, ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`init failed in ${dir}: ${init.stderr || init.stdout}`);
  const timed = spawnSync("/usr/bin/time", ["-f", "%U %S", binary, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.tfplan"], {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (timed.status !== 0) throw new Error(`plan failed in ${dir}: ${timed.stderr.slice(-2000)}`);
  const [user, sys] = timed.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return user + sys;
}

export async function graphScale(root: string, zones = 100): Promise<GraphScaleFigures> {
  const engine = await ensureEngine();
  const env = { ...process.env, ...engine.env };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-bench-graph-"));
  try {
    fs.mkdirSync(path.join(dir, "artifacts"));
    const configPath = path.join(dir, "federation.yaml");
    fs.writeFileSync(configPath, federationYaml(root, dir, zones));
    const cpu = process.cpuUsage();
    const { stack, outdir } = synthesize({ configPath, outdir: path.join(dir, "cdktf.out"), nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
    const used = process.cpuUsage(cpu);
    const synthesized = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as Stack;
    const baseline = withoutBarriers(synthesized);
    const perStep = unfolded(synthesized);
    return {
      zones,
      resources: Object.keys(synthesized.resource.null_resource).length,
      edges: edgesOf(synthesized),
      baselineResources: Object.keys(baseline.resource.null_resource).length,
      baselineEdges: edgesOf(baseline),
      synthCpuSeconds: (used.user + used.system) / 1e6,
      planCpuSeconds: planCpu(engine.binary, env, path.join(dir, "barriers"), synthesized),
      baselinePlanCpuSeconds: planCpu(engine.binary, env, path.join(dir, "all-to-all"), baseline),
      dependencyPairs: dependencyPairs(synthesized),
      unorderedPlanCpuSeconds: planCpu(engine.binary, env, path.join(dir, "no-edges"), withoutEdges(synthesized)),
      unfoldedResources: Object.keys(perStep.resource.null_resource).length,
      unfoldedDependencyPairs: dependencyPairs(perStep),
      unfoldedPlanCpuSeconds: planCpu(engine.binary, env, path.join(dir, "one-per-step"), perStep),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
