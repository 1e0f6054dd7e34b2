/**
 * Faults at a point, on a prepared sandbox without sshd: commands go through the real front-end
 * shell (as sshd's ForceCommand runs it), with the machine's paths redirected into its tree. A hold
 * stops a command before it runs until released, killed or timed out; a partial injection makes
 * `onedb restore` die part-way like a killed restore. (A full disk needs a mount namespace: see
 * test/integration/run-time-safety.test.ts.)
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { heldCommands, holdCommand, injectFailure, readCommandLog, releaseCommand, sandboxStatus, setFrontendState, waitUntilHeld } from "../../sandbox";
import { ENV_FRONTEND_ROOT } from "../../sandbox/contract";
import { SandboxLayout } from "../../sandbox/layout";
import { sqliteQuery } from "../../sandbox/sqlite";
import { readZones } from "../../sandbox/one-db";
import { splitStatements } from "../../sandbox/emulator/onedb-backup";
import { runSandboxCommand } from "../../lib/cli/sandbox-command";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

interface Finished {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A command as an SSH session runs it: through D/bin/frontend-shell, started now, finished later. */
function session(sb: EmulatorSandbox, fe: string, command: string): { child: ChildProcess; done: Promise<Finished> } {
  const layout = new SandboxLayout(sb.dir);
  const child = spawn("sh", [layout.frontendShell, fe], {
    cwd: sb.work,
    env: { ...process.env, TZ: "UTC", SSH_ORIGINAL_COMMAND: command, [ENV_FRONTEND_ROOT]: layout.frontendRoot(fe) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ stdout, stderr, code, signal })));
  return { child, done };
}

/** A zone's STATE in a front-end's zone_pool (0 enabled, 1 disabled). */
const zoneState = (sb: EmulatorSandbox, fe: string, zone: number): number => readZones(new SandboxLayout(sb.dir).db(fe)).find((z) => z.id === zone)!.state;

describe("holding a command", () => {
  let sb: EmulatorSandbox;
  beforeEach(() => (sb = EmulatorSandbox.create()));
  afterEach(() => sb.remove());

  it("holds the next matching command before it runs (logged already), lets others pass, and runs it once released", async () => {
    const id = holdCommand(sb.dir, { frontend: MASTER, match: "onedb version" });
    expect((await sandboxStatus(sb.dir)).zones[0].frontends[0].holds).toEqual([{ id, match: "onedb version", state: "armed" }]);
    const held = session(sb, MASTER, "onedb version");
    const h = await waitUntilHeld(sb.dir, MASTER, { id, timeoutMs: 10_000 });
    expect(h).toMatchObject({ frontend: MASTER, id, match: "onedb version", command: "onedb version", pid: held.child.pid });
    expect(readCommandLog(sb.dir, MASTER).map((e) => e.command)).toEqual(["onedb version"]);
    // Other commands are not held; the second matching one neither: a hold takes one command.
    expect((await session(sb, MASTER, "dpkg-query -W -f='${Version}' opennebula").done).stdout).toBe("6.10.0-1");
    expect(heldCommands(sb.dir, MASTER).map((c) => c.command)).toEqual(["onedb version"]);
    expect(await releaseCommand(sb.dir, MASTER, { id })).toMatchObject({ command: "onedb version" });
    const r = await held.done;
    expect(r).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(r.stdout).toMatch(/^Shared: 6\.10\.0\n/);
    expect((await sandboxStatus(sb.dir)).zones[0].frontends[0].holds).toEqual([]);
    expect(fs.existsSync(new SandboxLayout(sb.dir).injectionsMarker(MASTER))).toBe(false);
  });

  it("kills a held command before it runs, with its session: nothing it would have changed changes", async () => {
    holdCommand(sb.dir, { frontend: SLAVE_GE, match: "onezone disable 100" });
    const held = session(sb, SLAVE_GE, "onezone disable 100 --endpoint http://127.0.50.2:2633/RPC2 -v");
    await waitUntilHeld(sb.dir, SLAVE_GE, { match: "onezone disable 100" });
    expect(await releaseCommand(sb.dir, SLAVE_GE, { kill: true })).toMatchObject({ command: expect.stringMatching(/^onezone disable 100 /) });
    expect(await held.done).toMatchObject({ code: null, signal: "SIGKILL", stdout: "" });
    expect(zoneState(sb, MASTER, 100)).toBe(0);
    expect(heldCommands(sb.dir, SLAVE_GE)).toEqual([]);
    // The machine works on.
    expect((await session(sb, SLAVE_GE, "onezone disable 100 --endpoint http://127.0.50.2:2633/RPC2").done).code).toBe(0);
    expect(zoneState(sb, MASTER, 100)).toBe(1);
  });

  it("lets a held command run after its timeout, and disarms a hold that caught nothing", async () => {
    holdCommand(sb.dir, { frontend: SLAVE_CA, match: "onedb version", timeoutSeconds: 1 });
    const started = Date.now();
    const r = await session(sb, SLAVE_CA, "onedb version").done;
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const id = holdCommand(sb.dir, { frontend: SLAVE_CA, match: "never" });
    expect(await releaseCommand(sb.dir, SLAVE_CA, { id })).toBeUndefined();
    expect(heldCommands(sb.dir, SLAVE_CA)).toEqual([]);
    await expect(waitUntilHeld(sb.dir, SLAVE_CA, { id })).rejects.toThrow(/has no hold/);
    expect(() => holdCommand(sb.dir, { frontend: SLAVE_CA, match: "" })).toThrow(/non-empty match/);
  });

  it("is driven from the CLI: hold, held --wait, release", async () => {
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await runSandboxCommand(
        argv,
        (s) => out.push(s),
        (s) => out.push(s),
      );
      return { code, out: out.join("\n") };
    };
    expect(await cli("hold", "--dir", sb.dir, "--frontend", "0", "--match", "onezone list")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/will wait until released/),
    });
    expect(await cli("held", "--dir", sb.dir, "--frontend", "0")).toEqual({ code: 1, out: `no command held on ${MASTER}` });
    const held = session(sb, MASTER, "onezone list --csv");
    expect(await cli("held", "--dir", sb.dir, "--frontend", "0", "--wait", "10")).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^hold-[0-9a-f]{8} \d+ onezone list --csv$/),
    });
    expect(await cli("release", "--dir", sb.dir, "--frontend", "0")).toEqual({ code: 0, out: `released on ${MASTER}: onezone list --csv` });
    expect((await held.done).stdout).toMatch(/^CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n/);
    expect(await cli("inject", "--dir", sb.dir, "--frontend", "100", "--match", "x", "--partial", "1.5")).toMatchObject({
      code: 2,
      out: expect.stringMatching(/--partial must be a fraction from 0 to 1/),
    });
  });
});

