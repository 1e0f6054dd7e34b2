import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeExit, displayCommand, outputTail, runProcess, TAIL_LINES } from "../../lib/terraform/local-process";

const sh = (script: string, opts: Parameters<typeof runProcess>[2] = {}) => runProcess("/bin/sh", ["-c", script], opts);

describe("runProcess", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-process-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("resolves with the exit code, each stream apart and both in arrival order", async () => {
    const r = await sh("echo out1; echo err1 >&2; sleep 0.1; echo out2; exit 3");
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: "out1\nout2\n", stderr: "err1\n" });
    expect(r.output).toBe("out1\nerr1\nout2\n");
    expect(r.startError).toBeUndefined();
    expect(r.command).toBe("/bin/sh -c 'echo out1; echo err1 >&2; sleep 0.1; echo out2; exit 3'");
    expect(r.durationMs).toBeGreaterThanOrEqual(100);
    expect(describeExit(r)).toBe("exit 3");
  });

  it("runs in the given directory with exactly the given environment", async () => {
    const r = await sh('pwd -P; echo "$ONLY_THIS"; echo "${HOME:-unset}"', { cwd: dir, env: { ONLY_THIS: "yes", PATH: process.env.PATH } });
    expect(r.stdout).toBe(`${fs.realpathSync(dir)}\nyes\nunset\n`);
  });

  it("gives a null exit code and the signal when a signal ends the program", async () => {
    const r = await sh("echo before; kill -TERM $$; echo after");
    expect(r).toMatchObject({ exitCode: null, signal: "SIGTERM", stdout: "before\n" });
    expect(describeExit(r)).toBe("killed by SIGTERM");
  });

  it("does not reject when the program cannot start: the result says why", async () => {
    const missing = path.join(dir, "no-such-binary");
    const r = await runProcess(missing, ["version"]);
    expect(r).toMatchObject({ exitCode: null, signal: null, stdout: "", stderr: "", output: "" });
    expect(r.startError).toMatch(/ENOENT/);
    expect(describeExit(r)).toMatch(/^could not start: .*ENOENT/);
  });

  it("streams each line before the program exits", async () => {
    // The program waits for the file the first line's handler creates: lines held back until the
    // exit would leave it waiting, and it then exits 9.
    const flag = path.join(dir, "seen-first-line");
    const lines: string[] = [];
    const r = await sh(
      `echo first; i=0; while [ ! -e '${flag}' ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; [ -e '${flag}' ] || exit 9; echo second`,
      {
        onLine: (l) => {
          lines.push(l);
          if (l === "first") fs.writeFileSync(flag, "");
        },
      },
    );
    expect(r.exitCode).toBe(0);
    expect(lines).toEqual(["first", "second"]);
  });

  it("delivers the last unterminated line at exit, and never glues a partial stdout line to stderr", async () => {
    const lines: string[] = [];
    const r = await sh("printf 'par'; echo 'an error' >&2; sleep 0.05; printf 'tial\\nlast without newline'", { onLine: (l) => lines.push(l) });
    expect(r.exitCode).toBe(0);
    expect(lines).toEqual(["an error", "partial", "last without newline"]);
    expect(r.stdout).toBe("partial\nlast without newline");
  });

  it("keeps the whole output, of which messages quote the tail", async () => {
    const r = await sh("i=1; while [ $i -le 40 ]; do echo line $i; i=$((i+1)); done; echo fatal >&2; exit 1", { onLine: () => undefined });
    expect(r.output.split("\n")).toHaveLength(42);
    const tail = outputTail(r.output);
    expect(tail.split("\n")).toHaveLength(TAIL_LINES);
    expect(tail).toMatch(/^ {4}line 27\n[\s\S]* {4}line 40\n {4}fatal$/);
  });
});

describe("displayCommand", () => {
  it("quotes only what a shell would split or expand", () => {
    expect(displayCommand("/usr/bin/go", ["build", "-o", "/tmp/x y", "-ldflags", "-s -w", "it's"])).toBe(
      "/usr/bin/go build -o '/tmp/x y' -ldflags '-s -w' 'it'\\''s'",
    );
  });
});
