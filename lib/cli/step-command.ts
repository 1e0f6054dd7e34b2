/** `onefed step <step> --zone <id> [--config F]`: what every step resource runs. */
import { loadConfig } from "../config/load-config";
import { zoneLabel } from "../model/federation";
import { UsageError } from "../model/errors";
import { runStep } from "../run/run-step";
import { STEP_FACTS, STEP_NAMES, StepName } from "../model/steps";
import { flag, parseArgs } from "./args";

export const STEP_HELP = `Usage: onefed step <step> --zone <id> [--config FILE]

Runs one upgrade step on one zone over SSH: probe, act, verify. A step whose effect is already
there does nothing, so a re-run is safe. Exit 0 on success, 1 on failure or refusal, 2 on bad input.
The stack's resources call this; run it by hand only to resume or debug.

Steps:
${STEP_NAMES.map((s) => `  ${s.padEnd(14)} ${STEP_FACTS[s].description}`).join("\n")}

Options:
  --zone ID       zone id from the federation file (sync and backup take the master's)
  --config FILE   federation file (default: $FEDERATION_CONFIG or ./federation.yaml)
`;

export async function runStepCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(STEP_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["zone", "config"], booleans: [] }, "onefed step");
  const step = args.positional[0] as StepName | undefined;
  if (!step || !STEP_NAMES.includes(step)) throw new UsageError(`onefed step: expected a step name (${STEP_NAMES.join(", ")}), got ${step ?? "nothing"}`);
  const zoneArg = flag(args, "zone");
  if (zoneArg === undefined || !/^\d+$/.test(zoneArg)) throw new UsageError("onefed step: --zone <id> is required (a zone id from the federation file)");
  const config = loadConfig(flag(args, "config"));
  const zone = config.zones.find((z) => z.id === Number(zoneArg));
  if (!zone) throw new UsageError(`onefed step: zone ${zoneArg} is not in ${config.sourcePath} (zones: ${config.zones.map(zoneLabel).join(", ")})`);
  if (!STEP_FACTS[step].appliesTo(zone, config)) throw new UsageError(`onefed step: ${step} does not apply to ${zoneLabel(zone)} (a ${zone.role})`);
  await runStep({ config, step, zone, log: out });
  return 0;
}
