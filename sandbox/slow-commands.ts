/**
 * Slow commands: an emulated tool whose command line matches stays running for a while after it
 * did its work and wrote its output, as a package install or `onedb upgrade` on a big machine
 * prints progress long before it ends. Tests use it to see output arrive while a command runs and
 * silent commands get their "still running" line.
 */
import { SlowCommand, readState, updateState } from "./frontend-state";
import { SandboxLayout } from "./layout";

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Host side: from now on, commands on `fe` whose line contains `match` stay running `seconds` longer. */
export function addSlowCommand(layout: SandboxLayout, fe: string, slow: SlowCommand): void {
  updateState(layout, fe, (st) => {
    st.slowCommands = [...(st.slowCommands ?? []).filter((s) => s.match !== slow.match), { ...slow }];
  });
}

/** Host side: every command on `fe` runs at its own pace again. */
export function clearSlowCommands(layout: SandboxLayout, fe: string): void {
  updateState(layout, fe, (st) => {
    delete st.slowCommands;
  });
}

/** Emulator side, after the tool's output: waits as long as the first matching slow command says. */
export function lingerIfSlow(layout: SandboxLayout, fe: string, commandLine: string): void {
  const slow = (readState(layout, fe).slowCommands ?? []).find((s) => commandLine.includes(s.match));
  if (slow) Atomics.wait(sleepCell, 0, 0, slow.seconds * 1000);
}
