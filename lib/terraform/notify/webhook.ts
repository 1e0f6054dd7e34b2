/**
 * One POST of one JSON body to the run's webhook, with a hard deadline over connect, send and
 * answer. Never throws: the outcome is a typed result the notifier turns into a warning line and
 * an event. The URL may carry secrets (userinfo, a token in the path or query), so everything this
 * module says names the webhook by its origin only.
 */
import * as http from "http";
import * as https from "https";

/** What became of one POST. */
export type WebhookDelivery =
  { readonly ok: true; readonly status: number; readonly durationMs: number } | { readonly ok: false; readonly reason: string; readonly durationMs: number };

/** What `postJson` needs. */
export interface WebhookRequest {
  readonly url: string;
  /** Extra headers (values may be secrets: they are sent, never described). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Sent as User-Agent. */
  readonly userAgent: string;
}

/** The webhook as onefed prints it: scheme, host and port only (userinfo, path and query may be tokens). */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(an invalid URL)";
  }
}

/** POSTs `body` as application/json; a 2xx answer is delivered, anything else is a reason. */
export function postJson(req: WebhookRequest): Promise<WebhookDelivery> {
  const t0 = Date.now();
  const failed = (reason: string): WebhookDelivery => ({ ok: false, reason, durationMs: Date.now() - t0 });
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve(failed("the URL is not valid"));
  }
  const client = url.protocol === "https:" ? https : http;
  // userinfo becomes Basic authentication, as curl does; node's `auth` option sends it without printing it.
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (d: WebhookDelivery): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(d);
    };
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        ...(auth ? { auth } : {}),
        headers: {
          ...req.headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(req.body),
          "user-agent": req.userAgent,
        },
      },
      (res) => {
        // Drain the answer: its body is of no interest, but an unread one keeps the socket.
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          settle(status >= 200 && status < 300 ? { ok: true, status, durationMs: Date.now() - t0 } : failed(`HTTP ${status}`));
        });
        res.on("error", () => settle(failed("the answer broke off")));
      },
    );
    const deadline = setTimeout(() => {
      settle(failed(`no answer within ${req.timeoutMs / 1000} s`));
      request.destroy();
    }, req.timeoutMs);
    // A connection error names the origin at most (ECONNREFUSED 127.0.0.1:port), never the path or query.
    request.on("error", (err: NodeJS.ErrnoException) => settle(failed(err.code ?? "the connection failed")));
    request.end(req.body);
  });
}
