/**
 * Issue 12's "done when" on the sandbox with the realistic timing profile (scaled to 2 % of real
 * time): a CI deploy (`--console plain`) shows a long command's progress lines arriving while it
 * runs, well before its end line; the events file validates against docs/events.schema.json; every
 * planned step has its log; no secret (the MySQL password, the SSH key, the webhook's token) is in
 * the console, the run directory, the events or the notifications; and the webhook of
 * federation.yaml received run-start and run-end. Loopback range 127.0.193.x.
 */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { SANDBOX_DB_PASSWORD_ENV } from "../../sandbox";
import { loadConfig } from "../../lib/config/load-config";
import { RunEvent, RunStartEvent } from "../../lib/model/run-events";
import { readEvents } from "../../lib/run/observe/event-writer";
import { describeAsRoot, SandboxFixture, startOnefed } from "../support/sandbox-fixture";
import { schemaErrors } from "../support/json-schema-check";

jest.setTimeout(900_000);

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/events.schema.json"), "utf8"));
const SCALE = 0.02;
const HOOK_TOKEN = "hook-token-7d41e09b";
const HOOK_HEADER = "Bearer hdr-secret-c2a95f13";
const HEADER_ENV = "ONEFED_IT_NOTIFY_AUTH";

/** Every file under a directory. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? filesUnder(path.join(dir, f.name)) : [path.join(dir, f.name)]));
}

describeAsRoot("a deploy on the sandbox with realistic timing", () => {
  let sandbox: SandboxFixture;
  let password = "";
  let server: http.Server;
  const posts: Array<{ body: RunEvent; authorization?: string; url: string }> = [];
  /** Each console line with the time it reached the test (ms). */
  const seen: Array<{ at: number; line: string }> = [];
  let exit: number | null = null;
  let output = "";
  let runDir = "";
  let events: RunEvent[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        posts.push({ body: JSON.parse(body) as RunEvent, authorization: req.headers.authorization, url: req.url ?? "" });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;

    sandbox = await SandboxFixture.up("127.0.193.1", 2, { mysqlZones: [0, 100, 101], timing: "realistic", timingScale: SCALE });
    password = sandbox.mysqlPassword();
    fs.appendFileSync(
      sandbox.configPath,
      `\nnotify:\n  url: http://127.0.0.1:${port}/onefed?token=${HOOK_TOKEN}\n  timeoutSeconds: 5\n  headersFromEnv:\n    Authorization: ${HEADER_ENV}\n`,
    );
    const eventsFile = path.join(sandbox.dir, "events.jsonl");
    const p = startOnefed(
      ["deploy", "--config", sandbox.configPath, "--out", path.join(sandbox.dir, "cdktf.out"), "--console", "plain", "--events", eventsFile],
      sandbox.dir,
      { [SANDBOX_DB_PASSWORD_ENV]: password, [HEADER_ENV]: HOOK_HEADER },
    );
    let rest = "";
    p.child.stdout!.on("data", (d: Buffer) => {
      const parts = (rest + d.toString("utf8")).split("\n");
      rest = parts.pop()!;
      for (const line of parts) seen.push({ at: Date.now(), line });
    });
    const r = await p.finished(600_000);
    exit = r.code;
    output = r.output;
    events = readEvents(eventsFile);
    runDir = (events[0] as RunStartEvent | undefined)?.run_dir ?? "";
  });
  afterAll(async () => {
    await sandbox?.down();
    await new Promise((r) => server?.close(r));
  });

  it("deploys", () => {
    expect({ exit, tail: exit === 0 ? "" : output.slice(-4000) }).toEqual({ exit: 0, tail: "" });
  });

  it("streams a long command's progress lines before its end line (apt-get install at 2 % of 150 s)", () => {
    const first = seen.findIndex((s) => / out\| Progress: \[ 10%\]$/.test(s.line));
    expect(first).toBeGreaterThanOrEqual(0);
    // The same step, zone and machine: "<ts> [<step> zone <id> (<name>)] <host:port> ".
    const who = / (\[[^\]]+\] \S+:\d+) out\| /.exec(seen[first].line)![1];
    const mine = seen.slice(first).filter((s) => s.line.includes(who));
    const last = mine.findIndex((s) => s.line.endsWith("out| Progress: [100%]"));
    const end = mine.findIndex((s) => / \$ .*apt-get .*install .*→ 0 \(\d+ ms\)$/.test(s.line));
    expect({ last: last > 0, end: end > last }).toEqual({ last: true, end: true });
    // Held to the end, all lines would arrive together; streamed, the first came ~3 s before the end.
    expect(mine[end].at - seen[first].at).toBeGreaterThanOrEqual(1500);
    // The lines' own UTC times (seconds) agree: the end line is not earlier than the first progress line.
    const ts = (line: string): string => /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) /.exec(line)![1];
    expect(ts(mine[end].line) >= ts(seen[first].line)).toBe(true);
    // And the command's end event says it took the profile's time.
    const installs = events.filter((e) => e.event === "command-end" && /apt-get .*install/.test(e.command) && e.exit_code === 0);
    expect(installs.some((e) => e.event === "command-end" && e.duration_ms >= 150 * SCALE * 1000)).toBe(true);
  });

  it("writes an events file that validates against docs/events.schema.json, run-start to run-end", () => {
    expect(events.flatMap((e, i) => schemaErrors(SCHEMA, e).map((err) => `${i}: ${err}`))).toEqual([]);
    expect(events[0]).toMatchObject({ event: "run-start", command: "deploy" });
    expect(events[events.length - 1]).toMatchObject({ event: "run-end", status: "done", exit_code: 0 });
    expect(events.some((e) => e.event === "notify-fail")).toBe(false);
  });

  it("keeps one log per planned step and zone", () => {
    const planned = (events[0] as RunStartEvent).stages.flat();
    expect(planned.length).toBeGreaterThan(10);
    for (const s of planned) {
      const log = fs.readFileSync(path.join(runDir, "steps", `${s.step}-zone${s.zone}.log`), "utf8");
      expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[/);
    }
    // Every zone is on MariaDB here, whose size the profile does not read: the minimal database's lines (docs/sandbox.md).
    expect(fs.readFileSync(path.join(runDir, "steps", "upgrade-zone0.log"), "utf8")).toMatch(/out\| {3}> Migrating 1 MB database: 100%/);
  });

  it("sent run-start and run-end to the webhook, with the header from the environment", () => {
    expect(posts.map((p) => p.body.event)).toEqual(["run-start", "run-end"]);
    expect(posts.map((p) => p.body)).toEqual([events[0], events[events.length - 1]]);
    expect(posts.every((p) => p.authorization === HOOK_HEADER && p.url === `/onefed?token=${HOOK_TOKEN}`)).toBe(true);
  });

  it("puts no secret in the console, the run directory, the events or the notifications", () => {
    const key = fs.readFileSync(loadConfig(sandbox.configPath).ssh.privateKeyPath!, "utf8");
    const keyBody = key.split("\n").filter((l) => l && !l.startsWith("-----"));
    expect(keyBody.length).toBeGreaterThan(2);
    const texts = [
      output,
      fs.readFileSync(path.join(sandbox.dir, "events.jsonl"), "utf8"),
      ...filesUnder(runDir).map((f) => fs.readFileSync(f, "utf8")),
      JSON.stringify(posts.map((p) => p.body)),
    ];
    expect(texts.length).toBeGreaterThan(10);
    for (const text of texts) {
      for (const secret of [password, HOOK_TOKEN, HOOK_HEADER, "hdr-secret-c2a95f13"]) expect(text).not.toContain(secret);
      for (const line of keyBody) expect(text).not.toContain(line);
    }
  });
});
