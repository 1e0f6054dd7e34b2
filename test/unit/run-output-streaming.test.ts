/**
 * Remote output reaches the operator line by line while a command runs, redacted per whole line
 * (a secret split across two chunks is still caught), each line with its UTC time, step, zone and
 * front-end; a silent command gets a "still running" line; the step log holds every command.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROCESS_SECRETS, REDACTED } from "../../lib/model/secrets";
import { OpenNebulaFrontend, Transport } from "../../lib/remote/opennebula/frontend";
import { onedb, onezone } from "../../lib/remote/opennebula/commands";
import { CommandResult, OutputLineListener } from "../../lib/remote/ssh/command-result";
import { LineSplitter } from "../../lib/remote/ssh/line-splitter";
import { AppendFile } from "../../lib/run/observe/append-file";
import { EventWriter, readEvents } from "../../lib/run/observe/event-writer";
import { StepObserver } from "../../lib/run/observe/step-observer";
import { formatElapsed, utcSeconds } from "../../lib/run/observe/time-format";
import { seedFederation } from "../support/federation-builder";

describe("LineSplitter", () => {
  const split = (chunks: Array<string | Buffer>) => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (const c of chunks) s.push(c);
    const beforeEnd = [...lines];
    s.end();
    return { beforeEnd, lines };
  };

  it("passes on complete lines only, the unterminated rest at the end", () => {
    expect(split(["a", "b\nc", "d\n", "e"])).toEqual({ beforeEnd: ["ab", "cd"], lines: ["ab", "cd", "e"] });
  });

  it("drops the \\r of CRLF line ends and keeps empty lines", () => {
    expect(split(["x\r\n\ny\r", "\n"]).lines).toEqual(["x", "", "y"]);
  });

  it("keeps a UTF-8 character whole when a chunk boundary cuts it", () => {
    const bytes = Buffer.from("zone → ok\n", "utf8");
    const cut = bytes.indexOf(0x86); // inside the 3-byte arrow
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)]).lines).toEqual(["zone → ok"]);
  });
});

/** A transport that sends its reply's stdout in the given chunks, through the same splitter as the SSH session. */
class ChunkedTransport implements Transport {
  constructor(private readonly chunks: readonly string[]) {}
  async exec(command: string, _stdin?: string, onLine?: OutputLineListener): Promise<CommandResult> {
    const lines = onLine && new LineSplitter((l) => onLine("stdout", l));
    for (const c of this.chunks) lines?.push(c);
    lines?.end();
    return { host: "10.0.0.5:22", command, exitCode: 0, signal: null, stdout: this.chunks.join(""), stderr: "", durationMs: 7 };
  }
  async upload(): Promise<void> {}
  async download(): Promise<void> {}
}

