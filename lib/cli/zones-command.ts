/**
 * `onefed unfreeze` and `onefed verify`: the stack's unfreeze and verify steps on demand, across the
 * federation in the safe order (master first for unfreeze), without terraform.
 */
import { loadConfig } from "../config/load-config";
import { describeError } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { STEP_FACTS, StepName } from "../model/steps";
import { runStep } from "../run/run-step";
import { StepRefusal } from "../run/step-refusal";
import { defineCommand, Output } from "./command";
import { configOption } from "./common-options";

/** How one zone's step ended. */
type ZoneOutcome = "passed" | "refused" | "failed";

/**
 * Runs `step` on every zone it applies to and says how each ended: a refusal is the step finding
 * the zone not as expected; any other error (SSH, a command that failed) is a step that could not run.
 */
async function eachZone(step: StepName, config: FederationConfig, out: Output, sequential: boolean): Promise<ZoneOutcome[]> {
  const run = async (zone: ZoneConfig): Promise<ZoneOutcome> => {
    try {
      await runStep({ config, step, zone, log: out });
      return "passed";
    } catch (err) {
      out(`${zoneLabel(zone)}: ${describeError(err)}`);
      return err instanceof StepRefusal ? "refused" : "failed";
    }
  };
  const applies = (z: ZoneConfig) => STEP_FACTS[step].appliesTo(z, config);
  if (!sequential) return Promise.all(config.zones.filter(applies).map(run));
  // The master first: a slave's enable is refused while the master is disabled (docs/opennebula.md §4.5).
  const master = applies(config.master) ? [await run(config.master)] : [];
  return [...master, ...(await Promise.all(config.slaves.filter(applies).map(run)))];
}

const count = (outcomes: readonly ZoneOutcome[], which: ZoneOutcome) => outcomes.filter((o) => o === which).length;

export const unfreezeCommand = defineCommand(
  {
    name: "onefed unfreeze",
    summary: "lift the freeze by hand after a failed run (onezone enable, master first)",
    description: `Lifts the freeze by hand after a failed run: \`onezone enable\` through each zone's own endpoint,
the master first, then the slaves (a slave's enable goes through the master). Zones already
enabled are left alone. Exit 0 when every zone is enabled, 1 otherwise (zones may still be frozen).`,
    options: { config: configOption },
    exitCodes: [ExitCode.Failed],
  },
  async ({ config }, out) => {
    const outcomes = await eachZone("unfreeze", loadConfig(config), out, true);
    const failed = outcomes.length - count(outcomes, "passed");
    out(failed === 0 ? "unfreeze: every zone passed" : `unfreeze: ${failed} of ${outcomes.length} zones failed`);
    return failed === 0 ? ExitCode.Done : ExitCode.Failed;
  },
);

export const verifyCommand = defineCommand(
  {
    name: "onefed verify",
    summary: "post-upgrade checks on every zone (versions, services, zone enabled, FED_INDEX)",
    description: `Runs the post-upgrade checks on every zone: installed version and DB versions equal the target and
the target's services active on every front-end (every server of an HA zone), exactly one Raft
leader with the followers in sync, the zone ENABLED, and (on the master) every FED_INDEX equal.
Read-only; each failure is printed. Exit 3 when a zone is not as expected (not upgraded, not
healthy), 1 when a zone could not be checked (SSH, a command that failed); 1 wins over 3.`,
    options: { config: configOption },
    exitCodes: [ExitCode.Failed, ExitCode.NotReady],
  },
  async ({ config }, out) => {
    const outcomes = await eachZone("verify", loadConfig(config), out, false);
    const refused = count(outcomes, "refused");
    const failed = count(outcomes, "failed");
    if (refused + failed === 0) {
      out("verify: every zone passed");
      return ExitCode.Done;
    }
    const parts = [...(refused > 0 ? [`${refused} not as expected`] : []), ...(failed > 0 ? [`${failed} could not be checked`] : [])];
    out(`verify: ${parts.join(", ")} (of ${outcomes.length} zones)`);
    return failed > 0 ? ExitCode.Failed : ExitCode.NotReady;
  },
);

export const UNFREEZE_HELP = unfreezeCommand.help;
export const VERIFY_HELP = verifyCommand.help;
export const runUnfreezeCommand = unfreezeCommand.run;
export const runVerifyCommand = verifyCommand.run;
