/**
 * Failure injection: a pending entry in a front-end's state makes the next command line that
 * contains its `match` fail with the given exit status and stderr, `times` times.
 */
import * as fs from "fs";
import { Injection, updateState } from "./frontend-state";
import { SandboxLayout } from "./layout";

/** Default exit status of an injected failure (what ssh reports for most remote errors). */
export const DEFAULT_INJECTED_EXIT = 255;
/** Default stderr of an injected failure. */
export const DEFAULT_INJECTED_STDERR = "Injected failure";

/** Queues an injection on a front-end. */
export function addInjection(layout: SandboxLayout, fe: string, inj: Injection): void {
  updateState(layout, fe, (st) => {
    st.injections.push({ ...inj });
  });
}

/** Takes one use of the first injection matching the command line, if any (cheap when none is pending). */
export function consumeInjection(layout: SandboxLayout, fe: string, commandLine: string): Injection | undefined {
  if (!fs.existsSync(layout.injectionsMarker(fe))) return undefined;
  return updateState(layout, fe, (st) => {
    const i = st.injections.findIndex((j) => commandLine.includes(j.match));
    if (i < 0) return undefined;
    const hit = { ...st.injections[i] };
    st.injections[i].times -= 1;
    if (st.injections[i].times <= 0) st.injections.splice(i, 1);
    return hit;
  });
}
