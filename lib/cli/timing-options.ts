/**
 * `--timing fast|realistic` and `--timing-scale F`: the sandbox's timing profile (docs/sandbox.md,
 * Timing profile), for `sandbox up` and `demo` alike.
 */
import { DEFAULT_TIMING_SCALE, MAX_TIMING_SCALE, MIN_TIMING_SCALE, TIMING_PROFILES, TimingProfile, timingProblem } from "../../sandbox/timing-profile";
import { usageError } from "./command";
import { oneOf, text } from "./options";

export const timingOptions = {
  timing: oneOf(TIMING_PROFILES, {
    help: "how long the emulated commands take: fast, as fast as the machine allows;\nrealistic, a real front-end's durations (package installs, onedb on the DB's size,\nstopping and starting OpenNebula) times --timing-scale, with progress lines\n(docs/sandbox.md, Timing profile); on an existing sandbox it switches the profile",
    defaultNote: "fast",
  }),
  "timing-scale": text({
    value: "F",
    help: `with --timing realistic: the fraction of real time, ${MIN_TIMING_SCALE} to ${MAX_TIMING_SCALE}\n(1: real durations; 0.1: a 1+2 upgrade in a few minutes)`,
    defaultNote: String(DEFAULT_TIMING_SCALE),
  }),
};

/** The options as sandboxUp takes them; a usage error of `command` for a scale that is no number or out of range. */
export function sandboxTiming(
  command: string,
  a: { readonly timing?: TimingProfile; readonly "timing-scale"?: string },
): { readonly timing?: TimingProfile; readonly timingScale?: number } {
  const timingScale = a["timing-scale"] === undefined ? undefined : Number(a["timing-scale"]);
  const notANumber = timingScale !== undefined && Number.isNaN(timingScale) ? `--timing-scale ${a["timing-scale"]} is not a number` : undefined;
  // Without --timing, a scale applies to the sandbox's own realistic profile (checked by sandboxUp).
  const problem = notANumber ?? (a.timing ? timingProblem(a.timing, timingScale) : undefined);
  if (problem) throw usageError(command, problem);
  return { timing: a.timing, timingScale };
}
