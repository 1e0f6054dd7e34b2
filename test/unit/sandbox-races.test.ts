/**
 * Concurrent emulated commands (docs/sandbox.md, Concurrency): different front-ends' commands run as
 * separate processes at once during a deploy, and every write they share must come out as real
 * OpenNebula's would (oned serializes its writes and replicates federated records in FED_INDEX
 * order). Each test builds the interleaving itself, in one process, instead of hoping for the timing.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as oneDb from "../../sandbox/one-db";
import { lastFedIndex, readZones, replicate, writeFederated, zoneStateStatement } from "../../sandbox/one-db";
import { ENV_FRONTEND, ENV_FRONTEND_ROOT, ENV_SANDBOX_DIR, ONE_FILES } from "../../sandbox/contract";
import { EmulatorContext } from "../../sandbox/emulator/context";
import { withFileLock } from "../../sandbox/frontend-state";
import { replicateFromMaster } from "../../sandbox/emulator/federation";
import { SandboxLayout } from "../../sandbox/layout";
import { readRaft } from "../../sandbox/raft";
import { EmulatorSandbox, MASTER, SLAVE_GE } from "../sandbox/emulator-harness";
import { readCommandLog } from "../../sandbox";

function contextOf(sb: EmulatorSandbox, fe: string): EmulatorContext {
  const layout = new SandboxLayout(sb.dir);
  return new EmulatorContext({ [ENV_SANDBOX_DIR]: sb.dir, [ENV_FRONTEND]: fe, [ENV_FRONTEND_ROOT]: layout.frontendRoot(fe) });
}

describe("replication between concurrent commands", () => {
  let sb: EmulatorSandbox;
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(sb.dir, { recursive: true, force: true });
  });

  it("appends each record once and says how many it appended, whatever the caller's view of the slave was", () => {
    sb = EmulatorSandbox.create();
    const master = sb.path(MASTER, ONE_FILES.db);
    const slave = sb.path(SLAVE_GE, ONE_FILES.db);
    const seeded = lastFedIndex(slave)!;
    const zones = readZones(master);
    writeFederated(master, [zoneStateStatement(zones[1], 1)]);
    writeFederated(master, [zoneStateStatement(zones[2], 1)]);
    // Two replications probed the slave at `seeded`, one before the second write. The first to copy
    // reads the master inside the slave's lock and takes both records; the other then appends none.
    expect(replicate(master, slave, seeded + 1, seeded)).toEqual({ outcome: "replicated", appended: 2 });
    expect(replicate(master, slave, seeded + 2, seeded)).toEqual({ outcome: "replicated", appended: 0 });
    expect(lastFedIndex(slave)).toBe(seeded + 2);
    expect(readZones(slave).map((z) => z.state)).toEqual([0, 1, 1]);
  });

  // Two zones frozen at once: each `onezone disable` replicates. Both may have probed an HA slave
  // zone before either copied; its Raft log then got the records once, not once per replication.
  it("counts a record in an HA slave zone's Raft log once when two replications carried it", () => {
    sb = EmulatorSandbox.create({ ha: [101] });
    const layout = new SandboxLayout(sb.dir);
    const ctx = contextOf(sb, MASTER);
    const masterDb = ctx.dbOf(MASTER);
    const zones = readZones(masterDb);
    const before = readRaft(layout, 101).logIndex;
    const seeded = lastFedIndex(masterDb)!;
    writeFederated(masterDb, [zoneStateStatement(zones[1], 1)]);
    writeFederated(masterDb, [zoneStateStatement(zones[2], 1)]);
    // The replication that lands first.
    replicateFromMaster(ctx);
    expect(readRaft(layout, 101).logIndex).toBe(before + 2);
    // The other probed every slave before that copy landed (its view: the seeded index), and copies now.
    const probe = oneDb.probeFederation;
    jest.spyOn(oneDb, "probeFederation").mockImplementation((db) => (db === masterDb ? probe(db) : { ...probe(db), last: seeded }));
    replicateFromMaster(ctx);
    expect(readRaft(layout, 101).logIndex).toBe(before + 2);
    for (const fe of ["zone101-server0", "zone101-server1", "zone101-server2"]) expect(lastFedIndex(ctx.dbOf(fe))).toBe(seeded + 2);
  });
});

// state.json and the Raft records are changed under a lock file: it stands in for the daemons' own
// serialization, which dies with its process.
describe("the sandbox's lock files", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-lock-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A command killed with its session while it held a machine's state lock (a held command's kill,
  // a dropped connection): the next commands there waited 15 s and failed, until the file was 30 s old.
  it("takes over at once a lock whose holder is gone", () => {
    const lock = path.join(dir, "state.lock");
    const gone = spawnSync("true").pid!;
    fs.writeFileSync(lock, `${gone} 1-abc\n`);
    const t0 = Date.now();
    expect(withFileLock(lock, () => "ran")).toBe("ran");
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("leaves a live holder's fresh lock alone", () => {
    const lock = path.join(dir, "state.lock");
    fs.writeFileSync(lock, `${process.ppid} 1-abc\n`);
    expect(() => withFileLock(lock, () => "ran")).toThrow(/timed out waiting for/);
    expect(fs.readFileSync(lock, "utf8")).toBe(`${process.ppid} 1-abc\n`);
  }, 30_000);

  // A holder that outlived the 30 s: another process took its lock over meanwhile. Freeing "the"
  // lock at its end would let a third one in beside the new holder.
  it("frees only its own lock after it was taken over", () => {
    const lock = path.join(dir, "state.lock");
    const successor = `${process.ppid} 2-def\n`;
    withFileLock(lock, () => {
      fs.rmSync(lock);
      fs.writeFileSync(lock, successor);
    });
    expect(fs.readFileSync(lock, "utf8")).toBe(successor);
  });
});

const hasStrace = spawnSync("strace", ["-V"]).status === 0;

// Every session's front-end shell appends its command to the machine's commands.log; sessions run
// at once. An append is atomic only as one write(2): a line written in two could take another
// session's line between its halves, and both entries were lost to readCommandLog.
(hasStrace ? describe : describe.skip)("the command log of concurrent sessions", () => {
  let sb: EmulatorSandbox;
  afterEach(() => fs.rmSync(sb.dir, { recursive: true, force: true }));

  it("keeps a long command's line whole while another session logs its own", async () => {
    sb = EmulatorSandbox.create();
    const layout = new SandboxLayout(sb.dir);
    const log = layout.commandLog(MASTER);
    const long = `true ${"x".repeat(6000)}`;
    const session = (command: string) => ({ ...process.env, SSH_ORIGINAL_COMMAND: command });
    // The long command's session pauses 2 s after each of its writes (strace delays them)...
    const slow = spawn(
      "strace",
      ["-f", "-qq", "-o", "/dev/null", "-e", "trace=write", "-e", "inject=write:delay_exit=2000000", layout.frontendShell, MASTER, ""],
      {
        env: session(long),
        stdio: "ignore",
      },
    );
    const done = new Promise((resolve) => slow.on("exit", resolve));
    for (let t = Date.now(); fs.statSync(log).size === 0 && Date.now() - t < 60_000;) await new Promise((r) => setTimeout(r, 20));
    // ...and the other session logs during that pause.
    expect(spawnSync(layout.frontendShell, [MASTER, ""], { env: session("true short") }).status).toBe(0);
    await done;
    const entry = (command: string) => `${command.slice(0, 10)}… (${command.length})`;
    expect(readCommandLog(sb.dir, MASTER).map((e) => entry(e.command))).toEqual([entry(long), entry("true short")]);
  }, 120_000);
});
