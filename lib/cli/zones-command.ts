/**
 * `onefed unfreeze` and `onefed verify`: the stack's unfreeze and verify steps on demand, across the
 * federation in the safe order (master first for unfreeze), without terraform.
 */
import { FederationConfig, zoneLabel } from "../model/federation";
import { loadConfig } from "../config/load-config";
import { describeError } from "../model/errors";
import { runStep } from "../run/run-step";
import { STEP_FACTS } from "../model/steps";
import { StepName } from "../model/steps";
import { flag, parseArgs } from "./args";

export const UNFREEZE_HELP = `Usage: onefed unfreeze [--config FILE]

Lifts the freeze by hand after a failed run: \`onezone enable\` through each zone's own endpoint,
the master first, then the slaves (a slave's enable goes through the master). Zones already
enabled are left alone. Exit 0 when every zone is enabled, 1 otherwise.
`;

export const VERIFY_HELP = `Usage: onefed verify [--config FILE]

Runs the post-upgrade checks on every zone: installed version and DB versions equal the target and
the target's services active on every front-end (every server of an HA zone), exactly one Raft
leader with the followers in sync, the zone ENABLED, and (on the master) every FED_INDEX equal.
Read-only. Exit 0 when every zone passes, 1 otherwise (each failure is printed).
`;

async function eachZone(step: StepName, config: FederationConfig, out: (s: string) => void, sequential: boolean): Promise<number> {
  const run = async (zone: FederationConfig["zones"][number]) => {
    try {
      await runStep({ config, step, zone, log: out });
      return true;
    } catch (err) {
      out(`${zoneLabel(zone)}: ${describeError(err)}`);
      return false;
    }
  };
  let ok: boolean[];
  const applies = (z: FederationConfig["zones"][number]) => STEP_FACTS[step].appliesTo(z, config);
  if (sequential) {
    // The master first: a slave's enable is refused while the master is disabled (docs/opennebula.md §4.5).
    const master = applies(config.master) ? [await run(config.master)] : [];
    ok = [...master, ...(await Promise.all(config.slaves.filter(applies).map(run)))];
  } else ok = await Promise.all(config.zones.filter(applies).map(run));
  const failed = ok.filter((x) => !x).length;
  out(failed === 0 ? `${step}: every zone passed` : `${step}: ${failed} of ${config.zones.length} zones failed`);
  return failed === 0 ? 0 : 1;
}

export async function runUnfreezeCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) return out(UNFREEZE_HELP), 0;
  const args = parseArgs(argv, { values: ["config"], booleans: [] }, "onefed unfreeze");
  return eachZone("unfreeze", loadConfig(flag(args, "config")), out, true);
}

export async function runVerifyCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) return out(VERIFY_HELP), 0;
  const args = parseArgs(argv, { values: ["config"], booleans: [] }, "onefed verify");
  return eachZone("verify", loadConfig(flag(args, "config")), out, false);
}
