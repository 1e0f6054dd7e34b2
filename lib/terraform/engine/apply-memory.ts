/**
 * The Go garbage collector's target for the engine's apply. terraform (and the null provider, which
 * inherits its environment) lives beside the warm runner for the whole apply; with Go's default
 * (GOGC=100) its heap grows to twice what it holds live before it collects. GOGC=50 keeps it nearer
 * that live size, at the cost of more frequent collections: docs/engine.md ("Memory of the apply")
 * has the numbers. Only the apply gets it: `onefed plan` of a large federation is CPU-bound and
 * runs with Go's default.
 */

/** GOGC of our applies, unless the operator set their own. */
export const APPLY_GOGC = "50";

/**
 * The apply's environment: `env` with GOGC=APPLY_GOGC, unless it already sets GOGC or GOMEMLIMIT
 * (the operator tuned the Go runtime themselves; an empty value counts as unset, as Go reads it).
 */
export function applyMemoryEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.GOGC || env.GOMEMLIMIT) return env;
  return { ...env, GOGC: APPLY_GOGC };
}
