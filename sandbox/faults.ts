/**
 * Fault injection at a point, for tests of what a run survives: hold a machine's next matching
 * command before it runs, wait until it is held, then release it or kill it with its SSH session;
 * make a machine's disk full for real. (Failures and partial runs: `injectFailure` in control.ts.)
 */
import { openSandbox } from "./control";
import {
  DEFAULT_DISK_FULL_PATH,
  DEFAULT_DISK_FULL_SIZE,
  DiskFullMount,
  checkDiskFullPath,
  diskFullMounts,
  mountDiskFull,
  parseSize,
  unmountDiskFull,
} from "./disk-full";
import { SandboxError } from "./errors";
import { Hold } from "./frontend-state";
import { DEFAULT_HOLD_TIMEOUT_SECONDS, armHold, killHold, readHolds, releaseHold, selectHold } from "./holds";
import { runningSshdPid } from "./sshd";
import { addSlowCommand, clearSlowCommands } from "./slow-commands";
import { CommandHold, HeldCommand } from "./types";

/** Which hold a call means: its id (holdCommand's result), else its match text, else the machine's only or first held one. */
export interface HoldSelector {
  readonly id?: string;
  readonly match?: string;
}

/**
 * Arms a hold: the next command on the machine whose line contains `match` (exec or sftp, checked by
 * the front-end shell before it runs, after it is logged) waits until `releaseCommand`. Returns its id.
 */
export function holdCommand(dir: string, hold: CommandHold): string {
  const { layout } = openSandbox(dir, hold.frontend);
  if (!hold.match) throw new SandboxError("a hold needs a non-empty match");
  const timeout = hold.timeoutSeconds ?? DEFAULT_HOLD_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeout) || timeout < 1) throw new SandboxError(`a hold's timeout is a positive number of seconds (got ${hold.timeoutSeconds})`);
  return armHold(layout, hold.frontend, hold.match, timeout);
}

function held(frontend: string, h: Hold): HeldCommand {
  return { frontend, id: h.id, match: h.match, command: h.command!, pid: h.pid!, heldAt: h.heldAt! };
}

/** The machine's commands held right now. */
export function heldCommands(dir: string, frontend: string): HeldCommand[] {
  const { layout } = openSandbox(dir, frontend);
  return readHolds(layout, frontend)
    .filter((h) => h.state === "held")
    .map((h) => held(frontend, h));
}

/** Resolves once the selected hold holds a command; rejects after `timeoutMs` or when there is no such hold. */
export async function waitUntilHeld(dir: string, frontend: string, select: HoldSelector & { readonly timeoutMs?: number } = {}): Promise<HeldCommand> {
  const { layout } = openSandbox(dir, frontend);
  const deadline = Date.now() + (select.timeoutMs ?? 60_000);
  for (;;) {
    const h = selectHold(readHolds(layout, frontend), select);
    if (!h) throw new SandboxError(`${frontend} has no hold ${select.id ?? JSON.stringify(select.match ?? "")} (released, or never armed)`);
    if (h.state === "held") return held(frontend, h);
    if (Date.now() > deadline) throw new SandboxError(`no command on ${frontend} matched ${JSON.stringify(h.match)} within ${select.timeoutMs ?? 60_000} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Lets the selected held command run, or with `kill` kills it before it runs, together with its SSH
 * session (the front-end shell, its children, and the sshd processes of that connection: the
 * client's connection drops). A hold that holds nothing yet is disarmed. Returns the command it
 * held, if any. Killing needs root (the host side of the sandbox).
 */
export async function releaseCommand(dir: string, frontend: string, select: HoldSelector & { readonly kill?: boolean } = {}): Promise<HeldCommand | undefined> {
  const { layout } = openSandbox(dir, frontend);
  const h = selectHold(readHolds(layout, frontend), select);
  if (!h) throw new SandboxError(`${frontend} has no hold ${select.id ?? JSON.stringify(select.match ?? "")}`);
  if (select.kill) await killHold(layout, frontend, h, runningSshdPid(layout, frontend));
  else await releaseHold(layout, frontend, h);
  return h.state === "held" ? held(frontend, h) : undefined;
}

/**
 * Makes the machine's disk full at `path` (default the runner's backup directory): a tmpfs of `size`
 * (default one page, "4k") over it inside the machine's namespace, holding what the directory held;
 * writes beyond it fail with ENOSPC. `full: false` takes it away again, keeping what was written.
 * Needs root and the machine's sshd running.
 */
export function setDiskFull(
  dir: string,
  frontend: string,
  full: boolean,
  opts: { readonly path?: string; readonly size?: string } = {},
): DiskFullMount | undefined {
  const { layout } = openSandbox(dir, frontend);
  const onePath = checkDiskFullPath(opts.path ?? DEFAULT_DISK_FULL_PATH);
  const pid = runningSshdPid(layout, frontend);
  if (pid === undefined) throw new SandboxError(`${frontend}'s sshd is not running: a full disk lives in its namespace (run \`onefed sandbox up\` first)`);
  if (!full) {
    unmountDiskFull(frontend, layout, pid, onePath);
    return undefined;
  }
  return mountDiskFull(layout, frontend, pid, onePath, parseSize(opts.size ?? DEFAULT_DISK_FULL_SIZE));
}

/** The machine's full disks now (none when its sshd is down). */
export function diskFullOf(dir: string, frontend: string): DiskFullMount[] {
  const { layout } = openSandbox(dir, frontend);
  const pid = runningSshdPid(layout, frontend);
  return pid === undefined ? [] : diskFullMounts(pid);
}

/**
 * Makes a machine's commands whose line contains `match` stay running `seconds` after their output
 * (a long command whose output arrives before it ends); `seconds: 0` makes every command there
 * run at its own pace again.
 */
export function setSlowCommand(dir: string, frontend: string, slow: { readonly match: string; readonly seconds: number }): void {
  const { layout } = openSandbox(dir, frontend);
  if (slow.seconds === 0) return clearSlowCommands(layout, frontend);
  if (!slow.match) throw new SandboxError("a slow command needs a non-empty match");
  if (!(slow.seconds > 0 && slow.seconds <= 3600)) throw new SandboxError(`a slow command's seconds are from 0 to 3600 (got ${slow.seconds})`);
  addSlowCommand(layout, frontend, slow);
}
