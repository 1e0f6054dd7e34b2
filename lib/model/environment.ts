/** Environment variables that pass facts between onefed's own processes (synth, engine, runner). */

/** The null provider version our offline mirror holds; set by the engine environment, read by the synth (docs/engine.md). */
export const NULL_PROVIDER_VERSION_ENV = "ONEFED_NULL_PROVIDER_VERSION";

/** The run's id, set by `onefed deploy`/`apply` for every step they start (lib/model/ledger.ts RunIdentity). */
export const RUN_ID_ENV = "ONEFED_RUN_ID";

/** The terraform state's lineage, set by `onefed deploy`/`apply`: the same upgrade across re-runs. */
export const STATE_LINEAGE_ENV = "ONEFED_STATE_LINEAGE";
