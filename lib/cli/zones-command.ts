/**
 * `onefed unfreeze` and `onefed verify`: the stack's unfreeze and verify steps on demand, across the
 * federation in the safe order (master first for unfreeze), without terraform.
 */
import { loadConfig } from "../config/load-config";
import { describeError, isExpectedFailure } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { STEP_FACTS, StepName } from "../model/steps";
import { runStep } from "../run/run-step";
import { StepRefusal } from "../run/step-refusal";
import { defineCommand, Output } from "./command";
import { configOption } from "./common-options";
import { flag } from "./options";
import { unfreezeByHand } from "../run/operator-actions";

/**
 * Runs `step` on every zone it applies to and gives each zone's exit code: `refused` for a refusal
 * (the step found the zone not as expected), the error's own code for another expected failure
 * (another run holds the lock: 5), 1 for the rest (SSH, a command that failed).
 */
async function eachZone(step: StepName, config: FederationConfig, out: Output, sequential: boolean, refused: ExitCode): Promise<ExitCode[]> {
  const run = async (zone: ZoneConfig): Promise<ExitCode> => {
    try {
      // verify on demand checks; it takes no lock and records nothing (an upgrade may be running).
      await runStep({ config, step, zone, log: out, readOnly: step === "verify" });
      return ExitCode.Done;
    } catch (err) {
      out(`${zoneLabel(zone)}: ${describeError(err)}`);
      if (err instanceof StepRefusal) return refused;
      return isExpectedFailure(err) ? (err.exitCode as ExitCode) : ExitCode.Failed;
    }
  };
  const applies = (z: ZoneConfig) => STEP_FACTS[step].appliesTo(z, config);
  if (!sequential) return Promise.all(config.zones.filter(applies).map(run));
  // The master first: a slave's enable is refused while the master is disabled (docs/opennebula.md §4.5).
  const master = applies(config.master) ? [await run(config.master)] : [];
  return [...master, ...(await Promise.all(config.slaves.filter(applies).map(run)))];
}

/** What the zones' codes mean for the whole command: the most telling one, a failure first (zones may be frozen). */
const PRECEDENCE: readonly ExitCode[] = [ExitCode.Failed, ExitCode.Usage, ExitCode.Locked, ExitCode.NotReady];
const overall = (codes: readonly ExitCode[]): ExitCode => PRECEDENCE.find((c) => codes.includes(c)) ?? codes.find((c) => c !== ExitCode.Done) ?? ExitCode.Done;

/** `verify: 2 not as expected, 1 could not be checked (of 3 zones)`. */
function summary(step: StepName, codes: readonly ExitCode[]): string {
  const words: Partial<Record<ExitCode, string>> = {
    [ExitCode.NotReady]: "not as expected",
    [ExitCode.Failed]: step === "verify" ? "could not be checked" : "failed",
    [ExitCode.Usage]: "refused the input",
    [ExitCode.Locked]: "locked by another run",
  };
  const bad = [...new Set(codes.filter((c) => c !== ExitCode.Done))];
  if (bad.length === 0) return `${step}: every zone passed`;
  return `${step}: ${bad.map((c) => `${codes.filter((x) => x === c).length} ${words[c] ?? `exit ${c}`}`).join(", ")} (of ${codes.length} zones)`;
}

export const unfreezeCommand = defineCommand(
  {
    name: "onefed unfreeze",
    summary: "lift the freeze by hand (onezone enable, master first); refused while an upgrade holds the lock",
    description: `Lifts the freeze by hand: \`onezone enable\` through each zone's own endpoint, the master first, then
the slaves (a slave's enable goes through the master), or removes exactly onefed's firewall rules.
Zones already enabled are left alone. The federation's ledger forgets the freeze and the FED_INDEX
sync, so the next deploy freezes again and proves the sync again before any zone stops.
While an upgrade holds the federation lock (a run under way, or one that failed and was not
resumed) it refuses, because users could then write to zones that are stopped or half upgraded;
\`--force\` lifts the freeze anyway, with a warning.`,
    options: {
      config: configOption,
      force: flag({ help: "lift the freeze although an upgrade holds the federation lock (the next deploy freezes again)" }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked],
  },
  async ({ config, force }, out) => unfreezeByHand(loadConfig(config), { force }, out),
);

export const verifyCommand = defineCommand(
  {
    name: "onefed verify",
    summary: "post-upgrade checks on every zone (versions, services, zone enabled, FED_INDEX)",
    description: `Runs the post-upgrade checks on every zone: installed version and DB versions equal the target and
the target's services active on every front-end (every server of an HA zone), exactly one Raft
leader with the followers in sync, the zone ENABLED, and (on the master) every FED_INDEX equal.
Read-only; each failure is printed. Exit 3 when a zone is not as expected (not upgraded, not
healthy), 1 when a zone could not be checked (SSH, a command that failed), 5 when another run holds
the federation's lock; the first of 1, 5, 3 that applies to some zone.`,
    options: { config: configOption },
    exitCodes: [ExitCode.Failed, ExitCode.NotReady, ExitCode.Locked],
  },
  async ({ config }, out) => {
    const codes = await eachZone("verify", loadConfig(config), out, false, ExitCode.NotReady);
    out(summary("verify", codes));
    return overall(codes);
  },
);

export const runUnfreezeCommand = unfreezeCommand.run;
export const runVerifyCommand = verifyCommand.run;
