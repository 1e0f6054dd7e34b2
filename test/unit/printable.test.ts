/**
 * Remote text reaches the terminal as text: a zone or host name, or command output, holding an OSC
 * title, a clear-screen, a carriage return or a one-byte CSI is shown escaped in every message and
 * log line that quotes it, never interpreted by the operator's terminal.
 */
import { main } from "../../lib/cli/onefed";
import { renderDriftTable } from "../../lib/checks/report-table";
import { runPack } from "../../lib/checks/packs";
import { Check, CheckResult } from "../../lib/checks/check";
import { FederationFacts } from "../../lib/checks/facts";
import { describeError, OnefedError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import { LEDGER_FORMAT } from "../../lib/model/ledger";
import { SshConnectOptions, SshSession } from "../../lib/remote/ssh/ssh-session";
import { printable } from "../../lib/model/printable";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { RemoteCommandError } from "../../lib/remote/opennebula/remote-command-error";
import { stepLog } from "../../lib/run/run-step";
import { StepRefusal } from "../../lib/run/step-refusal";
import { STEPS } from "../../lib/run/steps/catalog";
import { DriftReport } from "../../lib/checks/drift-report";
import { FakeTransport, fakeStepContext } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const OSC_TITLE = "\x1b]0;pwned\x07";
const CLEAR = "\x1b[2J";
const HOSTILE = `zone${OSC_TITLE}${CLEAR}\rfake\u009b31mred`;

/** Any character a terminal would act on, other than a line break or a tab. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/; // eslint-disable-line no-control-regex

describe("printable", () => {
  it.each([
    ["an OSC title", "\\x1b]0;pwned\\x07", OSC_TITLE],
    ["a clear-screen", "\\x1b[2J", CLEAR],
    ["a carriage return", "a\\rb", "a\rb"],
    ["a one-byte CSI (C1)", "\\u009b31m", "\u009b31m"],
    ["DEL", "del\\x7f", "del\u007f"],
    ["NUL", "nul\\x00", "nul\u0000"],
    ["a line break and a tab in one line", "one\\ntwo\\tthree", "one\ntwo\tthree"],
    ["a bidi override", "abc\\u202edcb", "abc\u202edcb"],
    ["plain Unicode text", "zone S-EU-GE, café, 東京, ✓", "zone S-EU-GE, café, 東京, ✓"],
  ])("shows %s as %j", (_what, shown, raw) => {
    expect(printable(raw)).toBe(shown);
  });

  it("keeps line breaks and tabs in a multi-line block, and escapes the rest", () => {
    expect(printable(`line one\n\tline two ${CLEAR}\r`, { multiline: true })).toBe("line one\n\tline two \\x1b[2J\\r");
  });

  it("is idempotent, and leaves nothing a terminal acts on", () => {
    const once = printable(HOSTILE);
    expect(printable(once)).toBe(once);
    expect(once).not.toMatch(RAW_CONTROL);
    expect(once).not.toContain("\n");
  });
});

describe("messages that quote the front-ends", () => {
  it("RemoteCommandError shows a hostile command output escaped, line by line", async () => {
    const t = new FakeTransport([[/^onezone list/, { exitCode: 1, stderr: `[one.zonepool.info] ${HOSTILE}\r\nsecond line ${CLEAR}\r\n` }]]);
    const fe = new OpenNebulaFrontend(t, { host: "192.168.150.1", port: 22, zone: "zone 0 (M-EU-FR)" }, "apt");
    const err = (await fe.zoneList().catch((e: unknown) => e)) as RemoteCommandError;
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).not.toMatch(RAW_CONTROL);
    expect(err.message).toContain("[one.zonepool.info] zone\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\u009b31mred\n    second line \\x1b[2J\n");
  });

  it("a refusal shows what it found escaped", () => {
    const config = seedFederation().parse();
    const err = new StepRefusal("sync", {
      zone: config.master,
      expected: "zone 100 named S-EU-GE",
      found: `zone 100 named ${HOSTILE}`,
      next: "Nothing was changed.",
    });
    expect(err.message).not.toMatch(RAW_CONTROL);
    expect(err.message).toContain("found zone 100 named zone\\x1b]0;pwned");
  });

  it("check findings and the drift table show hostile zone names escaped", () => {
    const config = seedFederation().parse();
    const hostile: CheckResult = {
      check: "zones-match-master",
      status: "finding",
      zone: { id: 102, name: HOSTILE },
      frontend: "192.168.150.1:22",
      expected: "no zone the file lacks",
      found: `zone 102 (${HOSTILE})`,
      next: `remove ${CLEAR}`,
      summary: `the master knows zone 102 (${HOSTILE})`,
    };
    const pack: Check[] = [{ id: "zones-match-master", description: "", run: () => [hostile] }];
    const [result] = runPack(pack, {} as FederationFacts, config);
    for (const text of [result.summary, result.zone!.name, result.found!, result.next!]) expect(text).not.toMatch(RAW_CONTROL);
    // A report built without runPack (read back from JSON) prints as safely.
    const report = {
      federation: "seed",
      fromVersion: "6.10.0",
      toVersion: "7.0.0",
      results: [hostile],
      couldNotCheck: false,
      ready: false,
    } as unknown as DriftReport;
    const table = renderDriftTable(report);
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table).toContain("102 zone\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\u009b31mred");
  });

  it("the preflight quotes an unreadable front-end's error escaped", async () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: fs.mkdtempSync(path.join(os.tmpdir(), "onefed-printable-")) } })
      .parse();
    const failing = new FakeTransport([]);
    jest.spyOn(failing, "exec").mockRejectedValue(new Error(`the front-end answered ${HOSTILE}`));
    const ctx = fakeStepContext(config, config.master, "preflight", () => failing);
    const err = (await STEPS.preflight.run(ctx).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("the front-end answered zone\\x1b]0;pwned");
    expect(err.message).not.toMatch(RAW_CONTROL);
  });

  it("every step log line is one printable line, whatever the caller put in it", () => {
    const lines: string[] = [];
    stepLog((l) => lines.push(l))(`[verify zone 0] zone ${HOSTILE}\n[verify zone 0] done: forged`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(RAW_CONTROL);
    expect(lines[0]).toContain("\\n[verify zone 0] done: forged");
  });

  it("whatever the CLI prints reaches the terminal as text: `onefed lock status` quoting a hostile ledger", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-printable-"));
    const configFile = seedFederation().write(dir);
    const lock = {
      kind: "lock",
      format: LEDGER_FORMAT,
      run_id: "r1",
      lineage: null,
      holder: `ci@${HOSTILE}`,
      since: "2026-01-01T00:00:00Z",
      step: "stop",
      zone_id: 0,
      updated_at: "2026-01-01T00:00:00Z",
    };
    const master = new FakeTransport([[/^sh -c '\[ -d/, { stdout: `${JSON.stringify(lock)}\n` }]]);
    jest
      .spyOn(SshSession, "connect")
      .mockImplementation(
        async (opts: SshConnectOptions) =>
          ({ target: opts.target, exec: (l: string, i?: string) => master.exec(l, i), close: () => undefined }) as unknown as SshSession,
      );
    const written: string[] = [];
    jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    const code = await main(["lock", "status", "--config", configFile]);
    jest.restoreAllMocks();
    expect(code).toBe(ExitCode.Locked);
    const printed = written.join("");
    expect(printed).toContain("by ci@zone\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\u009b31mred");
    expect(printed).not.toMatch(RAW_CONTROL);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the CLI's error paragraph keeps its lines and escapes the rest, also for a bug's stack", () => {
    const paragraph = describeError(new OnefedError(`zone ${HOSTILE}:\n    output line`));
    expect(paragraph).toBe("OnefedError: zone zone\\x1b]0;pwned\\x07\\x1b[2J\\rfake\\u009b31mred:\n    output line");
    expect(describeError(new Error(`bug ${CLEAR}`))).not.toMatch(RAW_CONTROL);
  });
});