describe("a restore killed part-way", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create();
    expect(sb.run(MASTER, "onedb backup -v --federated -f /var/lib/one/fed.sql").code).toBe(0);
    fs.copyFileSync(sb.path(MASTER, "/var/lib/one/fed.sql"), sb.path(SLAVE_CA, "/var/lib/one/fed.sql"));
    setFrontendState(sb.dir, SLAVE_CA, { services: { opennebula: "inactive" } });
  });
  afterAll(() => sb.remove());

  const tables = (): string[] =>
    sqliteQuery<{ name: string }>(new SandboxLayout(sb.dir).db(SLAVE_CA), "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").map((t) => t.name);

  it("splits a dump into its statements", () => {
    const text = fs.readFileSync(sb.path(MASTER, "/var/lib/one/fed.sql"), "utf8");
    const statements = splitStatements(text);
    expect(statements.join("")).toBe(text);
    expect(statements[0]).toBe('-- FEDERATED\nDROP TABLE IF EXISTS "group_pool";\n');
    expect(statements.filter((s) => /^CREATE TABLE logdb\(/m.test(s))).toHaveLength(1);
    expect(splitStatements("INSERT INTO t VALUES('a;\nb');\n-- it's\nSELECT 1;\n")).toEqual(["INSERT INTO t VALUES('a;\nb');\n", "-- it's\nSELECT 1;\n"]);
  });

  // 0.9 of the statements: past db_versioning's block, inside logdb's (its rows come last).
  it("leaves db_versioning restored and logdb missing, and dies as if killed; a whole restore then brings everything back", async () => {
    injectFailure(sb.dir, { frontend: SLAVE_CA, match: "onedb restore", partial: 0.9 });
    const r = await session(sb, SLAVE_CA, "onedb restore -f /var/lib/one/fed.sql -v --federated").done;
    expect(r).toMatchObject({ code: 137, stdout: "" });
    expect(tables()).toContain("db_versioning");
    expect(tables()).not.toContain("logdb");
    expect(sb.run(SLAVE_CA, "onedb restore -f /var/lib/one/fed.sql -v --federated")).toMatchObject({ code: 0 });
    expect(tables()).toContain("logdb");
    const digest = (fe: string) =>
      sqliteQuery<{ n: number; m: number }>(new SandboxLayout(sb.dir).db(fe), "SELECT count(*) AS n, max(fed_index) AS m FROM logdb WHERE fed_index != -1")[0];
    expect(digest(SLAVE_CA)).toEqual(digest(MASTER));
  });

  it("fails a backup on a full disk with Ruby's ENOSPC message (a write to /dev/full)", () => {
    fs.symlinkSync("/dev/full", sb.path(SLAVE_GE, "/var/lib/one/full.sql"));
    expect(sb.run(SLAVE_GE, "onedb backup -v -f /var/lib/one/full.sql")).toEqual({
      stdout: "",
      stderr: "No space left on device @ io_write - /var/lib/one/full.sql\n",
      code: 255,
    });
    expect(sb.run(SLAVE_GE, "onedb backup -v --federated -f /var/lib/one/full.sql")).toMatchObject({
      stderr: "No space left on device @ io_write - /var/lib/one/full.sql\n",
      code: 255,
    });
  });

  it("honours a partial injection without the front-end shell too (the harness path), and 0 restores nothing", () => {
    injectFailure(sb.dir, { frontend: SLAVE_CA, match: "onedb restore", partial: 0 });
    expect(sb.run(SLAVE_CA, "onedb restore -f /var/lib/one/fed.sql --federated").code).toBe(137);
    expect(tables()).toContain("logdb");
    expect(() => injectFailure(sb.dir, { frontend: SLAVE_CA, match: "onedb restore", partial: 2 })).toThrow(/from 0 to 1/);
  });
});
