/**
 * The warm runner's protocol (docs/warm-runner.md), between `bin/onefed-step` (the POSIX sh
 * launcher every resource's local-exec runs) and the runner, through the run directory (mode 0700):
 *
 * - the launcher makes a private request directory there holding `argv` (its `onefed step`
 *   arguments, NUL-separated), `env` (the forwarded variables, `NAME=value` NUL-separated) and two
 *   FIFOs, `out` and `err`, which it reads;
 * - it announces the request with one line on the runner's request FIFO:
 *   `onefed-step <version> <client pid> <client's parent pid> <request directory>`;
 * - the runner writes the step's stdout and stderr lines into the FIFOs, then the exit code into
 *   `code` (atomically), then closes the FIFOs: the launcher exits with that code.
 *
 * Pure parsing here; the file-system checks are request-dir.ts's. The request carries the step's
 * arguments and the run's identity, never a credential.
 */
import { EVENTS_FILE_ENV, HEARTBEAT_SECONDS_ENV, RUN_DIR_ENV, RUN_ID_ENV, STATE_LINEAGE_ENV } from "../../model/environment";

/** Protocol version: a runner refuses a request of another version (a launcher from another build). */
export const WARM_PROTOCOL_VERSION = 1;

/**
 * What the launcher passes on of its environment: the run's identity and outputs, which terraform
 * gives every step (the deploy sets some only after the runner started). Secrets stay in the
 * runner's own environment, inherited from the deploy. bin/onefed-step lists the same names.
 */
export const FORWARDED_ENV: readonly string[] = [RUN_ID_ENV, STATE_LINEAGE_ENV, RUN_DIR_ENV, EVENTS_FILE_ENV, HEARTBEAT_SECONDS_ENV, "FEDERATION_CONFIG"];

/** Launcher → runner: run `onefed step <argv…>` with these variables over the runner's own. */
export interface StepRequest {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The launcher's pid: while it lives, someone reads the step's output. */
  readonly pid: number;
  /** The launcher's parent as it saw it (terraform, or the shell terraform started). */
  readonly parentPid: number;
}

/** One announce line, parsed; the request directory is not checked yet. */
export interface Announce {
  readonly version: number;
  readonly pid: number;
  readonly parentPid: number;
  readonly dir: string;
}

const ANNOUNCE = /^onefed-step (\d+) (\d+) (\d+) (\/.*)$/;

/** The announce line, or why it is none. */
export function parseAnnounce(line: string): Announce | string {
  const m = ANNOUNCE.exec(line);
  if (!m) return "not a request line of bin/onefed-step";
  return { version: Number(m[1]), pid: Number(m[2]), parentPid: Number(m[3]), dir: m[4] };
}

/** NUL-separated values (each ends with a NUL), or undefined when the last one is cut short. */
function nulSeparated(bytes: Buffer): string[] | undefined {
  if (bytes.length === 0) return [];
  if (bytes[bytes.length - 1] !== 0) return undefined;
  return bytes
    .subarray(0, bytes.length - 1)
    .toString("utf8")
    .split("\0");
}

/** The request's arguments and variables from its files' bytes; a variable the protocol does not forward refuses it. */
export function parseRequestFiles(argvBytes: Buffer, envBytes: Buffer, announce: Announce): StepRequest | string {
  if (announce.version !== WARM_PROTOCOL_VERSION)
    return `protocol version ${announce.version}, this runner speaks ${WARM_PROTOCOL_VERSION} (a launcher from another onefed build)`;
  const argv = nulSeparated(argvBytes);
  if (!argv) return "argv is not NUL-terminated";
  const pairs = nulSeparated(envBytes);
  if (!pairs) return "env is not NUL-terminated";
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = eq > 0 ? pair.slice(0, eq) : pair;
    if (eq <= 0 || !FORWARDED_ENV.includes(name)) return "env holds variables the protocol does not forward";
    env[name] = pair.slice(eq + 1);
  }
  return { argv, env, pid: announce.pid, parentPid: announce.parentPid };
}
