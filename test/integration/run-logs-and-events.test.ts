/**
 * What an operator and a CI job get from a run (docs/events.md): the output of a long command
 * arrives while it runs, a silent command gets "still running" lines, the run directory holds one
 * log per step and zone and an events file that validates against docs/events.schema.json, an HA
 * zone's servers are told apart by host:port, and no secret is in any of it. On a MySQL federation
 * with an HA slave, the master's `onedb upgrade` kept running 4 s after its output (the sandbox's
 * slow-command switch).
 */
import * as fs from "fs";
import * as path from "path";
import { SANDBOX_DB_PASSWORD_ENV, setSlowCommand } from "../../sandbox";
import { deploy } from "../../lib/terraform/deploy";
import { loadConfig } from "../../lib/config/load-config";
import { HEARTBEAT_SECONDS_ENV } from "../../lib/model/environment";
import { RunEvent, RunStartEvent, StepStartEvent } from "../../lib/model/run-events";
import { readEvents } from "../../lib/run/observe/event-writer";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";
import { schemaErrors } from "../support/json-schema-check";

jest.setTimeout(900_000);

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/events.schema.json"), "utf8"));
const SLOW_SECONDS = 4;

/** Every file under a directory. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? filesUnder(path.join(dir, f.name)) : [path.join(dir, f.name)]));
}

describeAsRoot("run logs and events", () => {
  let sandbox: SandboxFixture;
  let password = "";
  const seen: Array<{ at: number; line: string }> = [];
  let run: { dir: string; eventsFile: string };
  let events: RunEvent[] = [];

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.160.1", 2, { mysqlZones: [0, 100, 101], ha: [101], servers: 3 });
    password = sandbox.mysqlPassword();
    process.env[SANDBOX_DB_PASSWORD_ENV] = password;
    process.env[HEARTBEAT_SECONDS_ENV] = "1";
    setSlowCommand(sandbox.dir, "zone0-server0", { match: "onedb upgrade", seconds: SLOW_SECONDS });
    const result = await deploy({
      configPath: sandbox.configPath,
      outdir: path.join(sandbox.dir, "cdktf.out"),
      log: (line) => seen.push({ at: Date.now(), line }),
    }).catch((err: Error) => {
      // The failing step's refusal is in the output, not in the engine's error.
      err.message += `\n--- output ---\n${seen.map((s) => s.line).join("\n")}`;
      throw err;
    });
    run = result.run;
    events = readEvents(run.eventsFile);
  });
  afterAll(async () => {
    delete process.env[SANDBOX_DB_PASSWORD_ENV];
    delete process.env[HEARTBEAT_SECONDS_ENV];
    await sandbox?.down();
  });

  it("shows a long command's output while it runs, and a heartbeat while it is silent", () => {
    const masterHost = events.find((e): e is StepStartEvent => e.event === "step-start" && e.zone === 0)!.hosts[0];
    const mine = seen.filter((s) => s.line.includes(`[upgrade zone 0 (`) && s.line.includes(masterHost));
    const start = mine.findIndex((s) => /\$ .*onedb upgrade -t mysql .*-v -b \S+$/.test(s.line));
    const firstOutput = mine.findIndex((s, i) => i > start && / out\| /.test(s.line));
    const end = mine.findIndex((s) => /\$ .*onedb upgrade .*→ 0 \(\d+ ms\)$/.test(s.line));
    expect({ start: start >= 0, firstOutput: firstOutput > start, end: end > firstOutput }).toEqual({ start: true, firstOutput: true, end: true });
    // The output line reached the deploy while the command still ran: before its end, by the sandbox's delay.
    expect(mine[end].at - mine[firstOutput].at).toBeGreaterThanOrEqual((SLOW_SECONDS - 1) * 1000);
    const beats = mine.slice(firstOutput, end).filter((s) => /still running: .*onedb upgrade .*, \ds$/.test(s.line));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    // Every line a step prints carries its UTC time, step and zone.
    expect(mine[start].line).toMatch(/\(local-exec\): \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[upgrade zone 0 \(M-EU-FR\)\] 127\.0\.160\.\d+:22 \$ /);
    expect(events.filter((e) => e.event === "heartbeat" && e.step === "upgrade" && e.zone === 0).length).toBeGreaterThanOrEqual(2);
  });

  it("writes an events file that validates against docs/events.schema.json, from run-start to run-end", () => {
    const invalid = events.map((e, i) => ({ i, errors: schemaErrors(SCHEMA, e) })).filter((x) => x.errors.length > 0);
    expect(invalid).toEqual([]);
    // The raw lines too: each one whole JSON object (no interleaving between the step processes).
    const lines = fs.readFileSync(run.eventsFile, "utf8").split("\n").filter(Boolean);
    expect(lines.every((l) => l.startsWith('{"v":1,"ts":"') && l.endsWith("}"))).toBe(true);
    expect(lines.length).toBe(events.length);
    expect(events[0]).toMatchObject({ event: "run-start", command: "deploy", federation: "sandbox", from_version: "6.10.0", to_version: "7.0.0" });
    expect(events[events.length - 1]).toMatchObject({ event: "run-end", status: "done", exit_code: 0 });
    const starts = events.filter((e) => e.event === "step-start").map((e) => `${e.step}/${e.zone}`);
    const ends = events.filter((e) => e.event === "step-end").map((e) => `${e.step}/${e.zone}`);
    const planned = (events[0] as RunStartEvent).stages.flat().map((s) => `${s.step}/${s.zone}`);
    expect(new Set(starts)).toEqual(new Set(planned));
    expect(new Set(ends)).toEqual(new Set(planned));
    // Every command that started ended, with its exit code.
    const commandStarts = events.filter((e) => e.event === "command-start").length;
    const commandEnds = events.filter((e) => e.event === "command-end");
    expect(commandEnds.length).toBe(commandStarts);
    expect(commandEnds.length).toBeGreaterThan(50);
    expect(
      commandEnds.some((e) => e.event === "command-end" && /onedb upgrade/.test(e.command) && e.exit_code === 0 && e.duration_ms >= SLOW_SECONDS * 1000),
    ).toBe(true);
  });

  it("keeps one log per step and zone, and tells an HA zone's servers apart", () => {
    const planned = (events[0] as RunStartEvent).stages.flat();
    for (const s of planned) {
      const log = fs.readFileSync(path.join(run.dir, "steps", `${s.step}-zone${s.zone}.log`), "utf8");
      expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[/);
      expect(log).toMatch(/ \$ .* → 0 \(\d+ ms\)\n/);
    }
    const upgrade101 = fs.readFileSync(path.join(run.dir, "steps", "upgrade-zone101.log"), "utf8");
    const servers = events.find((e): e is StepStartEvent => e.event === "step-start" && e.step === "upgrade" && e.zone === 101)!.hosts;
    expect(servers).toHaveLength(3);
    // Each of the HA zone's servers ran commands under its own host:port (the master's ledger commands come too).
    const hosts = new Set([...upgrade101.matchAll(/\] (127\.0\.160\.\d+:22) \$ /g)].map((m) => m[1]));
    expect([...hosts]).toEqual(expect.arrayContaining(servers));
    // A data command's output is in the log (indented), not on the console.
    expect(upgrade101).toMatch(/\n {4}out\| /);
    expect(fs.readFileSync(path.join(run.dir, "engine.log"), "utf8")).toMatch(
      /Terraform will perform the following actions|OpenTofu will perform the following actions/,
    );
  });

  it("puts no secret in the console, the run directory or the events", () => {
    const key = fs.readFileSync(loadConfig(sandbox.configPath).ssh.privateKeyPath!, "utf8");
    const keyBody = key.split("\n").filter((l) => l && !l.startsWith("-----"));
    expect(keyBody.length).toBeGreaterThan(2);
    const texts = [seen.map((s) => s.line).join("\n"), ...filesUnder(run.dir).map((f) => fs.readFileSync(f, "utf8"))];
    for (const text of texts) {
      expect(text).not.toContain(password);
      for (const line of keyBody) expect(text).not.toContain(line);
    }
  });

  it("prints plain timestamped lines without a terminal, and a second run does nothing", async () => {
    const eventsFile = path.join(sandbox.dir, "ci-events.jsonl");
    const r = await runOnefed(["deploy", "--config", sandbox.configPath, "--out", path.join(sandbox.dir, "cdktf.out"), "--events", eventsFile], sandbox.dir);
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const lines = r.output.trimEnd().split("\n");
    expect(lines.filter((l) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /.test(l))).toEqual([]);
    expect(r.output).not.toContain("\x1b[");
    expect(r.output).not.toMatch(/Still creating|will perform the following actions/);
    const ci = readEvents(eventsFile);
    expect(ci.map((e) => e.event)).toEqual(["run-start", "run-end"]);
    expect(ci.flatMap((e) => schemaErrors(SCHEMA, e))).toEqual([]);
  });
});
