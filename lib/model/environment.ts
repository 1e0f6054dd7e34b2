/** Environment variables that pass facts between onefed's own processes (synth, engine, runner). */

/** The null provider version our offline mirror holds; set by the engine environment, read by the synth (docs/engine.md). */
export const NULL_PROVIDER_VERSION_ENV = "ONEFED_NULL_PROVIDER_VERSION";

/** The run's id, set by `onefed deploy`/`apply` for every step they start (lib/model/ledger.ts RunIdentity). */
export const RUN_ID_ENV = "ONEFED_RUN_ID";

/** The terraform state's lineage, set by `onefed deploy`/`apply`: the same upgrade across re-runs. */
export const STATE_LINEAGE_ENV = "ONEFED_STATE_LINEAGE";

/** The run directory of a `onefed deploy`/`apply` (step logs, engine output), set for every step it starts (docs/events.md). */
export const RUN_DIR_ENV = "ONEFED_RUN_DIR";

/** The run's JSON-lines events file (`--events`, default inside the run directory), set for every step (docs/events.md). */
export const EVENTS_FILE_ENV = "ONEFED_EVENTS";

/** Seconds a remote command may stay silent before a "still running" line. @default 30 (docs/events.md) */
export const HEARTBEAT_SECONDS_ENV = "ONEFED_HEARTBEAT_SECONDS";

/** The duration history's file (docs/estimates.md). @default <backup.localDirectory>/history.jsonl */
export const HISTORY_FILE_ENV = "ONEFED_HISTORY_FILE";

/** Who the history's lines say measured them: deploy, apply or rehearsal. @default the command (deploy or apply) */
export const HISTORY_SOURCE_ENV = "ONEFED_HISTORY_SOURCE";

/** The warm runner's request FIFO, set by `onefed deploy`/`apply` for every step: bin/onefed-step asks the runner (docs/warm-runner.md). */
export const RUNNER_FIFO_ENV = "ONEFED_RUNNER_FIFO";

/** The warm runner's pid, set with RUNNER_FIFO_ENV: bin/onefed-step fails fast when it is gone. */
export const RUNNER_PID_ENV = "ONEFED_RUNNER_PID";

/** `0`/`off`/`false` runs every step in its own process, as `--no-warm-runner` does (docs/warm-runner.md). @default on */
export const WARM_RUNNER_ENV = "ONEFED_WARM_RUNNER";
