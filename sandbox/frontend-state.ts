/**
 * state.json of one front-end: what is installed and running there. Commands run concurrently
 * (the runner opens several sessions per host), so every change is a locked read-modify-write
 * followed by an atomic rename. Used by the emulator and by the host-side test helpers.
 */
import * as fs from "fs";
import * as path from "path";
import { SandboxLayout } from "./layout";
import { FirewallRule } from "./firewall";

/** systemd ActiveState values the sandbox models. */
export type UnitState = "active" | "inactive" | "failed";

/** A failure the next matching command line will suffer. */
export interface Injection {
  /** Substring of the command line that triggers it. */
  readonly match: string;
  /** How many more commands it fails. */
  times: number;
  /** Exit status of the failed command. */
  readonly exitCode: number;
  /** Text written to stderr. */
  readonly stderr: string;
  /**
   * Instead of failing before it runs, the command runs and dies part-way, as if killed: the
   * fraction (0..1) of its work it does first (ENV_PARTIAL). Absent: a plain failure.
   */
  readonly partial?: number;
}

/** Where a hold is: waiting for its command, holding it, or let go (the holding shell then drops it). */
export type HoldState = "armed" | "held" | "released";

/** The next command whose line contains `match` waits before it runs, until released or killed. */
export interface Hold {
  /** Handle the host side selects it by. */
  readonly id: string;
  /** Substring of the command line that triggers it. */
  readonly match: string;
  /** Seconds a held command waits at most; then it runs as if released. */
  readonly timeoutSeconds: number;
  state: HoldState;
  /** The held command line (once held). */
  command?: string;
  /** pid of the front-end shell that runs it (once held). */
  pid?: number;
  /** When it was held (UTC ISO). */
  heldAt?: string;
}

/** Everything about a front-end that is not in its database. */
export interface FrontendState {
  /** Front-end name. */
  readonly frontend: string;
  /** Zone id (oned.conf FEDERATION/ZONE_ID). */
  readonly zoneId: number;
  /** oned.conf FEDERATION/MODE, lower-case. */
  readonly role: "master" | "slave";
  /** Installed Debian packages and their versions ("6.10.0-1"). */
  packages: Record<string, string>;
  /** Configuration version onecfg last recorded. */
  configVersion: string;
  /** systemd units and their state. */
  services: Record<string, UnitState>;
  /** The package cache: archives downloaded and not installed yet, package → version (`apt-get install --download-only`, `dnf upgrade --downloadonly`); absent when empty or in states written before it existed. */
  downloaded?: Record<string, string>;
  /** OpenNebula series the package lists hold (set by `apt-get update`), null when none. */
  aptSeries: string | null;
  /** Pending failure injections. */
  injections: Injection[];
  /** Pending and current holds (absent in states written before holds existed). */
  holds?: Hold[];
  /** Test switch: the master does not replicate to this slave (it lags). */
  replicationBlocked: boolean;
  /** Test switch: nobody can reach this front-end's oned endpoint. */
  reachable: boolean;
  /** `iptables` INPUT rules in order (absent in states written before the firewall existed). */
  firewall?: FirewallRule[];
  /** When `onehost sync` last ran on this front-end (UTC ISO), absent before the first one. */
  hostsSyncedAt?: string;
  /** Test switch (HA follower): its Raft log is behind the leader's (COMMIT/LOG_INDEX lower). */
  raftLagging?: boolean;
  /**
   * Test switch (HA follower): it holds the leader's log but reports its COMMIT `entries` lower, as
   * a follower of a busy zone does until the next heartbeat; from `until` (epoch ms) on it has caught up.
   */
  raftCommitLag?: { entries: number; until?: number };
  /** Test switch: its oned accepts XML-RPC connections but never answers (callers wait for their timeout). */
  hung?: boolean;
  /** Test switch: migrators missing from /usr/lib/one/ruby/onedb, as "local/6.10.0_to_7.0.0.rb". */
  missingMigrators?: string[];
  /** MySQL zones: onedb runs that authenticated with a password from their caller (-p or ONE_DB_PASSWORD), absent before the first. */
  onedbPasswordAuths?: number;
  /** Test switch: emulated tools whose command line contains `match` stay running `seconds` after their work and output (absent: none). */
  slowCommands?: SlowCommand[];
}

