/** `onefed step <step> --zone <id> [--config F]`: what every step resource runs. */
import { loadConfig } from "../config/load-config";
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { ExitCode } from "../model/exit-codes";
import { runStep } from "../run/run-step";
import { watchForOrphaning } from "../run/orphan-watch";
import { STEP_FACTS, STEP_NAMES, StepName } from "../model/steps";
import { defineCommand, usageError } from "./command";
import { configOption } from "./common-options";
import { oneOf, zoneId } from "./options";

export const stepCommand = defineCommand(
  {
    name: "onefed step",
    summary: "run one upgrade step on one zone (what each resource calls)",
    description: `Runs one upgrade step on one zone over SSH: probe, act, verify. A step whose effect is already
there does nothing, so a re-run is safe. The stack's resources call this; run it by hand only to
resume or debug. Under \`onefed deploy\` and \`onefed apply\`, the resources' launcher
(bin/onefed-step) asks the run's warm runner instead and no \`onefed step\` process starts
(docs/warm-runner.md); this command always runs the step in its own process.`,
    positionals: { step: oneOf(STEP_NAMES, { value: "step", help: "the step to run, one of the steps above", required: true }) },
    options: {
      zone: zoneId({ value: "ID", help: "zone id from the federation file (sync and backup take the master's)", required: true }),
      config: configOption,
    },
    sections: [{ title: "Steps", body: STEP_NAMES.map((s) => `  ${s.padEnd(14)} ${STEP_FACTS[s].description}`).join("\n") }],
    exitCodes: [ExitCode.Failed, ExitCode.Locked],
  },
  async (args, out) => {
    const { config, zone, step } = stepTarget(args);
    // Terraform gone (killed, or stopping after SIGINT): stop before changing anything more, unwatched.
    const stopWatching = watchForOrphaning((why) => {
      try {
        process.stderr.write(
          `[${step} ${zoneLabel(zone)}] stopped: ${why}; nothing more is done and this step is not recorded complete. The next deploy runs it again.\n`,
        );
      } finally {
        process.exit(ExitCode.Failed);
      }
    });
    try {
      await runStep({ config, step, zone, log: out });
    } finally {
      stopWatching();
    }
    return ExitCode.Done;
  },
);

/**
 * The step and zone the arguments name, in their federation file (read by `load`): a zone the
 * file does not have, or a step that does not apply to it, is a usage error. The warm runner
 * resolves its requests the same way.
 */
export function stepTarget(
  args: { readonly step: StepName; readonly zone: number; readonly config?: string },
  load: (path?: string) => FederationConfig = loadConfig,
): { config: FederationConfig; zone: ZoneConfig; step: StepName } {
  const { step, zone: zoneId, config: configPath } = args;
  const config = load(configPath);
  const zone = config.zones.find((z) => z.id === zoneId);
  if (!zone) throw usageError("onefed step", `zone ${zoneId} is not in ${config.sourcePath} (zones: ${config.zones.map(zoneLabel).join(", ")})`);
  if (!STEP_FACTS[step].appliesTo(zone, config)) throw usageError("onefed step", `${step} does not apply to ${zoneLabel(zone)} (a ${zone.role})`);
  return { config, zone, step };
}
