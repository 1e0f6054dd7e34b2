/**
 * The warm runner's protocol end to end over a real unix socket, with a scripted step handler in
 * place of runStep: framing whatever the chunking, lines streamed while the step runs, exit codes,
 * the runner's death seen by the client as a failure with a clear message, the client's death
 * stopping the step, and the owner-only rules for the socket and its directory.
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { runThroughRunner } from "../../lib/cli/step-client";
import { asRunnerMessage, asStepRequest, frame, MessageReader, WARM_PROTOCOL_VERSION } from "../../lib/run/warm/protocol";
import { RunnerServer, RunnerSocketRefusal, StepHandler } from "../../lib/run/warm/runner-server";

let dir: string;
let socketPath: string;
let server: RunnerServer | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-warm-"));
  socketPath = path.join(dir, "runner.sock");
});
afterEach(async () => {
  await server?.close("test over");
  server = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A client whose lines are collected. */
function client(argv: readonly string[] = ["upgrade", "--zone", "100"], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runThroughRunner(argv, socketPath, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) }, env);
  return { out, err, code };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe("framing", () => {
  it("reads messages cut anywhere, multi-byte characters included, and keeps a cut tail as partial", () => {
    const got: unknown[] = [];
    const reader = new MessageReader((m) => got.push(m));
    const bytes = Buffer.from(frame({ kind: "out", text: "zone 100 (S-EU-GE) ✓ done" }) + frame({ kind: "exit", code: 3 }) + '{"kind":"o');
    for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
    expect(got).toEqual([
      { kind: "out", text: "zone 100 (S-EU-GE) ✓ done" },
      { kind: "exit", code: 3 },
    ]);
    expect(reader.partial).toBe(true);
  });

  it("keeps a line with newlines and control characters one message", () => {
    expect(frame({ kind: "err", text: "a\nb\r\u001b[2J" }).split("\n")).toHaveLength(2);
  });

  it("accepts only requests of its version, with a list of strings and forwarded variables only", () => {
    const ok = { v: WARM_PROTOCOL_VERSION, kind: "step", argv: ["upgrade"], env: { ONEFED_RUN_ID: "r1" }, pid: 7 };
    expect(asStepRequest(ok)).toEqual(ok);
    expect(asStepRequest({ ...ok, v: 99 })).toMatch(/protocol version 99, this runner speaks 1/);
    expect(asStepRequest({ ...ok, argv: [1] })).toMatch(/argv/);
    expect(asStepRequest({ ...ok, env: { ONEFED_SANDBOX_DB_PASSWORD: "x" } })).toMatch(/env holds variables the protocol does not forward/);
    expect(asRunnerMessage({ kind: "exit", code: 1.5 })).toBeUndefined();
  });
});

