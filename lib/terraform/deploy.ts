/**
 * Synthesize and apply with a real engine: `terraform init` + `apply` in the stack directory, or
 * the cdktf CLI's `deploy` (what pipelines run), both with our engine environment.
 */
import * as path from "path";
import { synthesize } from "../synth/synthesize";
import { loadConfig } from "../config/load-config";
import { OnefedError } from "../model/errors";
import { ensureEngine, engineEnv } from "./engine";
import { projectRoot } from "./project-root";
import { spawnStreaming } from "./spawn-streaming";
import { NULL_PROVIDER_VERSION_ENV } from "../model/environment";

export interface DeployOptions {
  readonly configPath?: string;
  /** cdktf output directory. @default <cwd>/cdktf.out */
  readonly outdir?: string;
  /** `engine` calls terraform directly; `cdktf` runs `cdktf deploy`. @default "engine" */
  readonly via?: "engine" | "cdktf";
  /** Terraform -parallelism. @default zones + 2 (the widest stage), at least 10 */
  readonly parallelism?: number;
  readonly log?: (line: string) => void;
}

export class DeployError extends OnefedError {}

/** At least the widest stage (every zone at once) so no stage is serialized; more costs nothing. */
export function defaultParallelism(zoneCount: number): number {
  return Math.max(10, zoneCount + 2);
}

export async function deploy(opts: DeployOptions = {}): Promise<{ stackDir: string; output: string }> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const config = loadConfig(opts.configPath);
  const engine = await ensureEngine({ log });
  const env = { ...engineEnv(engine), FEDERATION_CONFIG: config.sourcePath };
  const parallelism = opts.parallelism ?? defaultParallelism(config.zones.length);
  const outdir = path.resolve(opts.outdir ?? "cdktf.out");

  if (opts.via === "cdktf") {
    const root = projectRoot();
    const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
    // `providers lock` asks the registry for every platform's checksums; offline it cannot, and our
    // mirror's own init records the local checksum anyway.
    const r = await spawnStreaming(cdktf, ["deploy", "--auto-approve", "--skip-provider-lock", "--no-color", `--terraform-parallelism=${parallelism}`, "--output", outdir], {
      cwd: root,
      env: { ...env, CI: "1" },
      onLine: log,
    });
    if (r.exitCode !== 0) throw new DeployError(`cdktf deploy failed (exit ${r.exitCode}); the failing step's message is above. Fix the cause and deploy again: finished steps will not run again.`);
    return { stackDir: path.join(outdir, "stacks", `federation-${config.name}`), output: r.output };
  }

  const { stack } = synthesize({ configPath: config.sourcePath, outdir, nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
  const stackDir = path.join(outdir, "stacks", stack);
  log(`synthesized ${stack} → ${stackDir}`);
  const tf = (args: string[]) => spawnStreaming(engine.binary, args, { cwd: stackDir, env, onLine: log });
  // -reconfigure: the state lives where federation.yaml says (terraform.stateFile); the stack directory
  // is a cache that two federation files with the same name share, so its recorded backend is no authority.
  const init = await tf(["init", "-input=false", "-no-color", "-reconfigure"]);
  if (init.exitCode !== 0) throw new DeployError(`${engine.kind} init failed in ${stackDir} (exit ${init.exitCode}); see its output above.`);
  const apply = await tf(["apply", "-input=false", "-no-color", "-auto-approve", `-parallelism=${parallelism}`]);
  if (apply.exitCode !== 0) {
    throw new DeployError(
      `${engine.kind} apply failed (exit ${apply.exitCode}); the failing step's message is above. Zones may still be frozen (onezone disable): ` +
        `\`onefed unfreeze\` lifts the freeze by hand if you stop here. ` +
        `Fix the cause and deploy again: finished steps will not run again and the failed one resumes.`,
    );
  }
  return { stackDir, output: init.output + apply.output };
}
