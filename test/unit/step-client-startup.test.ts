/**
 * `onefed step` under the warm runner is a thin client: it loads no federation file, no ssh2, no
 * cdktf (measured in a fresh node process, from the built CLI). Without ONEFED_RUNNER_SOCKET it runs
 * the step in its own process exactly as before.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { RUNNER_SOCKET_ENV } from "../../lib/model/environment";

const CLI = path.resolve(__dirname, "../../dist/lib/cli/onefed.js");
const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");

describe("the thin client", () => {
  it("loads only the CLI's entry, the protocol and node's own modules", () => {
    const script = `
      process.env.${RUNNER_SOCKET_ENV} = "/nonexistent/runner.sock";
      require(${JSON.stringify(CLI)}).main(["step", "upgrade", "--zone", "0"]).then((code) => {
        process.stdout.write(JSON.stringify({ code, modules: Object.keys(require.cache) }));
      });`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, [RUNNER_SOCKET_ENV]: "" } });
    const { code, modules } = JSON.parse(r.stdout) as { code: number; modules: string[] };
    expect(code).toBe(1);
    expect(r.stderr).toMatch(/\[upgrade zone 0\] failed: the warm runner's socket \/nonexistent\/runner\.sock cannot be used: it is not there/);
    expect(modules.filter((m) => m.includes("node_modules"))).toEqual([]);
    const loaded = modules.map((m) => path.relative(path.dirname(path.dirname(CLI)), m)).sort();
    expect(loaded.filter((m) => /^(config|remote|synth|terraform)\/|run\/(run-step|connector|steps)/.test(m))).toEqual([]);
    expect(loaded.length).toBeLessThanOrEqual(12);
  });
});

describe("onefed step without the runner's socket", () => {
  const saved = process.env[RUNNER_SOCKET_ENV];
  afterEach(() => (saved === undefined ? delete process.env[RUNNER_SOCKET_ENV] : (process.env[RUNNER_SOCKET_ENV] = saved)));

  it("runs in its own process as before: it loads the federation file and refuses a zone it does not have (exit 2)", async () => {
    delete process.env[RUNNER_SOCKET_ENV];
    const err: string[] = [];
    const code = await main(["step", "upgrade", "--zone", "999", "--config", FIXTURE], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/^onefed step: zone 999 is not in .*federation\.yaml \(zones: /);
  });

  it("with the socket set, --help is still answered here", async () => {
    process.env[RUNNER_SOCKET_ENV] = "/nonexistent/runner.sock";
    const out: string[] = [];
    const code = await main(["step", "--help"], { out: (s) => out.push(s), err: () => undefined });
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/Usage: onefed step/);
  });
});
