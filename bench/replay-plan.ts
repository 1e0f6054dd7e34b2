/**
 * What the ideal replay runs: every remote command of one deploy, with its real command line from
 * the front-ends' command logs, grouped by the step that sent it (from the events), in the order
 * and with the concurrency the run had. A command of a step waits for the commands of that step
 * that had ended before it started; a step waits for its predecessors in the stack's graph.
 */
import { CommandSpan, RunTimeline, StepKey, stepKey } from "./run-timeline";

/** One line of a machine's command log (the sandbox's CommandLogEntry). */
export interface LoggedCommand {
  readonly ts: string;
  /** Machine name, `zone<id>-server<n>` or `zone<id>-node<n>`. */
  readonly frontend: string;
  readonly command: string;
  /** The probe batch it came in (one SSH session). @default absent: its own session */
  readonly batch?: string;
  /** A local file the replay sends as the command's stdin (what the run sent). @default none: no stdin */
  readonly stdinFile?: string;
}

/** Where the replay finds what a run sent besides command lines (see `withReplayInputs`). */
export interface ReplayInputs {
  /** The stdin a command logged on `frontend` at `ts` was given, kept by the sandbox (a ledger transaction's records). */
  stdinOf(frontend: string, ts: string): string | undefined;
  /** The local file the run uploaded to a remote file of this name (the federated backup's artifact). */
  upload(basename: string): string | undefined;
}

/** How the front-ends' logs show an SFTP session (sshd runs the subsystem through the front-end shell). */
export const SFTP_SESSION = "/usr/lib/openssh/sftp-server";

/**
 * The run's log with what the replay needs to do the same work: each command's kept stdin, and each
 * SFTP upload as a plain `cat > <path>` of the same file (the session's next command on that machine,
 * `chmod 0600 <path>`, names where it went; the restore step uploads, then makes it private). An SFTP
 * session that is not followed so (a download) stays as it is: an empty session.
 */
export function withReplayInputs(log: readonly LoggedCommand[], inputs: ReplayInputs): LoggedCommand[] {
  const sorted = [...log].sort((a, b) => a.ts.localeCompare(b.ts));
  return sorted.map((line, i) => {
    if (line.command === SFTP_SESSION) {
      const next = sorted.slice(i + 1).find((l) => l.frontend === line.frontend);
      const target = next && /^chmod 0600 (\/[A-Za-z0-9._/-]+)$/.exec(next.command)?.[1];
      const local = target ? inputs.upload(target.slice(target.lastIndexOf("/") + 1)) : undefined;
      return target && local ? { ...line, command: `cat > ${target}`, stdinFile: local } : line;
    }
    const stdinFile = inputs.stdinOf(line.frontend, line.ts);
    return stdinFile ? { ...line, stdinFile } : line;
  });
}

export interface ReplayCommand {
  /** host:port of the machine. */
  readonly target: string;
  readonly command: string;
  /** Indexes (in the step's list) of the commands that must have ended first. */
  readonly after: readonly number[];
  /** The exit code the run saw; null when unknown (not in the events). */
  readonly exitCode: number | null;
  /** Sent as the command's stdin. @default none */
  readonly stdinFile?: string;
}

export interface ReplayStep {
  readonly key: StepKey;
  readonly after: readonly StepKey[];
  readonly commands: readonly ReplayCommand[];
}

export interface ReplayPlan {
  /** Commands sent outside any step (the deploy's own, e.g. the ledger read before the apply): replayed first. */
  readonly before: readonly ReplayCommand[];
  readonly steps: readonly ReplayStep[];
  /** Events' commands with no log line, and log lines with no event (sftp sessions, the deploy's own). */
  readonly unmatchedEvents: number;
  readonly unmatchedLogLines: number;
}

/** Key for commands sent outside every step. */
export const OUTSIDE_STEPS = "(outside steps)";

const zoneOfMachine = (name: string): number | undefined => {
  const m = /^zone(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** Whether the log's line is the event's command (events cut long commands with "…" and redact secrets). */
function sameCommand(event: string, logged: string): boolean {
  if (event === logged) return true;
  if (event.endsWith("…") && logged.startsWith(event.slice(0, -1))) return true;
  return false;
}

interface Placed {
  readonly target: string;
  readonly command: string;
  readonly start: number;
  readonly end: number;
  readonly exitCode: number | null;
  readonly stdinFile?: string;
}

/**
 * Builds the plan. `machines` maps machine names to host:port; `graph` each step's predecessors;
 * `log` the lines of this run only.
 */
export function buildReplayPlan(
  timeline: RunTimeline,
  log: readonly LoggedCommand[],
  machines: ReadonlyMap<string, string>,
  graph: ReadonlyMap<StepKey, readonly StepKey[]>,
): ReplayPlan {
  const machineOf = new Map([...machines].map(([name, target]) => [target, name]));
  const queues = new Map<string, { line: LoggedCommand; t: number; used: boolean }[]>();
  for (const line of log) (queues.get(line.frontend) ?? queues.set(line.frontend, []).get(line.frontend)!).push({ line, t: Date.parse(line.ts), used: false });
  for (const q of queues.values()) q.sort((a, b) => a.t - b.t);

  const byStep = new Map<StepKey, Placed[]>();
  const place = (key: StepKey, p: Placed) => (byStep.get(key) ?? byStep.set(key, []).get(key)!).push(p);
  let unmatchedEvents = 0;
  for (const c of timeline.commands as CommandSpan[]) {
    const q = queues.get(machineOf.get(c.host) ?? "") ?? [];
    const hit = q.find((e) => !e.used && sameCommand(c.command, e.line.command));
    if (hit) hit.used = true;
    else unmatchedEvents++;
    place(stepKey(c.step, c.zone), {
      target: c.host,
      command: hit ? hit.line.command : c.command,
      start: c.start,
      end: c.end,
      exitCode: c.exitCode,
      ...(hit?.line.stdinFile ? { stdinFile: hit.line.stdinFile } : {}),
    });
  }
  let unmatchedLogLines = 0;
  const spans = [...timeline.steps.entries()];
  for (const [machine, q] of queues) {
    for (const e of q) {
      if (e.used) continue;
      unmatchedLogLines++;
      const running = spans.filter(([, s]) => s.start <= e.t && e.t <= s.end);
      const zone = zoneOfMachine(machine);
      const key = (running.find(([, s]) => s.zone === zone) ?? running[0])?.[0] ?? OUTSIDE_STEPS;
      place(key, {
        target: machines.get(machine) ?? machine,
        command: e.line.command,
        start: e.t,
        end: e.t,
        exitCode: null,
        ...(e.line.stdinFile ? { stdinFile: e.line.stdinFile } : {}),
      });
    }
  }
  const toCommands = (placed: readonly Placed[]): ReplayCommand[] => {
    const sorted = [...placed].sort((a, b) => a.start - b.start);
    return sorted.map((p, i) => ({
      target: p.target,
      command: p.command,
      exitCode: p.exitCode,
      after: sorted.flatMap((o, j) => (j < i && o.end <= p.start ? [j] : [])),
      ...(p.stdinFile ? { stdinFile: p.stdinFile } : {}),
    }));
  };
  const steps = [...graph].map(([key, after]) => ({ key, after, commands: toCommands(byStep.get(key) ?? []) }));
  return { before: toCommands(byStep.get(OUTSIDE_STEPS) ?? []), steps, unmatchedEvents, unmatchedLogLines };
}
