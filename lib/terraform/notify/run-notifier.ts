/**
 * Tells the run's webhook (federation.yaml `notify`, docs/notify.md) of the run's start, its step
 * failures and its end, by POSTing the very event objects of the events file.
 *
 * It lives in the deploy/apply process, not in the step processes where steps fail: that process
 * lasts the whole run, already writes run-start and run-end, and can follow the events file the
 * steps append to (one reader, one place holding the URL and header secrets, one deadline to
 * wait for at exit), while a step process is killed by terraform's deadline or an interrupt right
 * when its failure matters, and every one of them would need the secrets in its environment.
 *
 * Delivery never fails or blocks the upgrade: each POST runs beside the run with its own deadline;
 * a failure is one warning line and a `notify-fail` event; at the end the command waits at most
 * one deadline for the deliveries still under way.
 */
import { EventInput, RunEvent } from "../../model/run-events";
import { NotifyConfig, NotifyEventName } from "../../model/notify";
import { EventsTail } from "../../run/observe/events-tail";
import { PROCESS_SECRETS } from "../../model/secrets";
import { WebhookDelivery, postJson, webhookOrigin } from "./webhook";

/** How often the events file is read for step failures. */
const TAIL_INTERVAL_MS = 1000;
const USER_AGENT = "onefed-notify/1";

/** What the notifier needs from its run. */
export interface RunNotifierOptions {
  readonly config: NotifyConfig;
  /** The run's events file, followed for step-fail. */
  readonly eventsFile: string;
  /** One warning line to the console and engine.log. */
  readonly warn: (line: string) => void;
  /** Records a notify-fail event in the events file. */
  readonly record: (event: EventInput) => void;
  /** Where headersFromEnv's variables are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** How often the events file is read. @default 1000 ms */
  readonly tailIntervalMs?: number;
}

/** The events a webhook may be sent, narrowed to those this configuration wants. */
type NotifiedEvent = RunEvent & { readonly event: NotifyEventName };

/** The URL in `variable`, when it holds an http(s) one. */
function urlFromEnv(variable: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const value = variable === undefined ? undefined : env[variable]?.trim();
  return value && /^https?:\/\/\S+$/.test(value) ? value : undefined;
}

function isNotified(event: RunEvent, wanted: ReadonlySet<string>): event is NotifiedEvent {
  return wanted.has(event.event);
}

export class RunNotifier {
  private readonly wanted: ReadonlySet<string>;
  private readonly headers: Record<string, string> = {};
  private readonly pending = new Set<Promise<void>>();
  private readonly tail: EventsTail;
  private timer?: NodeJS.Timeout;
  /** Where the events go; undefined when urlEnv names a variable that holds no http(s) URL. */
  private readonly url?: string;
  /** Said once, with the first notification (the run's log exists by then). */
  private pendingWarning?: string;

  constructor(private readonly o: RunNotifierOptions) {
    this.wanted = new Set<NotifyEventName>(o.config.events);
    this.tail = new EventsTail(o.eventsFile);
    const env = o.env ?? process.env;
    this.url = o.config.url ?? urlFromEnv(o.config.urlEnv, env);
    // A URL read from the environment is the secret itself: any message that would quote it is redacted.
    if (o.config.urlEnv !== undefined) PROCESS_SECRETS.add(this.url);
    if (this.url === undefined) {
      const variable = o.config.urlEnv ?? "notify.urlEnv";
      this.pendingWarning = `warning: notify: ${variable} ${env[variable] ? "holds no http(s) URL" : "is not set"}, so nothing is posted; the run goes on`;
      return;
    }
    const missing: string[] = [];
    for (const [header, variable] of Object.entries(o.config.headersFromEnv)) {
      const value = env[variable];
      if (value) this.headers[header] = value;
      else missing.push(`${header} (${variable} is not set)`);
    }
    // A missing token is the operator's to fix, not a reason to refuse the upgrade window.
    if (missing.length > 0) this.pendingWarning = `warning: notify: sending to ${this.origin} without header ${missing.join(", ")}; the run goes on`;
  }

  /** The webhook as it may be printed. */
  get origin(): string {
    return this.url === undefined ? "(no URL)" : webhookOrigin(this.url);
  }

  /** Posts `event` when the configuration asks for its kind (in the background). */
  notify(event: RunEvent): void {
    if (this.pendingWarning) this.o.warn(this.pendingWarning);
    this.pendingWarning = undefined;
    if (this.url === undefined || !isNotified(event, this.wanted)) return;
    const delivery = postJson({
      url: this.url,
      headers: this.headers,
      body: JSON.stringify(event),
      timeoutMs: this.o.config.timeoutSeconds * 1000,
      userAgent: USER_AGENT,
    }).then((d) => this.settled(event, d));
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** From run-start on: follows the events file for the step processes' step-fail events. */
  follow(): void {
    if (this.timer || this.url === undefined || !this.wanted.has("step-fail") || !this.tail.followable) return;
    this.timer = setInterval(() => this.readSteps(), this.o.tailIntervalMs ?? TAIL_INTERVAL_MS);
  }

  /** The run is over: a last read of the events file, then the deliveries under way (each within its deadline). */
  async settle(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.readSteps();
    }
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private readSteps(): void {
    for (const e of this.tail.readNew()) if (e.event === "step-fail") this.notify(e);
  }

  private settled(event: NotifiedEvent, d: WebhookDelivery): void {
    if (d.ok) return;
    this.o.warn(`warning: notify: ${event.event} not delivered to ${this.origin} (${d.reason}); the run goes on`);
    this.o.record({
      event: "notify-fail",
      step: event.step,
      zone: event.zone,
      notified: event.event,
      target: this.origin,
      message: d.reason,
      duration_ms: d.durationMs,
    });
  }
}