/** A long command: its output reaches the client, then it keeps running (as apt-get or onedb upgrade do on a big machine). */
export interface SlowCommand {
  /** Substring of the command line. */
  readonly match: string;
  /** Seconds it stays running after its output. */
  readonly seconds: number;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread: the emulator is synchronous on purpose (one short-lived process per command). */
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** Runs fn while holding the front-end's state lock (an O_EXCL lock file; see withFileLock). */
export function withStateLock<T>(layout: SandboxLayout, fe: string, fn: () => T): T {
  return withFileLock(layout.stateLock(fe), fn);
}

/** A lock file older than this is taken over whoever holds it. */
const STALE_LOCK_MS = 30000;

/**
 * Runs fn while holding an O_EXCL lock file that names its holder (pid and a token). Like the
 * locks of the daemons it stands in for (an flock dies with its process), a lock whose holder is
 * gone is taken over at once, one older than 30 s in any case; the holder removes the file only
 * while it is still its own, so a taken-over holder never frees its successor's lock.
 */
export function withFileLock<T>(lock: string, fn: () => T): T {
  const mine = `${process.pid} ${Date.now()}-${Math.random().toString(36).slice(2)}\n`;
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      fs.writeFileSync(lock, mine, { flag: "wx", mode: 0o666 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      takeOverIfStale(lock);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepMs(3 + Math.random() * 7);
    }
  }
  try {
    return fn();
  } finally {
    if (readLock(lock) === mine) fs.rmSync(lock, { force: true });
  }
}

function readLock(lock: string): string | undefined {
  try {
    return fs.readFileSync(lock, "utf8");
  } catch {
    return undefined;
  }
}

/** Whether a process exists (EPERM: it does, as another user's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a lock whose holder is gone or that is older than STALE_LOCK_MS. The file is moved aside
 * first and removed only when it is the one judged stale: a waiter that took it over meanwhile
 * and wrote its own gets it back. (A lock just created is empty for an instant: it is never stale.)
 */
function takeOverIfStale(lock: string): void {
  let text: string;
  let ageMs: number;
  try {
    text = fs.readFileSync(lock, "utf8");
    ageMs = Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return; // released meanwhile
  }
  const pid = Number(text.split(" ")[0]);
  if (ageMs <= STALE_LOCK_MS && !(Number.isInteger(pid) && pid > 0 && !processExists(pid))) return;
  const aside = `${lock}.${process.pid}.stale`;
  try {
    fs.renameSync(lock, aside);
  } catch {
    return; // released or taken over meanwhile
  }
  if (readLock(aside) !== text) {
    try {
      fs.linkSync(aside, lock);
    } catch {
      /* a new holder already: both run, as before this check existed (a window of microseconds) */
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Reads a front-end's state (no lock: the file is always replaced whole). */
export function readState(layout: SandboxLayout, fe: string): FrontendState {
  return JSON.parse(fs.readFileSync(layout.state(fe), "utf8")) as FrontendState;
}

/** Writes a state file atomically, keeping it owned by the front-end directory's owner. */
export function writeState(layout: SandboxLayout, state: FrontendState): void {
  const file = layout.state(state.frontend);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o644 });
  chownLikeParent(tmp);
  fs.renameSync(tmp, file);
  const marker = layout.injectionsMarker(state.frontend);
  if (state.injections.length > 0 || (state.holds ?? []).length > 0) {
    fs.writeFileSync(marker, "");
    chownLikeParent(marker);
  } else fs.rmSync(marker, { force: true });
}

/** Locked read-modify-write; fn mutates the state and may return a value. */
export function updateState<T>(layout: SandboxLayout, fe: string, fn: (s: FrontendState) => T): T {
  return withStateLock(layout, fe, () => {
    const state = readState(layout, fe);
    const result = fn(state);
    writeState(layout, state);
    return result;
  });
}

/** Files root creates for the front-end must stay writable by the login user that owns the directory. */
export function chownLikeParent(file: string): void {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return;
  const st = fs.statSync(path.dirname(file));
  if (st.uid !== 0) fs.chownSync(file, st.uid, st.gid);
}
