/**
 * Every `onefed` command at the command line: `-h`/`--help` anywhere prints its help, exits 0 and
 * does nothing else (no file read, no connection, no process, no engine, no sandbox change);
 * unknown options and stray arguments are usage errors (2) whose one line names the argument.
 */
// Default imports are Node's module objects themselves (not esModuleInterop copies): a spy must replace what the code calls.
import childProcess from "child_process";
import * as fs from "fs";
import net from "net";
import * as os from "os";
import * as path from "path";
import * as loadConfigModule from "../../lib/config/load-config";
import { main, SUBCOMMANDS } from "../../lib/cli/onefed";
import { EXIT_CODE_TABLE } from "../../lib/model/exit-codes";
import * as driftCheckModule from "../../lib/run/drift-check";
import * as runStepModule from "../../lib/run/run-step";
import * as synthesizeModule from "../../lib/synth/synthesize";
import * as deployModule from "../../lib/terraform/deploy";
import * as ensureEngineModule from "../../lib/terraform/engine/ensure-engine";
import * as applyPlanModule from "../../lib/terraform/review/apply-plan";
import * as makePlanModule from "../../lib/terraform/review/make-plan";

async function onefed(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-cli-help-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A valid federation file whose front-ends listen nowhere (a connection attempt would fail, slowly or not). */
const unreachable = path.join(work, "unreachable.yaml");
const fixtures = path.resolve(__dirname, "../fixtures");
fs.writeFileSync(
  unreachable,
  fs
    .readFileSync(path.join(fixtures, "federation.yaml"), "utf8")
    .replace(/192\.168\.150\./g, "192.0.2.")
    .replace("./id_ed25519_fixture", path.join(fixtures, "id_ed25519_fixture"))
    .replace("./known_hosts", path.join(fixtures, "known_hosts")),
);
const nowhere = path.join(work, "no-such-dir", "federation.yaml");
/** A sandbox directory that -h must neither create nor remove. */
const sandboxDir = path.join(work, "sandbox");
fs.mkdirSync(sandboxDir);
fs.writeFileSync(path.join(sandboxDir, "marker"), "left alone");
const missingSandbox = path.join(work, "no-sandbox");

/** Each command: how its help starts, and an invocation that would act if -h did not win. */
const COMMANDS: ReadonlyArray<readonly [string, readonly string[], RegExp, readonly string[]]> = [
  ["step", ["step"], /^Usage: onefed step <step> --zone ID \[--config FILE\]\n/, ["preflight", "--zone", "0", "--config", unreachable]],
  ["runner", ["runner"], /^Usage: onefed runner --fifo PATH\n/, ["--fifo", path.join(work, "runner.fifo")]],
  ["check", ["check"], /^Usage: onefed check \[--config FILE\] \[--json\]\n/, ["--config", unreachable]],
  ["verify", ["verify"], /^Usage: onefed verify \[--config FILE\]\n/, ["--config", unreachable]],
  [
    "discover",
    ["discover"],
    /^Usage: onefed discover --master HOST\[:PORT\] \[--user USER\] \[--key FILE\]/,
    ["--master", "192.0.2.1", "--accept-new-host-key", "--out", path.join(work, "discovered.yaml")],
  ],
  ["unfreeze", ["unfreeze"], /^Usage: onefed unfreeze \[--config FILE\] \[--force\]\n/, ["--config", unreachable, "--force"]],
  ["lock status", ["lock", "status"], /^Usage: onefed lock status \[--config FILE\] \[--json\]\n/, ["--config", unreachable]],
  ["unlock", ["unlock"], /^Usage: onefed unlock \[--config FILE\] --run-id ID\n/, ["--config", unreachable, "--run-id", "r1"]],
  [
    "rollback",
    ["rollback"],
    /^Usage: onefed rollback \[--config FILE\] \[--zone ID\] \[--all\] \[--yes\] \[--accept-shared-tables-mismatch\]\n/,
    ["--config", unreachable, "--all", "--yes"],
  ],
  ["plan", ["plan"], /^Usage: onefed plan \[--config FILE\] \[--out DIR\]/, ["--config", nowhere, "--out", path.join(work, "plan")]],
  ["apply", ["apply"], /^Usage: onefed apply --plan DIR /, ["--plan", path.join(work, "plan")]],
  [
    "synth",
    ["synth"],
    /^Usage: onefed synth \[--config FILE\] \[--out DIR\] \[--observe\]\n/,
    ["--config", unreachable, "--out", path.join(work, "cdktf.out"), "--observe"],
  ],
  [
    "deploy",
    ["deploy"],
    /^Usage: onefed deploy \[--config FILE\] \[--out DIR\] \[--parallelism N\] \[--engine terraform\|tofu\|auto\]\n +\[--via engine\|cdktf\] \[--events FILE\] \[--console MODE\] \[--ignore-window\]\n/,
    ["--config", unreachable],
  ],
  [
    "engine",
    ["engine"],
    /^Usage: onefed engine \[--engine terraform\|tofu\|auto\] \[--config FILE\] \[--cache-dir DIR\] \[--json\]\n +\[--build-tofu\]\n/,
    ["--cache-dir", path.join(work, "cache")],
  ],
  ["schema", ["schema"], /^Usage: onefed schema\n/, []],
  ["demo", ["demo"], /^Usage: onefed demo \[--dir DIR\] \[--via engine\|cdktf\]/, ["--dir", missingSandbox]],
  ["sandbox up", ["sandbox", "up"], /^Usage: onefed sandbox up \[--dir DIR\] \[--slaves N\]/, ["--dir", missingSandbox]],
  ["sandbox status", ["sandbox", "status"], /^Usage: onefed sandbox status \[--dir DIR\] \[--json\]\n/, ["--dir", sandboxDir]],
  ["sandbox down", ["sandbox", "down"], /^Usage: onefed sandbox down \[--dir DIR\] \[--keep\]\n/, ["--dir", sandboxDir]],
  [
    "sandbox inject",
    ["sandbox", "inject"],
    /^Usage: onefed sandbox inject \[--dir DIR\] --frontend FE --match TEXT/,
    ["--dir", sandboxDir, "--frontend", "0", "--match", "onedb"],
  ],
  [
    "sandbox hold",
    ["sandbox", "hold"],
    /^Usage: onefed sandbox hold \[--dir DIR\] --frontend FE --match TEXT \[--timeout S\]\n/,
    ["--dir", sandboxDir, "--frontend", "0", "--match", "onedb"],
  ],
  [
    "sandbox held",
    ["sandbox", "held"],
    /^Usage: onefed sandbox held \[--dir DIR\] --frontend FE \[--match TEXT\] \[--wait S\]\n/,
    ["--dir", sandboxDir, "--frontend", "0", "--wait", "5"],
  ],
  [
    "sandbox release",
    ["sandbox", "release"],
    /^Usage: onefed sandbox release \[--dir DIR\] --frontend FE \[--match TEXT\] \[--kill\]\n/,
    ["--dir", sandboxDir, "--frontend", "0", "--kill"],
  ],
  [
    "sandbox diskfull",
    ["sandbox", "diskfull"],
    /^Usage: onefed sandbox diskfull \[--dir DIR\] --frontend FE \[--path P\] \[--size SIZE\] \[--off\]\n/,
    ["--dir", sandboxDir, "--frontend", "100", "--size", "4k"],
  ],
  [
    "sandbox rekey",
    ["sandbox", "rekey"],
    /^Usage: onefed sandbox rekey \[--dir DIR\] --frontend FE \[--type ed25519\|ecdsa\|rsa\]\n/,
    ["--dir", sandboxDir, "--frontend", "0"],
  ],
  [
    "sandbox lag",
    ["sandbox", "lag"],
    /^Usage: onefed sandbox lag \[--dir DIR\] --frontend FE \[--records N\] \[--off\]\n/,
    ["--dir", sandboxDir, "--frontend", "101"],
  ],
  [
    "sandbox raft",
    ["sandbox", "raft"],
    /^Usage: onefed sandbox raft \[--dir DIR\] --zone ID \[--leader N\] \[--split-brain on\|off\]\n/,
    ["--dir", sandboxDir, "--zone", "0", "--leader", "1"],
  ],
  ["sandbox log", ["sandbox", "log"], /^Usage: onefed sandbox log \[--dir DIR\] \[--frontend FE\] \[--json\]\n/, ["--dir", sandboxDir]],
];

describe("-h and --help", () => {
  /** Everything through which a command could act, by name; each throws if called, and none may be. */
  let spies: Array<[string, jest.SpyInstance]> = [];
  const called = () => spies.filter(([, s]) => s.mock.calls.length > 0).map(([name]) => name);
  beforeEach(() => {
    const refuse = () => {
      throw new Error("help must not act");
    };
    const spy = <T extends object>(name: string, module: T, fn: keyof T & string): [string, jest.SpyInstance] => [
      name,
      jest.spyOn(module, fn as never).mockImplementation(refuse as never),
    ];
    spies = [
      spy("net connect", net.Socket.prototype, "connect"),
      ...(["spawn", "spawnSync", "execFile", "execFileSync", "exec", "execSync", "fork"] as const).map((f) => spy(f, childProcess, f)),
      spy("loadConfig", loadConfigModule, "loadConfig"),
      spy("runStep", runStepModule, "runStep"),
      spy("runDriftCheck", driftCheckModule, "runDriftCheck"),
      spy("synthesize", synthesizeModule, "synthesize"),
      spy("deploy", deployModule, "deploy"),
      spy("ensureEngine", ensureEngineModule, "ensureEngine"),
      spy("createPlanReview", makePlanModule, "createPlanReview"),
      spy("applyReviewedPlan", applyPlanModule, "applyReviewedPlan"),
    ];
  });
  afterEach(() => {
    const acted = called();
    spies.forEach(([, s]) => s.mockRestore());
    expect(acted).toEqual([]);
    expect(fs.readdirSync(sandboxDir)).toEqual(["marker"]);
    expect(fs.existsSync(missingSandbox)).toBe(false);
  });

  it("would notice a command that acts (the spies are live)", async () => {
    expect((await onefed("check", "--config", unreachable)).code).toBe(1);
    expect(called()).toEqual(["loadConfig"]);
    spies.find(([name]) => name === "loadConfig")![1].mockRestore();
    expect((await onefed("verify", "--config", unreachable)).code).toBe(1);
    expect((await onefed("check", "--config", unreachable)).code).toBe(1);
    expect(called()).toEqual(["runStep", "runDriftCheck"]);
    spies.forEach(([, s]) => s.mockClear());
  });

  it.each(COMMANDS)("onefed %s prints its help and does nothing else", async (_name, command, usage, acting) => {
    for (const argv of [
      ["-h"],
      ["--help"],
      [...acting, "-h"],
      ["--help", ...acting],
      [...acting, "--bogus", "-h"],
      ["stray", "--help"],
      [...acting.slice(0, 1), "-h", ...acting.slice(1)],
    ]) {
      const r = await onefed(...command, ...argv);
      expect({ argv, code: r.code, err: r.err }).toEqual({ argv, code: 0, err: "" });
      expect(r.out).toMatch(usage);
      expect(r.out).toMatch(/\n {2}-h, --help +print this help and exit; nothing else runs\n/);
      expect(r.out).toMatch(/\nExit codes:\n {2}0 {2}done: .*\n( {2}1 .*\n)? {2}2 {2}invalid command line or federation file/);
    }
  });

  it("prints onefed's and the sandbox's command lists, with the whole exit-code table", async () => {
    for (const argv of [["-h"], ["--help"], ["help"]]) {
      const r = await onefed(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: onefed <command> \[options\]\n/);
      for (const name of Object.keys(SUBCOMMANDS)) expect(r.out).toContain(`\n  ${name.padEnd(8)}  ${SUBCOMMANDS[name].summary}\n`);
      for (const row of EXIT_CODE_TABLE) expect(r.out).toContain(`\n  ${row.code}  ${row.meaning}\n`);
    }
    for (const argv of [
      ["sandbox", "-h"],
      ["sandbox", "--help"],
    ]) {
      const r = await onefed(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        /^Usage: onefed sandbox <command> \[options\]\n[^]*\n {2}raft +force an HA zone's leader, its next election's winner, or a split brain\n/,
      );
    }
  });
});

describe("usage errors", () => {
  it.each(COMMANDS)("onefed %s refuses an unknown option and a stray argument (exit 2, one line)", async (name, command) => {
    const unknown = await onefed(...command, "--bogus");
    expect(unknown).toEqual({ code: 2, out: "", err: `onefed ${name}: unknown option --bogus (see onefed ${name} --help)` });
    // `onefed step` takes one positional (the step): the stray one comes after it.
    const stray = await onefed(...command, ...(name === "step" ? ["preflight", "prod", "--zone", "0"] : ["prod"]));
    expect(stray).toEqual({ code: 2, out: "", err: `onefed ${name}: unexpected argument "prod" (see onefed ${name} --help)` });
  });

  it.each([
    [["deploy", "--parallelism", "abc"], 'onefed deploy: --parallelism must be an integer from 1 to 9999 (got "abc") (see onefed deploy --help)'],
    [["deploy", "--via", "terraform"], 'onefed deploy: --via must be engine or cdktf (got "terraform") (see onefed deploy --help)'],
    [["step", "preflight", "--zone", "x"], 'onefed step: --zone must be a zone id from the federation file, like 0 or 101 (got "x") (see onefed step --help)'],
    [["step", "--zone", "0"], "onefed step: <step> is required (see onefed step --help)"],
    [["step", "preflight"], "onefed step: --zone ID is required (see onefed step --help)"],
    [
      ["step", "upgrade-everything", "--zone", "0"],
      /^onefed step: <step> must be one of preflight, .*, verify \(got "upgrade-everything"\) \(see onefed step --help\)$/,
    ],
    [["check", "--config"], "onefed check: --config needs a value (see onefed check --help)"],
    [["check", "--json=yes"], "onefed check: --json takes no value (see onefed check --help)"],
    [
      ["verify", "--config", "--json"],
      'onefed verify: --config needs a value (for one that starts with "-", write --config=--json) (see onefed verify --help)',
    ],
    [["check", "-x"], "onefed check: unknown option -x (see onefed check --help)"],
    [["apply"], "onefed apply: --plan DIR is required (see onefed apply --help)"],
    [["plan", "--parallelism", "0"], 'onefed plan: --parallelism must be an integer from 1 to 9999 (got "0") (see onefed plan --help)'],
    [["demo", "--ha", "0,x"], 'onefed demo: --ha must be a comma-separated list of zone ids like 0,101 (got "0,x") (see onefed demo --help)'],
    [["demo", "--timing", "realistic", "--timing-scale", "2"], "onefed demo: --timing-scale 2 is not between 0.001 and 1 (see onefed demo --help)"],
    [["demo", "--timing-scale", "fast"], "onefed demo: --timing-scale fast is not a number (see onefed demo --help)"],
    [
      ["sandbox", "raft", "--zone", "0", "--split-brain", "maybe"],
      'onefed sandbox raft: --split-brain must be on or off (got "maybe") (see onefed sandbox raft --help)',
    ],
    [["frobnicate"], 'onefed: unknown command "frobnicate" (see onefed --help)'],
    [["sandbox", "frobnicate", "-h"], 'onefed sandbox: unknown command "frobnicate" (see onefed sandbox --help)'],
  ])("onefed %j is a usage error naming the argument", async (argv, message) => {
    const r = await onefed(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    if (typeof message === "string") expect(r.err).toBe(message);
    else expect(r.err).toMatch(message);
  });

  it("prints the command list but exits 2 when no command is given", async () => {
    expect(await onefed()).toMatchObject({ code: 2, out: expect.stringMatching(/^Usage: onefed <command>/) });
    expect(await onefed("sandbox")).toMatchObject({ code: 2, out: expect.stringMatching(/^Usage: onefed sandbox <command>/) });
  });
});

describe("command summaries", () => {
  /** onefed --help lists summaries without loading the commands; they must be the commands' own. */
  it.each(Object.keys(SUBCOMMANDS).filter((name) => name !== "sandbox" && name !== "lock"))("onefed --help words %s as its declaration does", async (name) => {
    const modules: Record<string, [string, string]> = {
      step: ["step-command", "stepCommand"],
      check: ["check-command", "checkCommand"],
      discover: ["discover-command", "discoverCommand"],
      verify: ["zones-command", "verifyCommand"],
      unfreeze: ["zones-command", "unfreezeCommand"],
      unlock: ["lock-command", "unlockCommand"],
      rollback: ["rollback-command", "rollbackCommand"],
      plan: ["plan-command", "planCommand"],
      apply: ["apply-command", "applyCommand"],
      rehearse: ["rehearse-command", "rehearseCommand"],
      synth: ["synth-command", "synthCommand"],
      deploy: ["deploy-command", "deployCommand"],
      engine: ["engine-command", "engineCommand"],
      schema: ["schema-command", "schemaCommand"],
      demo: ["demo-command", "demoCommand"],
      runner: ["runner-command", "runnerCommand"],
    };
    const [file, exported] = modules[name];
    const command = (await import(`../../lib/cli/${file}`))[exported] as { name: string; summary: string };
    expect(command.name).toBe(`onefed ${name}`);
    expect(command.summary).toBe(SUBCOMMANDS[name].summary);
  });
});

describe("the exit-code table", () => {
  it("is the README's, row for row", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| (\d) \| ([^|]+) \|/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2].trim() }));
    expect(rows).toEqual(EXIT_CODE_TABLE.map(({ code, meaning }) => ({ code, meaning })));
  });
});
