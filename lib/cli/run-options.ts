/**
 * Options of the commands that run an upgrade (deploy, apply): where the events go and what the
 * console shows. Apart from common-options.ts because `onefed step` loads that one, and it must not
 * load the console.
 */
import { CONSOLE_MODES } from "../terraform/console/run-console";
import { flag, oneOf, text } from "./options";

/** `--events FILE`: the run's JSON-lines events (deploy, apply). */
export const eventsOption = text({
  value: "FILE",
  help: "write the run's events there, one JSON object per line (docs/events.md);\nappended to, so CI can tail it",
  defaultNote: "events.jsonl in the run directory, <backup.localDirectory>/runs/<run id>/",
});

/** `--console MODE`: the progress view or plain lines (deploy, apply). */
export const consoleOption = oneOf(CONSOLE_MODES, {
  value: "MODE",
  help: "progress: a compact progress view redrawn in place (terraform's output goes to\nthe run directory); plain: timestamped lines, no cursor movement (CI);\nauto: progress on a terminal, plain otherwise",
  default: "auto",
});

/** `--ignore-window`: run outside the maintenance window (deploy, apply). */
export const ignoreWindowOption = flag({
  help: "run even when now, or the estimated end, is outside the federation file's\nmaintenance window (refused with exit 7 otherwise; recorded in run-start)",
});

/** `--no-warm-runner`: every step in its own process, as before the warm runner (deploy, apply). */
export const noWarmRunnerOption = flag({
  help: "run every step in its own `onefed step` process instead of the run's warm\nrunner (docs/warm-runner.md); ONEFED_WARM_RUNNER=0 does the same",
});
