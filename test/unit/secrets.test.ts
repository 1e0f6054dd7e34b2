/**
 * No secret leaves the runner: a MySQL front-end whose `onedb backup` fails prints mysqldump's
 * whole command line, password included (as the real onedb does, and the sandbox's); the thrown
 * error, every log line, the ledger records and the CLI's printed paragraph show `***` instead.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, SUBCOMMANDS } from "../../lib/cli/onefed";
import { OnefedError, UsageError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import { LEDGER_FORMAT, LedgerEvent, serializeRecord } from "../../lib/model/ledger";
import { REDACTED, Secrets } from "../../lib/model/secrets";
import { requirementsOf } from "../../lib/model/step-requirements";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { RemoteCommandError } from "../../lib/remote/opennebula/remote-command-error";
import { RemoteLedgerStore } from "../../lib/remote/opennebula/ledger-store";
import { SshConnectOptions, SshSession } from "../../lib/remote/ssh/ssh-session";
import { registerDatabasePasswords } from "../../lib/run/connector";
import { stepLog } from "../../lib/run/run-step";
import { dbVersionText, FakeTransport, Reply } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

/** What onedb prints when the shell cannot create a MySQL backup (sandbox/emulator/onedb-backup.ts, as the real one). */
const mysqldumpFailure = (password: string, file: string) =>
  `sh: 1: cannot create ${file}: Directory nonexistent\n` +
  `Unknown error running 'mysqldump -u oneadmin -p'${password}' -h localhost -P 0 --add-drop-table opennebula db_versioning  > ${file}'\n`;

afterEach(() => jest.restoreAllMocks());

describe("Secrets.redact", () => {
  it("replaces every known value, a longer one before the value it contains", () => {
    const s = new Secrets().add("hunter2").add("hunter2-and-more").add(undefined).add("");
    expect(s.redact("a hunter2-and-more b hunter2 c")).toBe(`a ${REDACTED} b ${REDACTED} c`);
    expect(s.redact("nothing secret here")).toBe("nothing secret here");
  });

  it("knows its parent's values too", () => {
    const parent = new Secrets().add("from-the-process");
    const child = new Secrets(parent).add("the-machine's");
    expect(child.redact("from-the-process, the-machine's")).toBe(`${REDACTED}, ${REDACTED}`);
    expect(parent.redact("the-machine's")).toBe("the-machine's");
  });

  it("redacts a value added after the first redaction, in itself and in the sets under it", () => {
    const parent = new Secrets();
    const child = new Secrets(parent);
    expect(child.redact("late-one later-two")).toBe("late-one later-two");
    expect(child.mayRedact("late-one")).toBe(false);
    parent.add("late-one");
    expect(child.redact("late-one later-two")).toBe(`${REDACTED} later-two`);
    child.add("later-two");
    expect(child.redact("late-one later-two")).toBe(`${REDACTED} ${REDACTED}`);
    expect(child.mayRedact("x later-two")).toBe(true);
  });

  it.each(["-p'x'", '-p"x"', "--PASSWORD=x", "passwd = x", "a_pwd=x", "identified by 'x'"])("may redact %j (a password shape's literal)", (text) => {
    expect(new Secrets().mayRedact(text)).toBe(true);
  });

  it.each([
    ["mysqldump -u oneadmin -p'an unknown one' -h localhost", "mysqldump -u oneadmin -p'***' -h localhost"],
    ['mysql -u oneadmin -p"an \\"unknown\\" one" opennebula', 'mysql -u oneadmin -p"***" opennebula'],
    ["mysql --password=unknown --user=oneadmin", "mysql --password=*** --user=oneadmin"],
    ["mysql --password='two words' x", "mysql --password=*** x"],
    [
      'DB = [ BACKEND = "mysql", USER = "oneadmin", PASSWD = "unknown", DB_NAME = "opennebula" ]',
      'DB = [ BACKEND = "mysql", USER = "oneadmin", PASSWD = "***", DB_NAME = "opennebula" ]',
    ],
    ["PASSWD='unknown'", "PASSWD='***'"],
    ["env ONE_DB_PASSWORD=unknown onedb version", "env ONE_DB_PASSWORD=*** onedb version"],
    ["MYSQL_PWD=unknown mysqldump", "MYSQL_PWD=*** mysqldump"],
    ["CREATE USER 'oneadmin'@'localhost' IDENTIFIED BY 'unknown';", "CREATE USER 'oneadmin'@'localhost' IDENTIFIED BY '***';"],
    ['SET PASSWORD ... identified by password "unknown"', 'SET PASSWORD ... identified by password "***"'],
  ])("redacts the password shape in %j", (text, redacted) => {
    expect(new Secrets().redact(text)).toBe(redacted);
  });

  it.each([
    "mkdir -p /var/lib/one/backups/onefed",
    "mkdir -p '/var/lib/one/my backups'",
    `sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh onedb version -t mysql -S localhost -P 0 -u oneadmin -d opennebula`,
    "database.passwordEnv names ONEFED_DB_PASSWORD, but ONEFED_DB_PASSWORD is not set",
    "Shared: 7.0.0\nLocal:  7.0.0",
  ])("leaves text that holds no password as it is: %j", (text) => {
    expect(new Secrets().redact(text)).toBe(text);
  });

  it("redacts a thrown error's message and stack in place, keeping its class", () => {
    const err = new OnefedError("onedb said -p'pw' and pw-value");
    const same = new Secrets().add("pw-value").redactError(err);
    expect(same).toBe(err);
    expect(err).toBeInstanceOf(OnefedError);
    expect(err.message).toBe(`onedb said -p'***' and ${REDACTED}`);
    expect(err.stack).not.toContain("pw-value");
  });

  it("redacts every string of a record, keys and other values untouched", () => {
    const s = new Secrets().add("pw-value");
    expect(s.redactStrings({ a: "x pw-value", n: 3, list: ["pw-value", null, true], deep: { b: "pw-value" } })).toEqual({
      a: `x ${REDACTED}`,
      n: 3,
      list: [REDACTED, null, true],
      deep: { b: REDACTED },
    });
  });
});

