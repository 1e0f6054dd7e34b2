/**
 * Holds: the next command on a machine whose line contains a text waits before it runs, until the
 * host releases it (it then runs) or kills it (it never runs, and its SSH session drops). A test
 * uses one to stop a run at an exact point, e.g. to kill the whole deploy while zone 100's
 * `onezone disable` is in flight.
 *
 * Both sides meet in the machine's state.json: the host arms a hold, the front-end shell (through
 * the emulator's injection check, which starts only while the pending marker exists) marks it held
 * with its own pid and polls until the state says released; the host kills that shell (and the
 * sshd processes serving its session) for a kill.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { Hold, readState, updateState } from "./frontend-state";
import { SandboxLayout } from "./layout";

const POLL_MS = 25;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Default seconds a held command waits for its release before it runs anyway (a forgotten hold never wedges a sandbox). */
export const DEFAULT_HOLD_TIMEOUT_SECONDS = 300;

/** Arms a hold; returns its id. */
export function armHold(layout: SandboxLayout, fe: string, match: string, timeoutSeconds: number): string {
  const id = `hold-${crypto.randomBytes(4).toString("hex")}`;
  updateState(layout, fe, (st) => {
    st.holds = [...(st.holds ?? []), { id, match, timeoutSeconds, state: "armed" }];
  });
  return id;
}

/** A machine's holds as state.json has them now. */
export function readHolds(layout: SandboxLayout, fe: string): Hold[] {
  return readState(layout, fe).holds ?? [];
}

/**
 * Front-end shell side: when an armed hold matches the command line, marks it held by `shellPid`
 * and waits until it is released, dropped, or its timeout passes (then drops it itself). Returns
 * whether the command was held. Cheap when nothing is armed.
 */
export function holdIfArmed(layout: SandboxLayout, fe: string, commandLine: string, shellPid: number): boolean {
  const armed = (h: Hold): boolean => h.state === "armed" && commandLine.includes(h.match);
  // Every command reaches here while anything is pending: only a candidate takes the lock.
  if (!readHolds(layout, fe).some(armed)) return false;
  const hold = updateState(layout, fe, (st) => {
    const h = (st.holds ?? []).find(armed);
    if (!h) return undefined;
    Object.assign(h, { state: "held", command: commandLine, pid: shellPid, heldAt: new Date().toISOString() });
    return { ...h };
  });
  if (!hold) return false;
  const deadline = Date.now() + hold.timeoutSeconds * 1000;
  for (;;) {
    const now = readHolds(layout, fe).find((h) => h.id === hold.id);
    if (!now) return true;
    if (now.state === "released" || Date.now() > deadline) {
      dropHold(layout, fe, hold.id);
      return true;
    }
    Atomics.wait(sleepCell, 0, 0, POLL_MS);
  }
}

function dropHold(layout: SandboxLayout, fe: string, id: string): void {
  updateState(layout, fe, (st) => {
    st.holds = (st.holds ?? []).filter((h) => h.id !== id);
  });
}

/** Which hold a host-side call means: by id, else the first whose match is this text, else the only one. */
export function selectHold(holds: readonly Hold[], select: { readonly id?: string; readonly match?: string }): Hold | undefined {
  if (select.id !== undefined) return holds.find((h) => h.id === select.id);
  const candidates = select.match !== undefined ? holds.filter((h) => h.match === select.match) : holds;
  return candidates.find((h) => h.state === "held") ?? candidates[0];
}

/**
 * Host side: lets a held command run (it is dropped by its shell), or disarms a hold that has not
 * caught anything yet. Waits up to `waitMs` for the shell to pick the release up; a shell that is
 * gone meanwhile (killed from elsewhere) has its hold dropped here.
 */
export async function releaseHold(layout: SandboxLayout, fe: string, hold: Hold, waitMs = 5000): Promise<void> {
  if (hold.state !== "held") return dropHold(layout, fe, hold.id);
  updateState(layout, fe, (st) => {
    const h = (st.holds ?? []).find((x) => x.id === hold.id);
    if (h) h.state = "released";
  });
  const deadline = Date.now() + waitMs;
  while (readHolds(layout, fe).some((h) => h.id === hold.id)) {
    if (!processAlive(hold.pid!) || Date.now() > deadline) return dropHold(layout, fe, hold.id);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Host side (root): kills a held command before it runs, together with its SSH session: the front-end
 * shell, everything it started, and the sshd processes serving that connection (never the machine's
 * listening sshd, `listenerPid`). The client sees its connection drop, as when a machine's session
 * dies mid-command. A hold not yet held is only disarmed.
 */
export async function killHold(layout: SandboxLayout, fe: string, hold: Hold, listenerPid: number | undefined): Promise<number[]> {
  if (hold.state !== "held" || hold.pid === undefined) {
    dropHold(layout, fe, hold.id);
    return [];
  }
  const victims = [...sessionAncestors(hold.pid, listenerPid), hold.pid, ...descendants(hold.pid)];
  for (const pid of victims) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* exited meanwhile */
    }
  }
  const deadline = Date.now() + 3000;
  while (victims.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  dropHold(layout, fe, hold.id);
  return victims;
}

/** Whether a process runs (a zombie does not). */
export function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return parseInt(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1], 10);
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

/** The sshd processes between a session's shell and the listener (`sshd: user [priv]`, `sshd: user@notty`). */
function sessionAncestors(pid: number, listenerPid: number | undefined): number[] {
  const found: number[] = [];
  for (let p = parentOf(pid); p !== undefined && p > 1 && p !== listenerPid && /^sshd\b/.test(cmdline(p)); p = parentOf(p)) found.push(p);
  return found;
}

/** Every descendant of a process, from one scan of /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const parent = parentOf(Number(d));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(d)]);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}
