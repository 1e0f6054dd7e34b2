/**
 * The deploy's side of the warm runner with the real `onefed runner` (built CLI) and the real
 * launcher (bin/onefed-step under dash): it starts, takes requests owner-only in the run
 * directory, answers them the way the step command does (a usage error here, exit 2, without
 * touching any machine), and stops with its FIFO gone.
 * A runner that cannot start leaves the deploy to run every step in its own process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WarmRunnerProcess, warmRunnerWanted } from "../../lib/terraform/warm-runner-process";
import { runLauncher } from "../support/step-launcher";

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

  it("takes requests in the run directory, answers a step request as `onefed step` would, and stops", async () => {
    const lines: string[] = [];
    const runner = await WarmRunnerProcess.start({ runDir, env: process.env, log: (l) => lines.push(l) });
    expect(runner).toBeDefined();
    expect(runner!.fifoPath).toBe(path.join(runDir, "runner.fifo"));
    expect(runner!.env).toEqual({ ONEFED_RUNNER_FIFO: runner!.fifoPath, ONEFED_RUNNER_PID: expect.stringMatching(/^\d+$/) });
    expect(fs.statSync(runner!.fifoPath).mode & 0o777).toBe(0o600);
    const target = { fifoPath: runner!.fifoPath, pid: Number(runner!.env.ONEFED_RUNNER_PID) };
    const step = runLauncher(["upgrade", "--zone", "999", "--config", FIXTURE], target);
    expect((await step.done).code).toBe(2);
    expect(step.out()).toBe("");
    expect(step.err()).toMatch(/^onefed step: zone 999 is not in .*federation\.yaml \(zones: /);
    const help = runLauncher(["--help"], target);
    expect((await help.done).code).toBe(0);
    expect(help.out()).toMatch(/^Usage: onefed step/);
    await runner!.stop();
    expect(fs.existsSync(runner!.fifoPath)).toBe(false);
    expect(fs.readdirSync(runDir)).toEqual([]);
    expect(lines.join("\n")).toMatch(/^warm runner pid \d+ taking requests on /);
    expect(lines.join("\n")).not.toMatch(/ended unexpectedly/);
  }, 60_000);

  it("a runner that cannot take requests is no failure: the deploy is told and runs the steps in their own processes", async () => {
    fs.chmodSync(runDir, 0o755);
    const lines: string[] = [];
    expect(await WarmRunnerProcess.start({ runDir, env: process.env, log: (l) => lines.push(l) })).toBeUndefined();
    expect(lines.join("\n")).toMatch(
      /the warm runner did not start \(it exited: .*RunnerDirectoryRefusal: the warm runner refuses to take requests in .*found mode 0755.*\): every step runs in its own process/s,
    );
  }, 60_000);
});