describe("a step through the runner", () => {
  it("streams the step's lines while it runs, in order, and exits with its code", async () => {
    let seen: { argv: readonly string[]; env: Readonly<Record<string, string>> } | undefined;
    let release!: () => void;
    const handle: StepHandler = async (request, out, err) => {
      seen = request;
      out("[upgrade zone 100] first");
      await new Promise<void>((r) => (release = r));
      err("[upgrade zone 100] a warning");
      out("[upgrade zone 100] last");
      return 5;
    };
    server = await RunnerServer.listen({ socketPath, handle });
    const c = client(["upgrade", "--zone", "100", "--config", "/x/federation.yaml"], {
      ONEFED_RUN_ID: "run-1",
      ONEFED_SANDBOX_DB_PASSWORD: "secret",
      PATH: "/bin",
    });
    for (let i = 0; i < 100 && c.out.length === 0; i++) await tick();
    // The first line arrived before the step ended.
    expect(c.out).toEqual(["[upgrade zone 100] first"]);
    release();
    expect(await c.code).toBe(5);
    expect(c.out).toEqual(["[upgrade zone 100] first", "[upgrade zone 100] last"]);
    expect(c.err).toEqual(["[upgrade zone 100] a warning"]);
    // Only the run's identity and outputs travel; secrets and the rest stay in the runner's own environment.
    expect(seen).toMatchObject({ argv: ["upgrade", "--zone", "100", "--config", "/x/federation.yaml"], env: { ONEFED_RUN_ID: "run-1" } });
    expect(Object.keys(seen!.env)).toEqual(["ONEFED_RUN_ID"]);
  });

  it("runs several steps at once", async () => {
    let running = 0;
    let most = 0;
    server = await RunnerServer.listen({
      socketPath,
      handle: async (request, out) => {
        most = Math.max(most, ++running);
        await tick(100);
        out(`done ${request.argv[0]}`);
        running--;
        return 0;
      },
    });
    const all = ["preflight", "freeze", "backup"].map((s) => client([s, "--zone", "0"]));
    expect(await Promise.all(all.map((c) => c.code))).toEqual([0, 0, 0]);
    expect(most).toBe(3);
    expect(all.map((c) => c.out)).toEqual([["done preflight"], ["done freeze"], ["done backup"]]);
  });

  it("the runner dying mid-step is a failure of the step that says what happened and what to do", async () => {
    let connection: net.Socket | undefined;
    const fake = net.createServer((s) => {
      connection = s;
      s.write(frame({ kind: "out", text: "[restore zone 101] restoring" }));
    });
    await new Promise<void>((r) => fake.listen(socketPath, r));
    const c = client(["restore", "--zone", "101"]);
    for (let i = 0; i < 100 && !connection; i++) await tick();
    await tick(50);
    connection!.destroy(); // as the kernel does when the runner is killed
    expect(await c.code).toBe(1);
    fake.close();
    expect(c.out).toEqual(["[restore zone 101] restoring"]);
    expect(c.err.join("\n")).toMatch(
      /^\[restore zone 101\] failed: the warm runner ended before the step finished \(the connection closed without a result.*\), so the step's outcome is unknown here\. It is not recorded complete unless the federation's ledger says so: run the deploy again; it resumes from the ledger/,
    );
  });

  it("a runner that is gone before the step is a failure too, naming the socket", async () => {
    const c = client(["verify", "--zone", "0"]);
    expect(await c.code).toBe(1);
    expect(c.err.join("\n")).toMatch(
      /\[verify zone 0\] failed: the warm runner's socket .*runner\.sock cannot be used: it is not there \(ENOENT\)\. Nothing was done/,
    );
  });

  it("the client killed mid-step stops the step: its lease is stopped with the reason", async () => {
    let stopped: string | undefined;
    let connected!: () => void;
    const started = new Promise<void>((r) => (connected = r));
    server = await RunnerServer.listen({
      socketPath,
      handle: async (_request, _out, _err, lease) => {
        connected();
        while (lease.stopped === undefined) await tick();
        stopped = lease.stopped;
        return 1;
      },
    });
    const raw = net.connect(socketPath);
    raw.write(frame({ v: WARM_PROTOCOL_VERSION, kind: "step", argv: ["upgrade", "--zone", "0"], env: {}, pid: 4242 }));
    await started;
    expect(server.running).toBe(1);
    raw.destroy(); // terraform killed it
    for (let i = 0; i < 100 && stopped === undefined; i++) await tick();
    expect(stopped).toBe("its `onefed step` (pid 4242) went away: terraform stopped or was killed");
    for (let i = 0; i < 100 && server.running > 0; i++) await tick();
    expect(server.running).toBe(0);
  });

  it("refuses a request of another protocol version with exit 2", async () => {
    server = await RunnerServer.listen({ socketPath, handle: async () => 0 });
    const raw = net.connect(socketPath);
    const got: unknown[] = [];
    const reader = new MessageReader((m) => got.push(m));
    raw.on("data", (d) => reader.push(d));
    raw.write(frame({ v: 0, kind: "step", argv: [], env: {}, pid: 1 }));
    await new Promise((r) => raw.on("close", r));
    expect(got).toEqual([
      { kind: "err", text: "onefed step: the warm runner refused the request: protocol version 0, this runner speaks 1 (a client from another onefed build)" },
      { kind: "exit", code: 2 },
    ]);
  });
});

describe("owner-only", () => {
  it("listens with the socket at mode 0600 in a 0700 directory", async () => {
    server = await RunnerServer.listen({ socketPath, handle: async () => 0 });
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("refuses to listen in a directory others may enter", async () => {
    fs.chmodSync(dir, 0o755);
    await expect(RunnerServer.listen({ socketPath, handle: async () => 0 })).rejects.toThrow(RunnerSocketRefusal);
    await expect(RunnerServer.listen({ socketPath, handle: async () => 0 })).rejects.toThrow(
      /expected a directory owned by uid \d+ with no access for group or others \(mode 0700\), found mode 0755/,
    );
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it("the client speaks only to a socket: a plain file there is refused, nothing sent", async () => {
    fs.writeFileSync(socketPath, "");
    const c = client();
    expect(await c.code).toBe(1);
    expect(c.err.join("\n")).toMatch(/cannot be used: it is not a socket/);
  });
});
