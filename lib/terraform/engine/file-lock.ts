import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineLockTimeoutError } from "./errors";

/** What the lock holder writes into the lock directory. */
export interface LockOwner {
  /** Process id of the holder. */
  readonly pid: number;
  /** Host name of the holder; a pid means nothing on another host (shared cache on NFS). */
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** What the holder is doing, for the waiting message. */
  readonly purpose: string;
}

/** Options for withLock. */
export interface LockOptions {
  /** Give up after this long. @default 30 minutes (a cold OpenTofu build takes several) */
  readonly timeoutMs?: number;
  /** Poll interval while waiting. @default 500 */
  readonly pollMs?: number;
  /** Progress lines (who we wait for). */
  readonly log?: (line: string) => void;
}

const OWNER_FILE = "owner.json";
/** A lock directory without an owner file older than this was left by a crash between mkdir and write. */
const OWNERLESS_GRACE_MS = 10_000;
/** A lock held by another host for longer than this is considered abandoned. */
const FOREIGN_HOST_MAX_MS = 2 * 60 * 60 * 1000;

/** Whether a process exists (signal 0 only checks). EPERM means it exists but is not ours. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether a lock can be taken over: its holder died (same host, pid gone), it never got an owner
 * file, or it belongs to another host and is very old.
 */
export function isStaleLock(owner: LockOwner | undefined, lockAgeMs: number, thisHost: string, alive: (pid: number) => boolean = processAlive): boolean {
  if (!owner) return lockAgeMs > OWNERLESS_GRACE_MS;
  if (owner.host === thisHost) return !alive(owner.pid);
  return lockAgeMs > FOREIGN_HOST_MAX_MS;
}

function readOwner(lockDir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockDir, OWNER_FILE), "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

function lockAge(lockDir: string): number {
  try {
    return Date.now() - fs.statSync(lockDir).mtimeMs;
  } catch {
    return 0;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs fn while holding a lock directory (mkdir is atomic on local file systems and NFS). Two
 * waiters may both take over the same stale lock in a narrow window; everything built under
 * it is written to a temporary name and renamed, so the worst case is duplicated work.
 */
export async function withLock<T>(lockDir: string, purpose: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60 * 1000;
  const pollMs = opts.pollMs ?? 500;
  const host = os.hostname();
  const started = Date.now();
  let announced = false;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = readOwner(lockDir);
    if (isStaleLock(owner, lockAge(lockDir), host)) {
      opts.log?.(`engine: removing stale lock ${lockDir} (${owner ? `pid ${owner.pid} on ${owner.host} is gone` : "no owner"})`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    const holder = owner ? `pid ${owner.pid} on ${owner.host}, ${owner.purpose}, since ${owner.since}` : "unknown holder";
    if (Date.now() - started > timeoutMs) throw new EngineLockTimeoutError(lockDir, holder, Date.now() - started);
    if (!announced) {
      opts.log?.(`engine: waiting for another onefed process (${holder})`);
      announced = true;
    }
    await sleep(pollMs);
  }
  const owner: LockOwner = { pid: process.pid, host, since: new Date().toISOString(), purpose };
  fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify(owner));
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
