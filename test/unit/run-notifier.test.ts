/**
 * The run's webhook (docs/notify.md) against a real HTTP server on 127.0.0.1: what is posted
 * (the events file's own objects: run-start, the step processes' step-fail read from the events
 * file, run-end), and that a slow, failing or absent webhook costs at most its deadline, one
 * warning line and a notify-fail event — never a secret of the URL or the headers.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../lib/config/load-config";
import { NotifyConfig } from "../../lib/model/notify";
import { PROCESS_SECRETS } from "../../lib/model/secrets";
import { EventInput, RunEvent } from "../../lib/model/run-events";
import { serializeEvent } from "../../lib/run/observe/event-writer";
import { RunNotifier } from "../../lib/terraform/notify/run-notifier";
import { RunRecord } from "../../lib/terraform/run-record";
import { schemaErrors } from "../support/json-schema-check";
import { seedFederation } from "../support/federation-builder";

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/events.schema.json"), "utf8"));
const TOKEN = "Bearer tok-3f9a1c77e2";
const SECRETS = ["s3cr3t-pass", "q-token-81b2", "path-key-55d0", TOKEN, "tok-3f9a1c77e2"];

interface Received {
  readonly body: RunEvent;
  readonly headers: http.IncomingHttpHeaders;
  readonly url: string;
}

/** A webhook on an ephemeral port; `answer` decides each reply (status, or "hang"). */
async function webhook(answer: () => number | "hang" = () => 204): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ body: JSON.parse(body) as RunEvent, headers: req.headers, url: req.url ?? "" });
      const a = answer();
      if (a === "hang") hanging.push(res);
      else res.writeHead(a).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        hanging.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-notify-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const event = (e: EventInput, ts = "2026-11-30T16:00:00.000Z"): RunEvent => ({ v: 1, ts, run: "20261130T160000Z-0123abcd", ...e }) as RunEvent;
const RUN_START = event({
  event: "run-start",
  step: null,
  zone: null,
  command: "deploy",
  federation: "sandbox",
  from_version: "6.10.0",
  to_version: "7.0.0",
  run_dir: "/tmp/x",
  stages: [],
});
const STEP_START = event({ event: "step-start", step: "upgrade", zone: 100, zone_name: "S-EU-GE", hosts: ["127.0.0.2:22"] });
const STEP_FAIL = event({ event: "step-fail", step: "upgrade", zone: 100, message: "onedb upgrade failed on 127.0.0.2:22", duration_ms: 1200 });
const RUN_END = event({
  event: "run-end",
  step: null,
  zone: null,
  status: "failed",
  duration_ms: 5000,
  exit_code: 1,
  message: "the upgrade of zone 100 failed",
});