describe("a MySQL front-end whose onedb backup fails", () => {
  const PASSWORD = "Tr0ub4dor&3-horse";
  const FILE = "/var/lib/one/backups/onefed/seed-zone0-federated.sql";

  function frontend(rules: Array<[RegExp, Reply]>) {
    const transport = new FakeTransport(rules);
    const logged: string[] = [];
    const fe = new OpenNebulaFrontend(transport, { host: "192.168.150.1", port: 22, zone: "zone 0 (M-EU-FR)" }, "apt", (l) => logged.push(l), PASSWORD);
    return { fe, transport, logged };
  }

  it("throws a RemoteCommandError whose message and result show *** where onedb printed the password", async () => {
    const { fe, transport, logged } = frontend([[/onedb backup/, { exitCode: 255, stderr: mysqldumpFailure(PASSWORD, FILE) }]]);
    const err = (await fe.backupFederated(FILE).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).toContain("Unknown error running 'mysqldump -u oneadmin -p'***' -h localhost");
    for (const text of [err.message, err.stack ?? "", err.result.stderr, err.result.stdout, err.result.command, ...logged])
      expect(text).not.toContain(PASSWORD);
    // The password still went to onedb, on stdin: redaction is of what comes back, never of what is sent.
    expect(transport.stdins).toEqual([[transport.lines[0], `${PASSWORD}\n`]]);
  });

  it("redacts what a command returns and what a transport throws, not only failures", async () => {
    const { fe } = frontend([[/^cat /, { stdout: `DB = [ BACKEND = "mysql", PASSWD = "${PASSWORD}" ]\n`, stderr: `warning: ${PASSWORD}\n` }]]);
    const result = await fe.run({ argv: ["cat", "/etc/one/oned.conf"] });
    expect(result.stdout).toBe('DB = [ BACKEND = "mysql", PASSWD = "***" ]\n');
    expect(result.stderr).toBe(`warning: ${REDACTED}\n`);
    const throwing = new OpenNebulaFrontend(
      {
        exec: async () => {
          throw new OnefedError(`link lost while sending ${PASSWORD}`);
        },
        upload: async () => undefined,
        download: async () => undefined,
      },
      { host: "h", port: 22 },
      "apt",
      () => undefined,
      PASSWORD,
    );
    await expect(throwing.dbVersion()).rejects.toThrow(`link lost while sending ${REDACTED}`);
  });

  it("writes no password into the ledger's records (an event's detail may quote command output)", async () => {
    const { fe, transport } = frontend([[/^sh -c 'umask 077/, {}]]);
    const event: LedgerEvent = {
      kind: "event",
      format: LEDGER_FORMAT,
      what: "unfreeze",
      by: "ci@runner",
      at: "2026-01-01T00:00:00Z",
      detail: `onedb: -p'${PASSWORD}'`,
    };
    await new RemoteLedgerStore(fe, "/var/lib/one/backups/onefed/ledger/x").write("event-1.json", event);
    const [[, sent]] = transport.stdins;
    expect(sent).not.toContain(PASSWORD);
    expect(JSON.parse(sent)).toMatchObject({ detail: `onedb: -p'***'` });
    // The digest the remote side checks is the redacted content's: the write stays atomic and proven.
    expect(transport.lines[0]).toContain(crypto.createHash("sha256").update(sent).digest("hex"));
  });
});

describe("the step log and the CLI's error paragraph, the last line of defence", () => {
  const PASSWORD = "s3cr3t'; rm -rf / #";

  it("redact every secret the process registered, whatever path the text took", async () => {
    process.env.ONEFED_TEST_LAST_RESORT = PASSWORD;
    registerDatabasePasswords(
      seedFederation()
        .with({ database: { backend: "mysql", passwordEnv: "ONEFED_TEST_LAST_RESORT" } })
        .parse(),
    );
    const lines: string[] = [];
    stepLog((l) => lines.push(l))(`[backup zone 0] onedb said ${PASSWORD}`);
    expect(lines).toEqual([`[backup zone 0] onedb said ${REDACTED}`]);

    const printed = async (thrown: Error) => {
      jest.spyOn(SUBCOMMANDS.step, "load").mockResolvedValue(async () => {
        throw thrown;
      });
      const err: string[] = [];
      const code = await main(["step"], { out: () => undefined, err: (s) => err.push(s) });
      return { code, text: err.join("\n") };
    };
    for (const thrown of [
      new OnefedError(`a paragraph quoting ${PASSWORD}`),
      new UsageError(`onefed step: ${PASSWORD}`),
      new Error(`a bug, with its stack: ${PASSWORD}`),
    ]) {
      const { text } = await printed(thrown);
      expect(text).toContain(REDACTED);
      expect(text).not.toContain(PASSWORD);
    }
    delete process.env.ONEFED_TEST_LAST_RESORT;
  });
});

describe("onefed step on a MySQL master whose federated backup fails (SSH scripted)", () => {
  const PASSWORD = "Corr3ct-H0rse-Battery";
  const ENV = "ONEFED_TEST_MYSQL_PASSWORD";

  it("prints the failure with *** on stderr, and neither the log nor the ledger holds the password", async () => {
    process.env[ENV] = PASSWORD;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-secrets-"));
    const builder = seedFederation().with({ database: { backend: "mysql", passwordEnv: ENV }, backup: { localDirectory: path.join(dir, "artifacts") } });
    const configFile = builder.write(dir);
    const config = builder.parse();
    // The ledger proves what the backup step relies on: it runs, and fails at onedb backup.
    const proven = requirementsOf("backup", config.master, config)
      .map((r) =>
        serializeRecord({
          kind: "entry",
          format: LEDGER_FORMAT,
          step: r.step,
          zone_id: r.zoneId,
          run_id: "earlier",
          lineage: null,
          completed_at: "2026-01-01T00:00:00Z",
          evidence: {},
        }),
      )
      .join("");
    const master = new FakeTransport([
      [/^sh -c '\[ -d/, { stdout: proven }],
      // A ledger transaction (lock, heartbeat) reads the ledger back in the same script.
      [/^sh -c 'umask 077; d=\$1/, { stdout: proven }],
      [/^sh -c 'umask 077/, {}],
      [/onedb version/, { stdout: dbVersionText("7.0.0", "7.0.0") }],
      [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
      [/^systemctl is-active/, { exitCode: 3, stdout: "inactive\n" }],
      [/^test -e \/var\/lock\/one\/one/, { exitCode: 1 }],
      [/^mkdir /, {}],
      [/onedb backup/, { exitCode: 255, stderr: mysqldumpFailure(PASSWORD, "/var/lib/one/backups/onefed/x.sql") }],
    ]);
    jest.spyOn(SshSession, "connect").mockImplementation(async (opts: SshConnectOptions) => {
      if (opts.target.host !== "192.168.150.1") throw new Error(`the backup step has no business on ${opts.target.host}`);
      return {
        target: opts.target,
        exec: (l: string, i?: string) => master.exec(l, i),
        upload: (a: string, b: string) => master.upload(a, b),
        download: (a: string, b: string) => master.download(a, b),
        close: () => undefined,
      } as unknown as SshSession;
    });
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["step", "backup", "--zone", "0", "--config", configFile], { out: (s) => out.push(s), err: (s) => err.push(s) });
    delete process.env[ENV];

    expect(code).toBe(ExitCode.Failed);
    expect(master.lines.some((l) => l.includes("onedb backup"))).toBe(true);
    const printed = err.join("\n");
    expect(printed).toMatch(/^RemoteCommandError: zone 0 \(M-EU-FR\), front-end 192\.168\.150\.1:22: .*onedb backup -v --federated -f .* exited with 255:/);
    expect(printed).toContain("-p'***'");
    for (const text of [printed, ...out, ...master.stdins.filter(([l]) => !l.includes("onedb")).map(([, s]) => s)]) expect(text).not.toContain(PASSWORD);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
