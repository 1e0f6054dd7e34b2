/**
 * The events of a run, one JSON object per line of the events file (docs/events.md,
 * docs/events.schema.json): what CI, a progress view or a notifier reads instead of scraping the
 * console. Versioned: `v` changes when a field changes meaning or goes away; new fields and new
 * events may appear within a version, so readers ignore what they do not know.
 */

/** The format's version: every event carries it as `v`. */
export const EVENTS_FORMAT_VERSION = 1;

/** Every event name, in the order a run produces them. */
export const EVENT_NAMES = ["run-start", "step-start", "command-start", "heartbeat", "command-end", "step-end", "step-fail", "run-end", "notify-fail"] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** What every event has. `step` and `zone` are null for run-level events. */
export interface EventBase {
  readonly v: typeof EVENTS_FORMAT_VERSION;
  /** UTC time, ISO 8601 with milliseconds. */
  readonly ts: string;
  readonly event: EventName;
  /** The run (ONEFED_RUN_ID), also the run directory's name. */
  readonly run: string;
  readonly step: string | null;
  /** Zone id; null for run-level events. */
  readonly zone: number | null;
}

/** One step resource of the plan, by stage. */
export interface PlannedStep {
  readonly step: string;
  readonly zone: number;
  readonly zone_name: string;
  /** Its estimated duration from the duration history (docs/estimates.md), 0 when its effect is already applied. @default absent: no history for it */
  readonly estimated_ms?: number;
}

export interface RunStartEvent extends EventBase {
  readonly event: "run-start";
  /** "deploy" or "apply". */
  readonly command: string;
  readonly federation: string;
  readonly from_version: string;
  readonly to_version: string;
  readonly run_dir: string;
  /** The step resources by stage (a stage's steps may run in parallel); empty when unknown. */
  readonly stages: readonly (readonly PlannedStep[])[];
  /** The whole run's estimate from the duration history. @default absent: some step that runs has no history */
  readonly estimated_ms?: number;
  /** `--ignore-window` was given: the maintenance window was not enforced. @default false (older writers leave it out) */
  readonly ignore_window?: boolean;
}

export interface RunEndEvent extends EventBase {
  readonly event: "run-end";
  readonly status: "done" | "failed" | "interrupted";
  readonly duration_ms: number;
  /** The process's exit code (lib/model/exit-codes.ts). */
  readonly exit_code: number;
  /** Why it failed, one paragraph (redacted). @default absent when done */
  readonly message?: string;
}

/** Step events name the zone's front-ends (host:port, in federation-file order). */
export interface StepStartEvent extends EventBase {
  readonly event: "step-start";
  readonly zone_name: string;
  readonly hosts: readonly string[];
}

export interface StepEndEvent extends EventBase {
  readonly event: "step-end";
  /** `already-done`: the ledger or the probe found the effect in place. */
  readonly status: "done" | "already-done";
  readonly summary: string;
  readonly duration_ms: number;
}

export interface StepFailEvent extends EventBase {
  readonly event: "step-fail";
  /** The step's error, one paragraph (redacted). */
  readonly message: string;
  readonly duration_ms: number;
}

/** Command events name the machine (host:port) the command ran on. */
export interface CommandStartEvent extends EventBase {
  readonly event: "command-start";
  readonly host: string;
  /** The command line as sent (redacted; cut at 1000 characters). */
  readonly command: string;
  /** The probe batch this read-only command shared one round trip with (docs/round-trips.md). @default absent: it went alone */
  readonly batch?: string;
}

export interface HeartbeatEvent extends EventBase {
  readonly event: "heartbeat";
  readonly host: string;
  readonly command: string;
  /** Since the command started. */
  readonly elapsed_ms: number;
}

export interface CommandEndEvent extends EventBase {
  readonly event: "command-end";
  readonly host: string;
  readonly command: string;
  /** null: killed by a signal, link lost or deadline passed (see `signal` / `message`). */
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly duration_ms: number;
  /** As on command-start. @default absent */
  readonly batch?: string;
  /** Why there is no exit code (the link dropped, the deadline passed). @default absent */
  readonly message?: string;
}

/**
 * The webhook (docs/notify.md) did not take an event: the run went on. `step` and `zone` are the
 * notified event's (null for run-start/run-end); the one for run-end follows run-end.
 */
export interface NotifyFailEvent extends EventBase {
  readonly event: "notify-fail";
  /** The event that was not delivered. */
  readonly notified: "run-start" | "step-fail" | "run-end";
  /** The webhook's origin (scheme, host, port): never its path, query or userinfo. */
  readonly target: string;
  /** Why: `HTTP 500`, `no answer within 5 s`, `ECONNREFUSED`. */
  readonly message: string;
  readonly duration_ms: number;
}

export type RunEvent =
  RunStartEvent | RunEndEvent | StepStartEvent | StepEndEvent | StepFailEvent | CommandStartEvent | HeartbeatEvent | CommandEndEvent | NotifyFailEvent;

/** An event before the writer stamps it (v, ts and run are added). */
export type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "v" | "ts" | "run"> : never) : never;