/** A notifier of `config` over a fresh events file, with its warnings and recorded events. */
function notifierOf(config: Partial<NotifyConfig>, env: NodeJS.ProcessEnv = {}) {
  const eventsFile = fs.mkdtempSync(path.join(dir, "run-")) + "/events.jsonl";
  const warnings: string[] = [];
  const recorded: EventInput[] = [];
  const notifier = new RunNotifier({
    config: { events: ["run-start", "step-fail", "run-end"], timeoutSeconds: 5, headersFromEnv: {}, ...config },
    eventsFile,
    warn: (l) => warnings.push(l),
    record: (e) => recorded.push(e),
    env,
    tailIntervalMs: 50,
  });
  return { notifier, eventsFile, warnings, recorded, append: (e: RunEvent) => fs.appendFileSync(eventsFile, serializeEvent(e)) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("RunNotifier against a local webhook", () => {
  it("posts run-start, the step-fail a step process appended and run-end, as the events themselves, with the header from the environment", async () => {
    const hook = await webhook();
    try {
      const n = notifierOf(
        {
          url: `http://relay:s3cr3t-pass@127.0.0.1:${hook.port}/hooks/path-key-55d0?token=q-token-81b2`,
          headersFromEnv: { Authorization: "ONEFED_TEST_NOTIFY_AUTH" },
        },
        { ONEFED_TEST_NOTIFY_AUTH: TOKEN },
      );
      n.append(RUN_START);
      n.notifier.notify(RUN_START);
      n.notifier.follow();
      n.append(STEP_START);
      n.append(STEP_FAIL);
      await sleep(300);
      n.append(RUN_END);
      n.notifier.notify(RUN_END);
      await n.notifier.settle();
      expect(hook.received.map((r) => r.body)).toEqual([RUN_START, STEP_FAIL, RUN_END]);
      for (const r of hook.received) {
        expect(r.headers["content-type"]).toBe("application/json");
        expect(r.headers.authorization).toBe(TOKEN);
        expect(r.url).toBe("/hooks/path-key-55d0?token=q-token-81b2");
        expect(schemaErrors(SCHEMA, r.body)).toEqual([]);
      }
      expect(n.warnings).toEqual([]);
      expect(n.recorded).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it("sends userinfo as Basic authentication", async () => {
    const hook = await webhook();
    try {
      const n = notifierOf({ url: `http://relay:s3cr3t-pass@127.0.0.1:${hook.port}/`, events: ["run-end"] });
      n.notifier.notify(RUN_START);
      n.notifier.notify(RUN_END);
      await n.notifier.settle();
      expect(hook.received.map((r) => r.body.event)).toEqual(["run-end"]);
      expect(hook.received[0].headers.authorization).toBe(`Basic ${Buffer.from("relay:s3cr3t-pass").toString("base64")}`);
    } finally {
      await hook.close();
    }
  });

  it.each([
    ["answers 500", () => 500 as const, "HTTP 500"],
    ["never answers", () => "hang" as const, "no answer within 1 s"],
  ])("a webhook that %s costs one deadline, one warning line and a notify-fail event", async (_what, answer, reason) => {
    const hook = await webhook(answer);
    try {
      const n = notifierOf({ url: `http://127.0.0.1:${hook.port}/hooks/path-key-55d0?token=q-token-81b2`, timeoutSeconds: 1 });
      const t0 = Date.now();
      n.notifier.notify(RUN_END);
      await n.notifier.settle();
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(n.warnings).toEqual([`warning: notify: run-end not delivered to http://127.0.0.1:${hook.port} (${reason}); the run goes on`]);
      expect(n.recorded).toEqual([
        expect.objectContaining({
          event: "notify-fail",
          step: null,
          zone: null,
          notified: "run-end",
          target: `http://127.0.0.1:${hook.port}`,
          message: reason,
        }),
      ]);
      const recorded = event(n.recorded[0]);
      expect(schemaErrors(SCHEMA, recorded)).toEqual([]);
      for (const s of SECRETS) expect(JSON.stringify([n.warnings, n.recorded])).not.toContain(s);
    } finally {
      await hook.close();
    }
  });

  it("a webhook that is down: a step-fail's notify-fail keeps its step and zone", async () => {
    const hook = await webhook();
    const port = hook.port;
    await hook.close();
    const n = notifierOf({ url: `http://relay:s3cr3t-pass@127.0.0.1:${port}/x?token=q-token-81b2` });
    n.notifier.notify(STEP_FAIL);
    await n.notifier.settle();
    expect(n.warnings).toEqual([`warning: notify: step-fail not delivered to http://127.0.0.1:${port} (ECONNREFUSED); the run goes on`]);
    expect(n.recorded).toEqual([expect.objectContaining({ event: "notify-fail", step: "upgrade", zone: 100, notified: "step-fail" })]);
    expect(schemaErrors(SCHEMA, event(n.recorded[0]))).toEqual([]);
    for (const s of SECRETS) expect(JSON.stringify([n.warnings, n.recorded])).not.toContain(s);
  });

  it("says once that a header's variable is missing, and posts without it", async () => {
    const hook = await webhook();
    try {
      const n = notifierOf({ url: `http://127.0.0.1:${hook.port}/`, headersFromEnv: { Authorization: "ONEFED_TEST_NOTIFY_UNSET" } });
      n.notifier.notify(RUN_START);
      n.notifier.notify(RUN_END);
      await n.notifier.settle();
      expect(hook.received).toHaveLength(2);
      expect(hook.received[0].headers.authorization).toBeUndefined();
      expect(n.warnings).toEqual([
        `warning: notify: sending to http://127.0.0.1:${hook.port} without header Authorization (ONEFED_TEST_NOTIFY_UNSET is not set); the run goes on`,
      ]);
    } finally {
      await hook.close();
    }
  });
});

describe("a URL from the environment (urlEnv): the URL is the secret", () => {
  it("posts to the variable's URL and never prints more than its origin", async () => {
    const hook = await webhook(() => 500);
    try {
      const url = `http://127.0.0.1:${hook.port}/services/T0/B1/path-key-55d0`;
      const n = notifierOf({ urlEnv: "ONEFED_TEST_NOTIFY_URL", timeoutSeconds: 1 }, { ONEFED_TEST_NOTIFY_URL: url });
      n.notifier.notify(RUN_END);
      await n.notifier.settle();
      expect(hook.received.map((r) => r.url)).toEqual(["/services/T0/B1/path-key-55d0"]);
      expect(n.warnings).toEqual([`warning: notify: run-end not delivered to http://127.0.0.1:${hook.port} (HTTP 500); the run goes on`]);
      expect(JSON.stringify([n.warnings, n.recorded])).not.toContain("path-key-55d0");
      expect(PROCESS_SECRETS.redact(`POST ${url} failed`)).toBe("POST *** failed");
    } finally {
      await hook.close();
    }
  });

  it.each([
    [{}, "ONEFED_TEST_NOTIFY_URL is not set"],
    [{ ONEFED_TEST_NOTIFY_URL: "hooks.example.com/path-key-55d0" }, "ONEFED_TEST_NOTIFY_URL holds no http(s) URL"],
  ])("a variable that is %j: one warning, nothing posted, the run goes on", async (env, said) => {
    const n = notifierOf({ urlEnv: "ONEFED_TEST_NOTIFY_URL" }, env);
    n.notifier.notify(RUN_START);
    n.notifier.follow();
    n.notifier.notify(RUN_END);
    await n.notifier.settle();
    expect(n.warnings).toEqual([`warning: notify: ${said}, so nothing is posted; the run goes on`]);
    expect(n.recorded).toEqual([]);
    expect(n.warnings.join("\n")).not.toContain("path-key-55d0");
  });

  it("takes url or urlEnv, exactly one", () => {
    expect(
      seedFederation()
        .with({ notify: { urlEnv: "SLACK_WEBHOOK_URL" } })
        .parse().notify,
    ).toEqual({
      urlEnv: "SLACK_WEBHOOK_URL",
      events: ["run-start", "step-fail", "run-end"],
      timeoutSeconds: 5,
      headersFromEnv: {},
    });
    expect(() =>
      seedFederation()
        .with({ notify: { url: "https://h/", urlEnv: "SLACK_WEBHOOK_URL" } })
        .parse(),
    ).toThrow(/notify: url and urlEnv are both set; keep one/);
    expect(() =>
      seedFederation()
        .with({ notify: {} } as never)
        .parse(),
    ).toThrow(/notify: needs url, or urlEnv/);
    expect(() =>
      seedFederation()
        .with({ notify: { urlEnv: "https://h/" } })
        .parse(),
    ).toThrow(/notify\.urlEnv:/);
  });
});

describe("notify in federation.yaml and the run record", () => {
  it("applies the defaults: every event, 5 s, no headers", () => {
    const config = seedFederation()
      .with({ notify: { url: "https://hooks.example.com/onefed" } })
      .parse();
    expect(config.notify).toEqual({
      url: "https://hooks.example.com/onefed",
      events: ["run-start", "step-fail", "run-end"],
      timeoutSeconds: 5,
      headersFromEnv: {},
    });
    expect(seedFederation().parse().notify).toBeUndefined();
  });

  it.each([
    [{ url: "ftp://hooks.example.com/" }, "notify.url:"],
    [{ url: "https://h/", events: ["step-start"] }, "notify.events[0]:"],
    [{ url: "https://h/", timeoutSeconds: 0 }, "notify.timeoutSeconds:"],
    [{ url: "https://h/", headersFromEnv: { Authorization: "lower-case" } }, "notify.headersFromEnv.Authorization:"],
  ])("refuses %j (%s)", (notify, where) => {
    let err: unknown;
    try {
      seedFederation()
        .with({ notify } as never)
        .parse();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(where);
  });

  it("a deploy's record posts run-start and run-end, and records a failed delivery after run-end, valid events all", async () => {
    const hook = await webhook(() => 503);
    try {
      const config = seedFederation()
        .with({ notify: { url: `http://127.0.0.1:${hook.port}/hook?token=q-token-81b2`, timeoutSeconds: 2 } })
        .with({ backup: { localDirectory: fs.mkdtempSync(path.join(dir, "artifacts-")) } })
        .parse();
      const warnings: string[] = [];
      const record = new RunRecord(config, "deploy", "20261130T160000Z-0123abcd", undefined, { warn: (l) => warnings.push(l) });
      record.start();
      await record.end();
      const lines = fs
        .readFileSync(record.paths.eventsFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as RunEvent);
      expect(hook.received.map((r) => r.body.event)).toEqual(["run-start", "run-end"]);
      expect(lines.map((e) => e.event).sort()).toEqual(["notify-fail", "notify-fail", "run-end", "run-start"]);
      expect(lines[lines.length - 1].event).toBe("notify-fail");
      for (const e of lines) expect(schemaErrors(SCHEMA, e)).toEqual([]);
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify([lines, warnings])).not.toContain("q-token-81b2");
    } finally {
      await hook.close();
    }
  });
});
