/**
 * The events file (docs/events.md): one JSON object per line, versioned, valid against
 * docs/events.schema.json, long text cut so a line stays under PIPE_BUF, and lines appended by
 * several processes at once never interleave.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EVENT_NAMES, EVENTS_FORMAT_VERSION, RunEvent } from "../../lib/model/run-events";
import { EventWriter, MAX_EVENT_LINE_BYTES, MAX_EVENT_TEXT, parseEventLines, readEvents, serializeEvent } from "../../lib/run/observe/event-writer";
import { stepOutputsFromEnv } from "../../lib/run/observe/step-outputs";
import { schemaErrors } from "../support/json-schema-check";

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/events.schema.json"), "utf8"));
const TS = "2026-11-30T12:40:01.250Z";
const base = { v: 1 as const, ts: TS, run: "20261130T124001Z-ab12cd34" };

/** One valid example of every event, as docs/events.md shows them. */
const EXAMPLES: RunEvent[] = [
  {
    ...base,
    event: "run-start",
    step: null,
    zone: null,
    command: "deploy",
    federation: "prod",
    from_version: "6.10.0",
    to_version: "7.0.0",
    run_dir: "/srv/onefed/artifacts/runs/20261130T124001Z-ab12cd34",
    stages: [[{ step: "preflight", zone: 0, zone_name: "M-EU-FR" }]],
  },
  { ...base, event: "step-start", step: "upgrade", zone: 101, zone_name: "S-US-CA", hosts: ["10.0.1.3:22", "10.0.1.31:22", "10.0.1.32:22"] },
  { ...base, event: "command-start", step: "upgrade", zone: 101, host: "10.0.1.3:22", command: "onedb upgrade -v -b /var/lib/one/backups/onefed/x.sql" },
  { ...base, event: "heartbeat", step: "upgrade", zone: 101, host: "10.0.1.3:22", command: "onedb upgrade -v -b /x.sql", elapsed_ms: 30_012 },
  {
    ...base,
    event: "command-end",
    step: "upgrade",
    zone: 101,
    host: "10.0.1.3:22",
    command: "onedb upgrade -v -b /x.sql",
    exit_code: 0,
    signal: null,
    duration_ms: 41_230,
  },
  { ...base, event: "step-end", step: "upgrade", zone: 101, status: "done", summary: "DB 7.0.0", duration_ms: 60_000 },
  { ...base, event: "step-fail", step: "restore", zone: 100, message: "RemoteCommandError: zone 100 …", duration_ms: 1_000 },
  { ...base, event: "run-end", step: null, zone: null, status: "failed", duration_ms: 600_000, exit_code: 1, message: "EngineRunError: …" },
  {
    ...base,
    event: "notify-fail",
    step: "restore",
    zone: 100,
    notified: "step-fail",
    target: "https://hooks.example.com",
    message: "no answer within 5 s",
    duration_ms: 5_001,
  },
];

