/**
 * Under the warm runner a step starts no node process: the resource's launcher (bin/onefed-step)
 * is a POSIX sh script that asks the runner. Without the runner's variables it is `onefed step`
 * itself, which runs the step in its own process exactly as before; so does `onefed step` run by
 * hand with the variables set (one path: the launcher alone talks to the runner).
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { RUNNER_FIFO_ENV, RUNNER_PID_ENV } from "../../lib/model/environment";
import { defaultRunner } from "../../lib/synth/runner-invocation";
import { stepCommandLine } from "../../lib/synth/runner-invocation";
import { LAUNCHER } from "../support/step-launcher";

const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");

describe("the launcher", () => {
  it("is what every resource runs, under /bin/sh, with the node command after it", () => {
    const runner = defaultRunner("/etc/onefed/federation.yaml");
    expect(runner.launcher).toBe(LAUNCHER);
    expect(stepCommandLine(runner, "upgrade", 100)).toBe(
      `exec /bin/sh ${LAUNCHER} ${process.execPath} ${runner.command[1]} step upgrade --zone 100 --config /etc/onefed/federation.yaml`,
    );
    expect(stepCommandLine({ command: ["/usr/bin/node", "/opt/o.js"], configPath: "/f.yaml" }, "stop", 1)).toBe(
      "/usr/bin/node /opt/o.js step stop --zone 1 --config /f.yaml",
    );
  });

  it("uses only shell builtins and coreutils-level tools (no node, no bash-isms)", () => {
    const source = fs.readFileSync(LAUNCHER, "utf8");
    expect(source.startsWith("#!/bin/sh\n")).toBe(true);
    const code = source
      .split("\n")
      .filter((l) => !/^\s*#/.test(l))
      .join("\n");
    expect(code).not.toMatch(/\bnode\b|\[\[|\bread -t\b|\blocal\b|\$\{[A-Za-z_]+\/|\bsource\b|<<</);
  });
});

describe("onefed step", () => {
  const saved = { fifo: process.env[RUNNER_FIFO_ENV], pid: process.env[RUNNER_PID_ENV] };
  afterEach(() => {
    for (const [k, v] of [
      [RUNNER_FIFO_ENV, saved.fifo],
      [RUNNER_PID_ENV, saved.pid],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it("runs in its own process: it loads the federation file and refuses a zone it does not have (exit 2)", async () => {
    delete process.env[RUNNER_FIFO_ENV];
    const err: string[] = [];
    const code = await main(["step", "upgrade", "--zone", "999", "--config", FIXTURE], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/^onefed step: zone 999 is not in .*federation\.yaml \(zones: /);
  });

  it("with the runner's variables set, still runs here (only the launcher asks the runner)", async () => {
    process.env[RUNNER_FIFO_ENV] = "/nonexistent/runner.fifo";
    process.env[RUNNER_PID_ENV] = "1";
    const err: string[] = [];
    const code = await main(["step", "upgrade", "--zone", "999", "--config", FIXTURE], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/^onefed step: zone 999 is not in /);
  });
});
