/**
 * The real launcher (bin/onefed-step, under dash) against a real runner server, with a scripted
 * step handler in place of runStep: exit codes, stdout and stderr kept apart and in order, long
 * lines, several steps at once, only the protocol's variables travelling, the runner's death (before
 * or during a step) a failure with a clear message within seconds, the launcher's death stopping
 * the step, and nothing left behind (processes, files).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunnerDirectoryRefusal, RunnerServer, StepHandler } from "../../lib/run/warm/runner-server";
import { LAUNCHER, processesMentioning, runLauncher } from "../support/step-launcher";

let runDir: string;
let fifoPath: string;
let server: RunnerServer | undefined;
const refused: string[] = [];

beforeEach(() => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-warm-"));
  fifoPath = path.join(runDir, "runner.fifo");
  refused.length = 0;
});
afterEach(async () => {
  await server?.close("test over");
  server = undefined;
  fs.rmSync(runDir, { recursive: true, force: true });
});

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(50);
  }
}
const listen = async (handle: StepHandler) => (server = await RunnerServer.listen({ fifoPath, handle, log: (l) => refused.push(l) }));
const me = () => ({ fifoPath, pid: process.pid });
/** Nothing of the requests is left: no request directory, no process reading one. */
const leftovers = () => [...fs.readdirSync(runDir).filter((f) => f !== "runner.fifo"), ...processesMentioning(runDir)];

describe("a step through the launcher", () => {
  it("streams stdout and stderr apart, each in order, while the step runs, and exits with its code", async () => {
    let seen: { argv: readonly string[]; env: Readonly<Record<string, string>> } | undefined;
    let release!: () => void;
    await listen(async (request, out, err) => {
      seen = request;
      out("[upgrade zone 100] first");
      await new Promise<void>((r) => (release = r));
      for (let i = 0; i < 200; i++) (i % 2 ? err : out)(`line ${i}`);
      out("x".repeat(200_000));
      err("last, with no newline of its own");
      return 5;
    });
    const c = runLauncher(["upgrade", "--zone", "100", "--config", "/x/fed eration.yaml"], me(), {
      ONEFED_RUN_ID: "run-1",
      ONEFED_STATE_LINEAGE: 'it\'s "quoted" $HOME',
      ONEFED_SANDBOX_DB_PASSWORD: "secret",
    });
    await until("the first line", () => c.out().length > 0);
    // The first line arrived before the step ended.
    expect(c.out()).toBe("[upgrade zone 100] first\n");
    release();
    expect((await c.done).code).toBe(5);
    const out = c.out().split("\n");
    const err = c.err().split("\n");
    expect(out.slice(0, 3)).toEqual(["[upgrade zone 100] first", "line 0", "line 2"]);
    expect(out.filter((l) => l.startsWith("line ")).map((l) => Number(l.slice(5)))).toEqual([...Array(100).keys()].map((i) => i * 2));
    expect(err.filter((l) => l.startsWith("line ")).map((l) => Number(l.slice(5)))).toEqual([...Array(100).keys()].map((i) => i * 2 + 1));
    expect(out.slice(-2)).toEqual(["x".repeat(200_000), ""]);
    expect(err.slice(-2)).toEqual(["last, with no newline of its own", ""]);
    // Only the run's identity and outputs travel; secrets and the rest stay in the runner's own environment.
    expect(seen).toMatchObject({
      argv: ["upgrade", "--zone", "100", "--config", "/x/fed eration.yaml"],
      env: { ONEFED_RUN_ID: "run-1", ONEFED_STATE_LINEAGE: 'it\'s "quoted" $HOME' },
    });
    expect(Object.keys(seen!.env).sort()).toEqual(["ONEFED_RUN_ID", "ONEFED_STATE_LINEAGE"]);
    await until("no leftovers", () => leftovers().length === 0);
  }, 60_000);

  it("runs several steps at once", async () => {
    let running = 0;
    let most = 0;
    await listen(async (request, out) => {
      most = Math.max(most, ++running);
      await tick(300);
      out(`done ${request.argv[0]}`);
      running--;
      return 0;
    });
    const all = ["preflight", "freeze", "backup"].map((s) => runLauncher([s, "--zone", "0"], me()));
    expect((await Promise.all(all.map((c) => c.done))).map((d) => d.code)).toEqual([0, 0, 0]);
    expect(most).toBe(3);
    expect(all.map((c) => c.out())).toEqual(["done preflight\n", "done freeze\n", "done backup\n"]);
    await until("no leftovers", () => leftovers().length === 0);
  }, 60_000);

  it("without the runner's variables, or for --help, it is the command itself", async () => {
    const direct = runLauncher(["upgrade", "--zone", "1"], undefined, {}, ["/bin/echo", "onefed.js"]);
    expect(await direct.done).toMatchObject({ code: 0 });
    expect(direct.out()).toBe("onefed.js step upgrade --zone 1\n");
    const help = runLauncher(["upgrade", "--help"], { fifoPath: "/nonexistent", pid: 1 }, {}, ["/bin/echo", "onefed.js"]);
    expect(await help.done).toMatchObject({ code: 0 });
    expect(help.out()).toBe("onefed.js step upgrade --help\n");
  }, 30_000);

  it("a request the runner refuses ends with exit 2 and the reason", async () => {
    await listen(async () => 0);
    // A launcher of another build: another version in its announce line.
    const other = path.join(runDir, "onefed-step-v0");
    fs.writeFileSync(other, fs.readFileSync(LAUNCHER, "utf8").replace('line="onefed-step 1 ', 'line="onefed-step 0 '));
    const old = runLauncher(["upgrade", "--zone", "0"], me(), {}, undefined, other);
    expect((await old.done).code).toBe(2);
    expect(old.err()).toBe(
      "onefed step: the warm runner refused the request: protocol version 0, this runner speaks 1 (a launcher from another onefed build)\n",
    );
    expect(refused.join("\n")).toMatch(/a request was refused: protocol version 0/);
    fs.rmSync(other);
    await until("no leftovers", () => leftovers().length === 0);
  }, 60_000);
});