describe("the events format", () => {
  it.each(EXAMPLES.map((e) => [e.event, e]))("a %s event validates against docs/events.schema.json", (_name, event) => {
    expect(schemaErrors(SCHEMA, JSON.parse(serializeEvent(event)))).toEqual([]);
  });

  it("covers every event name, and the schema's enum lists exactly those", () => {
    expect(EXAMPLES.map((e) => e.event).sort()).toEqual([...EVENT_NAMES].sort());
    expect([...SCHEMA.properties.event.enum].sort()).toEqual([...EVENT_NAMES].sort());
    expect(SCHEMA.properties.v.const).toBe(EVENTS_FORMAT_VERSION);
  });

  it.each([
    ["a step event without a host", { ...base, event: "command-start", step: "upgrade", zone: 1, command: "x" }, /lacks host/],
    ["a run event with a zone", { ...EXAMPLES[0], zone: 3 }, /zone: is integer, expected null/],
    ["another format version", { ...EXAMPLES[5], v: 2 }, /v: is 2, expected 1/],
    ["an unknown status", { ...EXAMPLES[5], status: "skipped" }, /status: "skipped" is not one of/],
    ["a local time", { ...EXAMPLES[5], ts: "2026-11-30 12:40:01" }, /ts: .* does not match/],
  ])("rejects %s", (_what, event, problem) => {
    expect(schemaErrors(SCHEMA, event).join("\n")).toMatch(problem);
  });

  it("writes the common keys first and one line per event", () => {
    const line = serializeEvent(EXAMPLES[5]);
    expect(line).toMatch(/^\{"v":1,"ts":"2026-11-30T12:40:01\.250Z","event":"step-end","run":"[^"]+","step":"upgrade","zone":101,/);
    expect(line.endsWith("}\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
  });

  it("cuts long text fields, so a step's line stays under PIPE_BUF, and it still validates", () => {
    const long = "x".repeat(5000);
    const line = serializeEvent({ ...EXAMPLES[4], command: long } as RunEvent);
    expect(Buffer.byteLength(line)).toBeLessThan(MAX_EVENT_LINE_BYTES);
    const parsed = JSON.parse(line);
    expect(parsed.command).toBe(`${"x".repeat(MAX_EVENT_TEXT)}…`);
    expect(schemaErrors(SCHEMA, parsed)).toEqual([]);
  });

  it("parses complete lines and keeps a torn last line for the next read", () => {
    const text = serializeEvent(EXAMPLES[1]) + "not json\n" + serializeEvent(EXAMPLES[2]).slice(0, 20);
    const { events, rest } = parseEventLines(text);
    expect(events.map((e) => e.event)).toEqual(["step-start"]);
    expect(rest).toBe(serializeEvent(EXAMPLES[2]).slice(0, 20));
  });
});

describe("EventWriter", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-events-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stamps version, time and run, creates the directory, and appends", () => {
    const file = path.join(dir, "runs", "r1", "events.jsonl");
    const w = new EventWriter(file, "r1", () => Date.parse(TS));
    w.write({ event: "step-end", step: "stop", zone: 100, status: "done", summary: "stopped", duration_ms: 5 });
    w.close();
    new EventWriter(file, "r1", () => Date.parse(TS)).write({ event: "step-start", step: "start", zone: 100, zone_name: "S", hosts: [] });
    expect(readEvents(file)).toEqual([
      { v: 1, ts: TS, event: "step-end", run: "r1", step: "stop", zone: 100, status: "done", summary: "stopped", duration_ms: 5 },
      { v: 1, ts: TS, event: "step-start", run: "r1", step: "start", zone: 100, zone_name: "S", hosts: [] },
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("never throws when the file cannot be written (the step goes on)", () => {
    // A path under a regular file: its directory can never be made (ENOTDIR).
    const blocker = path.join(dir, "a-file");
    fs.writeFileSync(blocker, "");
    const w = new EventWriter(path.join(blocker, "runs", "events.jsonl"), "r1");
    expect(() => w.write({ event: "step-start", step: "start", zone: 1, zone_name: "S", hosts: [] })).not.toThrow();
  });

  it("keeps every line whole when several processes append at once", async () => {
    const file = path.join(dir, "events.jsonl");
    // The build's module (`npm run build` first), as the step processes load it.
    const writer = path.resolve(__dirname, "../../dist/lib/run/observe/event-writer.js");
    expect(fs.existsSync(writer)).toBe(true);
    // Each child writes 300 events with a ~3 KiB command, as concurrent step processes do.
    const script = `
      const { EventWriter } = require(${JSON.stringify(writer)});
      const w = new EventWriter(${JSON.stringify(file)}, "r1");
      for (let i = 0; i < 300; i++) w.write({ event: "command-start", step: "upgrade", zone: Number(process.argv[1]), host: "h:22", command: String(i).padEnd(990, "y") + "z".repeat(2000) });
    `;
    await Promise.all(
      [0, 1, 2, 3].map(
        (zone) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ["-e", script, String(zone)], { stdio: ["ignore", "ignore", "inherit"] });
            child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`writer ${zone} exited ${code}`))));
          }),
      ),
    );
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(1200);
    const parsed = lines.map((l) => JSON.parse(l) as { zone: number });
    expect([0, 1, 2, 3].map((z) => parsed.filter((e) => e.zone === z).length)).toEqual([300, 300, 300, 300]);
  }, 60_000);
});

describe("stepOutputsFromEnv", () => {
  it("writes nowhere for a step run by hand, and into the run directory under a deploy", () => {
    expect(stepOutputsFromEnv("stop", 100, {})).toEqual({ events: undefined, logFile: undefined, heartbeatSeconds: 30 });
    const o = stepOutputsFromEnv("stop", 100, { ONEFED_RUN_DIR: "/r", ONEFED_RUN_ID: "run-9", ONEFED_HEARTBEAT_SECONDS: "5" });
    expect({ events: o.events?.file, log: o.logFile?.file, beat: o.heartbeatSeconds }).toEqual({
      events: "/r/events.jsonl",
      log: "/r/steps/stop-zone100.log",
      beat: 5,
    });
    expect(stepOutputsFromEnv("stop", 100, { ONEFED_RUN_DIR: "/r", ONEFED_EVENTS: "/ci/e.jsonl", ONEFED_HEARTBEAT_SECONDS: "x" })).toMatchObject({
      events: expect.objectContaining({ file: "/ci/e.jsonl" }),
      heartbeatSeconds: 30,
    });
  });
});