describe("StepObserver on a machine's commands", () => {
  const config = seedFederation().parse();
  const zone = config.zones[1];
  const SECRET = "s3cr3t-Pa55word";
  let dir: string;
  let clock: number;
  let consoleLines: string[];
  let observer: StepObserver;
  let logFile: AppendFile;
  let events: EventWriter;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-observe-"));
    clock = Date.parse("2026-11-30T12:40:01.250Z");
    consoleLines = [];
    logFile = new AppendFile(path.join(dir, "steps", "upgrade-zone100.log"));
    events = new EventWriter(path.join(dir, "events.jsonl"), "run-1", () => clock);
    observer = new StepObserver({ step: "upgrade", zone, console: (l) => consoleLines.push(l), logFile, events, heartbeatSeconds: 30, now: () => clock });
  });
  afterEach(() => {
    observer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const machine = (chunks: string[]) =>
    new OpenNebulaFrontend(new ChunkedTransport(chunks), { host: "10.0.0.5", port: 22, zone: "zone 100" }, "apt", () => undefined, SECRET, undefined, observer);

  it("streams an echo command's lines, timestamped, with step, zone and front-end, redacting a secret split across chunks", async () => {
    const half = SECRET.length / 2;
    await machine([`>>> Running migrators\nmysqldump -p'${SECRET.slice(0, half)}`, `${SECRET.slice(half)}' failed\n`, "done"]).run(onedb.upgrade("/b.sql"));
    const prefix = `2026-11-30T12:40:01Z [upgrade ${`zone ${zone.id} (${zone.name})`}] 10.0.0.5:22`;
    expect(consoleLines).toEqual([
      `${prefix} $ onedb upgrade -v -b /b.sql`,
      `${prefix} out| >>> Running migrators`,
      `${prefix} out| mysqldump -p'${REDACTED}' failed`,
      `${prefix} out| done`,
      `${prefix} $ onedb upgrade -v -b /b.sql  → 0 (7 ms)`,
    ]);
    logFile.close();
    const log = fs.readFileSync(logFile.file, "utf8");
    expect(log).toBe(consoleLines.map((l) => `${l}\n`).join(""));
    expect(log).not.toContain(SECRET.slice(0, half));
    events.close();
    expect(readEvents(events.file).map((e) => e.event)).toEqual(["command-start", "command-end"]);
    expect(readEvents(events.file)[1]).toMatchObject({ host: "10.0.0.5:22", exit_code: 0, duration_ms: 7, step: "upgrade", zone: zone.id });
  });

  it("shows only a data command's end on the console, and keeps its output in the step log", async () => {
    await machine(["ID,NAME\n", "0,M-EU-FR\n"]).run(onezone.listCsv());
    expect(consoleLines).toEqual([`2026-11-30T12:40:01Z [upgrade zone ${zone.id} (${zone.name})] 10.0.0.5:22 $ onezone list --csv  → 0 (7 ms)`]);
    logFile.close();
    expect(fs.readFileSync(logFile.file, "utf8")).toMatch(/\$ onezone list --csv\n.*→ 0 \(7 ms\)\n {4}out\| ID,NAME\n {4}out\| 0,M-EU-FR\n$/);
  });

  it("keeps a data command's output in the step log line by line, redacted and escaped wherever a line needs it", async () => {
    await machine(["ID,NAME\n0,M-EU-FR\tx\n", `PASSWD = "${SECRET}"\n\x1b[2Jok\n`, "last"]).run(onezone.listCsv());
    logFile.close();
    const block = fs.readFileSync(logFile.file, "utf8").split("\n").slice(2).join("\n");
    expect(block).toBe(`    out| ID,NAME\n    out| 0,M-EU-FR\\tx\n    out| PASSWD = "${REDACTED}"\n    out| \\x1b[2Jok\n    out| last\n`);
  });

  it("says 'still running' for a command silent for the heartbeat period, then again after each further one", () => {
    const watch = observer.commandStarted({ host: "10.0.0.7", port: 2222 }, "apt-get install -y opennebula", true);
    clock += 29_000;
    observer.checkSilence();
    expect(consoleLines.filter((l) => l.includes("still running"))).toEqual([]);
    clock += 1_000;
    observer.checkSilence();
    watch.output("stdout", "Unpacking opennebula ...");
    clock += 29_999;
    observer.checkSilence();
    clock += 1;
    observer.checkSilence();
    clock += 90_000;
    observer.checkSilence();
    expect(consoleLines.filter((l) => l.includes("still running"))).toEqual([
      `2026-11-30T12:40:31Z [upgrade zone ${zone.id} (${zone.name})] 10.0.0.7:2222 still running: apt-get install -y opennebula, 30s`,
      `2026-11-30T12:41:01Z [upgrade zone ${zone.id} (${zone.name})] 10.0.0.7:2222 still running: apt-get install -y opennebula, 1m00s`,
      `2026-11-30T12:42:31Z [upgrade zone ${zone.id} (${zone.name})] 10.0.0.7:2222 still running: apt-get install -y opennebula, 2m30s`,
    ]);
    watch.ended({ host: "10.0.0.7:2222", command: "x", exitCode: 0, signal: null, stdout: "", stderr: "", durationMs: 150_000 });
    clock += 60_000;
    observer.checkSilence();
    expect(consoleLines.filter((l) => l.includes("still running"))).toHaveLength(3);
    events.close();
    expect(readEvents(events.file).filter((e) => e.event === "heartbeat")).toHaveLength(3);
  });

  it("records a command without a result (link lost) with a null exit code and the reason", () => {
    // As the runner does for every DB password it reads (registerDatabasePasswords): the last-resort redaction.
    PROCESS_SECRETS.add(SECRET);
    const watch = observer.commandStarted({ host: "10.0.0.7", port: 22 }, "onedb restore x", true);
    clock += 1500;
    watch.failed(`the connection dropped; password ${SECRET}`);
    expect(consoleLines[1]).toMatch(/\$ onedb restore x {2}→ no result after 1500 ms: the connection dropped; password \*\*\*$/);
    events.close();
    expect(readEvents(events.file)[1]).toMatchObject({ event: "command-end", exit_code: null, signal: null, duration_ms: 1500 });
    expect(fs.readFileSync(events.file, "utf8")).not.toContain(SECRET);
  });

  it("writes step start, end and failure events, the failure also into the step log", () => {
    PROCESS_SECRETS.add(SECRET);
    observer.stepStarted();
    observer.stepEnded("done", "upgraded", 1200);
    observer.stepFailed(`RemoteCommandError: boom ${SECRET}\nsecond line`, 1300);
    events.close();
    logFile.close();
    expect(readEvents(events.file)).toEqual([
      expect.objectContaining({
        event: "step-start",
        step: "upgrade",
        zone: zone.id,
        zone_name: zone.name,
        hosts: zone.frontends.map((f) => `${f.host}:${f.port}`),
      }),
      expect.objectContaining({ event: "step-end", status: "done", summary: "upgraded", duration_ms: 1200 }),
      expect.objectContaining({ event: "step-fail", message: `RemoteCommandError: boom ${REDACTED}\nsecond line`, duration_ms: 1300 }),
    ]);
    expect(fs.readFileSync(logFile.file, "utf8")).toMatch(/failed after 1s:\nRemoteCommandError: boom \*\*\*\nsecond line\n$/);
  });
});

describe("utcSeconds", () => {
  it("stamps each second anew, however often the same second is asked for", () => {
    const t = Date.parse("2026-11-30T12:40:01.250Z");
    expect([t, t + 750, t + 800, t - 300, t + 86_400_000].map(utcSeconds)).toEqual([
      "2026-11-30T12:40:01Z",
      "2026-11-30T12:40:02Z",
      "2026-11-30T12:40:02Z",
      "2026-11-30T12:40:00Z",
      "2026-12-01T12:40:01Z",
    ]);
  });
});

describe("formatElapsed", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m00s"],
    [150_000, "2m30s"],
    [3_600_000, "1h00m"],
    [3_905_000, "1h05m"],
  ])("%d ms reads %s", (ms, text) => expect(formatElapsed(ms)).toBe(text));
});
