/** Environment variables that pass facts between onefed's own processes (synth, engine, runner). */

/** The null provider version our offline mirror holds; set by the engine environment, read by the synth (docs/engine.md). */
export const NULL_PROVIDER_VERSION_ENV = "ONEFED_NULL_PROVIDER_VERSION";
