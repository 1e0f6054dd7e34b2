/**
 * Runs one step on one zone: the program every step resource's local-exec calls. It loads the
 * same federation file as the synth, talks SSH, and exits non-zero with one paragraph on failure.
 */
import { FederationConfig, ZoneConfig, zoneLabel } from "../config/federation-config";
import { OpenNebulaFrontend } from "../opennebula/frontend";
import { Deadline } from "../ssh/deadline";
import { SshSession } from "../ssh/ssh-session";
import { artifactPaths } from "../steps/artifact";
import { STEPS } from "../steps/catalog";
import { StepContext, StepName, StepOutcome } from "../steps/step";
import { connectFrontend } from "./ssh-frontend";

export interface RunStepOptions {
  readonly config: FederationConfig;
  readonly step: StepName;
  readonly zone: ZoneConfig;
  /** Progress output. @default stdout */
  readonly log?: (line: string) => void;
}

export async function runStep(opts: RunStepOptions): Promise<StepOutcome> {
  const { config, zone } = opts;
  const definition = STEPS[opts.step];
  const prefix = `[${opts.step} ${zoneLabel(zone)}]`;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const deadline = new Deadline(zone.stepTimeoutSeconds);
  const started = Date.now();
  const connections = new Map<number, Promise<{ frontend: OpenNebulaFrontend; session: SshSession }>>();
  const frontendOf = async (z: ZoneConfig) => {
    if (!connections.has(z.id)) connections.set(z.id, connectFrontend(config, z, deadline, (line) => log(`${prefix} ${line.trimStart()}`)));
    return (await connections.get(z.id)!).frontend;
  };
  const ctx: StepContext = {
    config,
    zone,
    artifact: artifactPaths(config),
    log: (line) => log(`${prefix} ${line.trimStart()}`),
    frontend: () => frontendOf(zone),
    frontendOf,
  };
  log(`${prefix} ${definition.description}`);
  try {
    const outcome = await definition.run(ctx);
    log(`${prefix} ${outcome.status === "already-done" ? "already done" : "done"}: ${outcome.summary} (${Date.now() - started} ms)`);
    return outcome;
  } finally {
    await Promise.all([...connections.values()].map((c) => c.then((x) => x.session.close(), () => undefined)));
  }
}
