/**
 * The deploy's side of the warm runner with the real `onefed runner` (built CLI): it starts,
 * listens owner-only in the run directory, answers `onefed step` requests the way the step command
 * does (a usage error here, exit 2, without touching any machine), and stops with its socket gone.
 * A runner that cannot start leaves the deploy to run every step in its own process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runThroughRunner } from "../../lib/cli/step-client";
import { WarmRunnerProcess, warmRunnerWanted } from "../../lib/terraform/warm-runner-process";

const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");

describe("warmRunnerWanted", () => {
  it.each([
    [undefined, undefined, true],
    [undefined, "", true],
    [undefined, "1", true],
    [undefined, "0", false],
    [undefined, "off", false],
    [undefined, "FALSE", false],
    [false, undefined, false],
    [true, "0", true],
  ] as const)("option %p with ONEFED_WARM_RUNNER=%p: %p", (option, env, wanted) => {
    expect(warmRunnerWanted(option, env === undefined ? {} : { ONEFED_WARM_RUNNER: env })).toBe(wanted);
  });
});

describe("the runner process", () => {
  let runDir: string;
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-run-"));
  });
  afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));

  it("listens in the run directory, answers a step request as `onefed step` would, and stops", async () => {
    const lines: string[] = [];
    const runner = await WarmRunnerProcess.start({ runDir, env: process.env, log: (l) => lines.push(l) });
    expect(runner).toBeDefined();
    expect(runner!.socketPath).toBe(path.join(runDir, "runner.sock"));
    expect(runner!.env).toEqual({ ONEFED_RUNNER_SOCKET: runner!.socketPath });
    expect(fs.statSync(runner!.socketPath).mode & 0o777).toBe(0o600);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runThroughRunner(
      ["upgrade", "--zone", "999", "--config", FIXTURE],
      runner!.socketPath,
      { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
      {},
    );
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/^onefed step: zone 999 is not in .*federation\.yaml \(zones: /);
    const help: string[] = [];
    expect(await runThroughRunner(["--help"], runner!.socketPath, { stdout: (l) => help.push(l), stderr: () => undefined }, {})).toBe(0);
    expect(help.join("\n")).toMatch(/^Usage: onefed step/);
    await runner!.stop();
    expect(fs.existsSync(runner!.socketPath)).toBe(false);
    expect(lines.join("\n")).toMatch(/^warm runner pid \d+ listening on /);
    expect(lines.join("\n")).not.toMatch(/ended unexpectedly/);
  }, 60_000);

  it("a runner that cannot listen is no failure: the deploy is told and runs the steps in their own processes", async () => {
    fs.chmodSync(runDir, 0o755);
    const lines: string[] = [];
    expect(await WarmRunnerProcess.start({ runDir, env: process.env, log: (l) => lines.push(l) })).toBeUndefined();
    expect(lines.join("\n")).toMatch(
      /the warm runner did not start \(it exited: .*RunnerSocketRefusal: the warm runner refuses to listen in .*found mode 0755.*\): every step runs in its own process/s,
    );
  }, 60_000);
});