describe("no hang, ever", () => {
  /** A runner in its own process (so it can be killed), whose steps run until `ms`. */
  function childRunner(ms: number) {
    const serverJs = path.resolve(__dirname, "../../dist/lib/run/warm/runner-server.js");
    const script = `require(${JSON.stringify(serverJs)}).RunnerServer.listen({ fifoPath: ${JSON.stringify(fifoPath)},
      handle: async (r, out) => { out("started " + r.argv[0]); await new Promise((res) => setTimeout(res, ${ms})); return 0; } })
      .then(() => process.stdout.write("ready\\n"));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const ready = new Promise<void>((r) => child.stdout!.on("data", () => r()));
    return { child, ready };
  }

  it("the runner killed mid-step: the step fails within seconds, saying its outcome is unknown and to deploy again", async () => {
    const runner = childRunner(600_000);
    await runner.ready;
    const c = runLauncher(["restore", "--zone", "101"], { fifoPath, pid: runner.child.pid! });
    await until("the step started", () => c.out().length > 0);
    const killed = Date.now();
    runner.child.kill("SIGKILL");
    const { code } = await c.done;
    expect(code).toBe(1);
    expect(Date.now() - killed).toBeLessThan(5_000);
    expect(c.out()).toBe("started restore\n");
    expect(c.err()).toMatch(
      /^\[restore zone 101\] failed: the warm runner \(pid \d+\) ended before the step finished, so the step's outcome is unknown here\. It is not recorded complete unless the federation's ledger says so: run the deploy again; it resumes from the ledger/,
    );
    await until("no leftovers", () => leftovers().length === 0);
  }, 60_000);

  it("the runner gone before the request is read (its FIFO still there): the step fails within seconds", async () => {
    const runner = childRunner(0);
    await runner.ready;
    runner.child.kill("SIGSTOP"); // alive for the launcher's first check, reading nothing
    const c = runLauncher(["verify", "--zone", "0"], { fifoPath, pid: runner.child.pid! });
    await until("the request is written", () => fs.readdirSync(runDir).some((f) => f.startsWith("step.")));
    await tick(300);
    const killed = Date.now();
    runner.child.kill("SIGKILL");
    expect((await c.done).code).toBe(1);
    expect(Date.now() - killed).toBeLessThan(5_000);
    expect(c.err()).toMatch(/^\[verify zone 0\] failed: the warm runner \(pid \d+\) ended before the step finished, so the step's outcome is unknown/);
    await until("no leftovers", () => leftovers().length === 0);
  }, 60_000);

  it("a runner that is not running: nothing is done, at once", async () => {
    const gone = spawnSync("true").pid;
    const c = runLauncher(["verify", "--zone", "0"], { fifoPath, pid: gone });
    expect((await c.done).code).toBe(1);
    expect(c.err()).toBe(
      `[verify zone 0] failed: the warm runner (pid ${gone}, ${fifoPath}) cannot be used: it is no longer running. Nothing was done for this step; run the deploy again (or with --no-warm-runner).\n`,
    );
    const noFifo = runLauncher(["verify", "--zone", "0"], me());
    expect((await noFifo.done).code).toBe(1);
    expect(noFifo.err()).toMatch(/cannot be used: its request FIFO is not there\. Nothing was done/);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  /** A runner whose one step prints a line and runs until its lease is stopped; `stopped()` is why. */
  async function listenUntilStopped(): Promise<{ stopped: () => string | undefined }> {
    let stopped: string | undefined;
    await listen(async (_request, out, _err, lease) => {
      out("working");
      while (lease.stopped === undefined) await tick();
      stopped = lease.stopped;
      return 1;
    });
    return { stopped: () => stopped };
  }

  it("the launcher killed mid-step (SIGKILL, its cats orphaned) stops the step: its lease is stopped, the cats end, the directory goes", async () => {
    const step = await listenUntilStopped();
    const c = runLauncher(["upgrade", "--zone", "0"], me());
    await until("the step started", () => c.out().length > 0);
    expect(server!.running).toBe(1);
    const pid = c.child.pid!;
    c.child.kill("SIGKILL"); // terraform stopping it
    await until("the step is stopped", () => step.stopped() !== undefined, 10_000);
    expect(step.stopped()).toBe(`its launcher (pid ${pid}) went away: terraform stopped or was killed`);
    await until("the step ends", () => server!.running === 0);
    await until("no leftovers", () => leftovers().length === 0, 10_000);
  }, 60_000);

  it("the launcher's parent gone (terraform killed, the launcher orphaned) stops the step and the launcher exits", async () => {
    const step = await listenUntilStopped();
    // sh stands for terraform: it starts the launcher in the background and is killed.
    const parent = spawn("sh", ["-c", `dash ${LAUNCHER} /bin/false x step upgrade --zone 0 >/dev/null 2>&1 & echo $!; wait`], {
      env: { PATH: process.env.PATH, ONEFED_RUNNER_FIFO: fifoPath, ONEFED_RUNNER_PID: String(process.pid) },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const launcherPid = await new Promise<number>((r) => parent.stdout!.once("data", (d) => r(parseInt(String(d), 10))));
    await until("the step started", () => server!.running === 1);
    parent.kill("SIGKILL");
    await until("the step is stopped", () => step.stopped() !== undefined, 10_000);
    expect(step.stopped()).toMatch(/^the process that started its launcher \(pid \d+\) is gone: terraform stopped or was killed$/);
    await until("the launcher exits", () => !fs.existsSync(`/proc/${launcherPid}`) || /\) Z/.test(fs.readFileSync(`/proc/${launcherPid}/stat`, "utf8")));
    await until("no leftovers", () => leftovers().length === 0, 10_000);
  }, 60_000);
});

describe("owner-only", () => {
  it("makes its request FIFO at mode 0600 in a 0700 directory, and removes it at close", async () => {
    await listen(async () => 0);
    expect(fs.statSync(fifoPath).isFIFO()).toBe(true);
    expect(fs.statSync(fifoPath).mode & 0o777).toBe(0o600);
    await server!.close("test over");
    server = undefined;
    expect(fs.existsSync(fifoPath)).toBe(false);
  });

  it("refuses a directory others may enter", async () => {
    fs.chmodSync(runDir, 0o755);
    await expect(RunnerServer.listen({ fifoPath, handle: async () => 0 })).rejects.toThrow(RunnerDirectoryRefusal);
    await expect(RunnerServer.listen({ fifoPath, handle: async () => 0 })).rejects.toThrow(
      /expected a directory owned by uid \d+ with no access for group or others \(mode 0700\), found mode 0755/,
    );
    expect(fs.existsSync(fifoPath)).toBe(false);
  });
});
