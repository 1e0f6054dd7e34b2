/**
 * Runs one step on one zone: the program every step resource's local-exec calls. It loads the
 * same federation file as the synth, talks SSH, and exits non-zero with one paragraph on failure.
 */
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { Deadline } from "../remote/ssh/deadline";
import { STEPS } from "./steps/catalog";
import { STEP_FACTS, StepName } from "../model/steps";
import { StepOutcome } from "./step";
import { buildStepContext } from "./step-context";
import { Connector } from "./connector";

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
  const facts = STEP_FACTS[opts.step];
  const prefix = `[${opts.step} ${zoneLabel(zone)}]`;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const deadline = new Deadline(zone.stepTimeoutSeconds);
  const started = Date.now();
  const remoteLog = (line: string) => log(`${prefix} ${line.trimStart()}`);
  const connector = Connector.overSsh(config, deadline, remoteLog);
  const ctx = buildStepContext(config, zone, opts.step, remoteLog, connector);
  log(`${prefix} ${facts.description}`);
  try {
    const outcome = await definition.run(ctx);
    log(`${prefix} ${outcome.status === "already-done" ? "already done" : "done"}: ${outcome.summary} (${Date.now() - started} ms)`);
    return outcome;
  } finally {
    await connector.close();
  }
}
