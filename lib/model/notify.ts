/**
 * The run's webhook (federation.yaml `notify`, docs/notify.md): which events of docs/events.md a
 * deploy or apply POSTs, where, and how long it waits for an answer. Delivery never fails or holds
 * up the upgrade.
 */

/** The events a webhook can receive. */
export const NOTIFY_EVENTS = ["run-start", "step-fail", "run-end"] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

/** How long one POST may take (connect, send, answer). */
export const DEFAULT_NOTIFY_TIMEOUT_SECONDS = 5;

/** `notify` with its defaults applied. */
export interface NotifyConfig {
  /** http(s) URL the events are POSTed to. Printed only as its origin (scheme, host, port). Exactly one of url and urlEnv. */
  readonly url?: string;
  /** Environment variable of the automation host holding the URL (the URL is the secret). Exactly one of url and urlEnv. */
  readonly urlEnv?: string;
  /** The events posted. @default every one of NOTIFY_EVENTS */
  readonly events: readonly NotifyEventName[];
  /** Deadline of one POST. @default DEFAULT_NOTIFY_TIMEOUT_SECONDS */
  readonly timeoutSeconds: number;
  /** Request headers whose values come from environment variables of the automation host (name → variable). @default {} */
  readonly headersFromEnv: Readonly<Record<string, string>>;
}
