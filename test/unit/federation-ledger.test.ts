/**
 * The upgrade ledger with its real shell scripts (run by the local sh, as a master server would):
 * atomic records, the lock's exclusivity between two runs, take-over by the same upgrade, release.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZoneConfig } from "../../lib/model/federation";
import { entryFile, judgeLock, LEDGER_FORMAT, LedgerRunner, LOCK_FILE, RunIdentity, serializeRecord } from "../../lib/model/ledger";
import { runALock } from "../support/ledger-entries";
import { ExitCode } from "../../lib/model/exit-codes";
import { RemoteLedgerStore } from "../../lib/remote/opennebula/ledger-store";
import { RemoteMachine } from "../../lib/remote/opennebula/remote-machine";
import { FederationLedger, LedgerUnreadableError, LockHeldError } from "../../lib/run/ledger/federation-ledger";
import { LocalTransport } from "../support/local-transport";
import { automationHost, runnerActive } from "../../lib/run/ledger/run-identity";
import { spawn } from "child_process";
import { ledgerFiles } from "../../lib/remote/opennebula/commands";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";

const zone = { id: 100, name: "S-EU-GE" } as ZoneConfig;
const master = { id: 0, name: "M-EU-FR" } as ZoneConfig;

function servers(count: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-ledger-"));
  const transports = Array.from({ length: count }, () => new LocalTransport());
  const stores = transports.map(
    (t, i) =>
      new RemoteLedgerStore(new RemoteMachine(t, { host: `10.0.0.${i + 1}`, port: 22, zone: "zone 0" }, "apt"), path.join(root, `server${i}`, "ledger")),
  );
  return { root, transports, stores };
}

const runA: RunIdentity = { runId: "run-a", lineage: "lineage-1", who: "ci@runner-1" };
const runA2: RunIdentity = { runId: "run-a2", lineage: "lineage-1", who: "ci@runner-2" };
const runB: RunIdentity = { runId: "run-b", lineage: "lineage-2", who: "alice@laptop" };
const byHand: RunIdentity = { runId: "manual-1", who: "bob@laptop" };

describe("FederationLedger", () => {
  it("takes a free lock, records entries on every master server, and releases once every final step is recorded", async () => {
    const { stores } = servers(3);
    const ledger = new FederationLedger("prod", stores, runA);
    expect((await ledger.claim("preflight", master)).kind).toBe("free");
    await ledger.record("verify", master, { version: "7.0.0" });
    for (const s of stores) {
      const files = fs.readdirSync(s.dir).sort();
      expect(files).toEqual([LOCK_FILE, entryFile("verify", 0)]);
      expect(JSON.parse(fs.readFileSync(path.join(s.dir, entryFile("verify", 0)), "utf8")).evidence).toEqual({ version: "7.0.0" });
      expect(fs.statSync(path.join(s.dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    }
    expect(
      await ledger.releaseIfComplete([
        { step: "verify", zoneId: 0 },
        { step: "verify", zoneId: 100 },
      ]),
    ).toBe(false);
    await ledger.record("verify", zone, {});
    expect(
      await ledger.releaseIfComplete([
        { step: "verify", zoneId: 0 },
        { step: "verify", zoneId: 100 },
      ]),
    ).toBe(true);
    expect((await ledger.read()).lock).toBeUndefined();
    for (const s of stores) expect(fs.readdirSync(s.dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("refuses a second upgrade, whatever its host or state, naming the holder, the step it reached and since when", async () => {
    const { stores } = servers(1);
    await new FederationLedger("prod", stores, runA).claim("restore", zone);
    const second = new FederationLedger("prod", stores, runB).claim("preflight", master);
    await expect(second).rejects.toThrow(LockHeldError);
    await expect(second).rejects.toThrow(
      /the federation prod is being upgraded by another run: run run-a by ci@runner-1 \(state lineage lineage-1\), holding it since .*, last at restore of zone 100/,
    );
    await expect(second).rejects.toMatchObject({ exitCode: ExitCode.Locked });
    await expect(new FederationLedger("prod", stores, byHand).claim("stop", zone)).rejects.toThrow(/Nothing was changed/);
  });

  it("lets the same upgrade (same state lineage) resume on another runner and take the lock over", async () => {
    const { stores } = servers(2);
    await new FederationLedger("prod", stores, runA).claim("restore", zone);
    const resumed = new FederationLedger("prod", stores, runA2);
    const verdict = await resumed.claim("restore", zone);
    expect(verdict.kind).toBe("take-over");
    const lock = (await resumed.read()).lock!;
    expect(lock.run_id).toBe("run-a2");
    expect(lock.holder).toBe("ci@runner-2");
  });

  it("of two runs that both saw the lock free, lets exactly one create it", async () => {
    const { stores } = servers(1);
    const results = await Promise.allSettled([
      new FederationLedger("prod", stores, runA).claim("preflight", master),
      new FederationLedger("prod", stores, runB).claim("preflight", master),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && (r.reason as Error) instanceof LockHeldError)).toHaveLength(1);
  });

  it("keeps the previous record whole when a writer is killed half way through", async () => {
    const { stores } = servers(1);
    const ledger = new FederationLedger("prod", stores, runA);
    await ledger.record("safety-backup", zone, { sha256: "a".repeat(64) });
    // A new version of the record, half of it sent, then the session lost: the remote side sees its stdin close.
    const record = serializeRecord({ ...(await ledger.read()).entries[0], evidence: { sha256: "b".repeat(64) } });
    const cmd = ledgerFiles.write(stores[0].dir, entryFile("safety-backup", 100), record);
    const child = spawn("/bin/sh", ["-c", renderCommand(cmd)], { stdio: ["pipe", "ignore", "ignore"] });
    child.stdin.write(record.slice(0, record.length / 2));
    const deadline = Date.now() + 5000;
    while (!fs.readdirSync(stores[0].dir).some((f) => f.startsWith(".tmp.")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fs.readdirSync(stores[0].dir).some((f) => f.startsWith(".tmp."))).toBe(true);
    child.stdin.end();
    await new Promise((r) => child.on("close", r));
    await new Promise((r) => setTimeout(r, 200));
    expect((await ledger.read()).entries.map((e) => e.evidence)).toEqual([{ sha256: "a".repeat(64) }]);
    expect(fs.readdirSync(stores[0].dir).filter((f) => f.startsWith(".tmp."))).toEqual([]);
  });

  it("reads on when another step removes its record between listing and opening it, and fails on any other read error", async () => {
    const { stores } = servers(1);
    const ledger = new FederationLedger("prod", stores, runA);
    await ledger.record("stop", zone, {});
    await ledger.record("stop", master, {});
    // A `grep` that first removes the master's record: the window in which a concurrent step of another
    // zone releases its runner record after this read's glob listed it (grep fails; the records are
    // read again one by one, and the one gone is skipped).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-cat-"));
    const vanishing = path.join(stores[0].dir, entryFile("stop", 0));
    const shim = (tool: string, file: string, action: string) =>
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\nfor a; do [ "$a" = '${file}' ] && ${action}; done\nexec /bin/${tool} "$@"\n`, { mode: 0o755 });
    shim("grep", vanishing, 'rm -f "$a"');
    const run = (cmd: ReturnType<typeof ledgerFiles.readAll>) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn("/bin/sh", ["-c", renderCommand(cmd)], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.on("close", (code) => resolve({ code, stdout }));
      });
    const read = await run(ledgerFiles.readAll(stores[0].dir));
    expect(read.code).toBe(0);
    expect(
      read.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).zone_id),
    ).toEqual([100]);
    // A record that is still there but cannot be read (an I/O error, say) still fails the read.
    const unreadable = path.join(stores[0].dir, entryFile("stop", 100));
    shim("grep", unreadable, "exit 2");
    shim("cat", unreadable, "exit 1");
    expect((await run(ledgerFiles.readAll(stores[0].dir))).code).toBe(1);
  });

  it("refuses to read a copy that holds something that is no ledger record", async () => {
    const { stores } = servers(1);
    await new FederationLedger("prod", stores, runA).record("stop", zone, {});
    fs.writeFileSync(path.join(stores[0].dir, "stray.json"), "{not json\n");
    await expect(new FederationLedger("prod", stores, runA).read()).rejects.toThrow(LedgerUnreadableError);
  });

  it("still honours a lock that only a mirror holds (a release cut short)", async () => {
    const { stores } = servers(2);
    await new FederationLedger("prod", stores, runA).claim("stop", zone);
    fs.rmSync(path.join(stores[0].dir, LOCK_FILE));
    await expect(new FederationLedger("prod", stores, runB).claim("preflight", master)).rejects.toThrow(LockHeldError);
  });

  it("forgets the proof of steps undone by hand and unlocks only the named holder", async () => {
    const { stores } = servers(1);
    const ledger = new FederationLedger("prod", stores, runA);
    await ledger.claim("freeze", zone);
    await ledger.record("freeze", zone, {});
    await ledger.record("sync", master, {});
    const operator = new FederationLedger("prod", stores, byHand);
    await operator.forget(["freeze", "sync"], [0, 100], "unfreeze", "onefed unfreeze --force");
    const after = await operator.read();
    expect(after.entries).toEqual([]);
    expect(after.events.map((e) => e.what)).toEqual(["unfreeze"]);
    expect(await operator.unlock("run-x", "wrong id")).toMatchObject({ run_id: "run-a" });
    expect(await operator.unlock("run-a", "confirmed")).toBeUndefined();
    expect((await operator.read()).lock).toBeUndefined();
  });
});

describe("judgeLock", () => {
  const lock = runALock("t", "upgrade");
  const runner = (beat: string): LedgerRunner => ({
    kind: "runner",
    format: LEDGER_FORMAT,
    run_id: "run-a",
    holder: "ci@runner-1",
    pid: 4242,
    step: "upgrade",
    zone_id: 0,
    heartbeat_at: beat,
  });
  const now = new Date("2026-11-30T12:00:00Z");
  const fresh = (r: { heartbeat_at: string }) => now.getTime() - Date.parse(r.heartbeat_at) < 90_000;

  it("lets the same upgrade take a dead run's lock over, but not while that run's runner still beats (an orphaned runner still changes machines)", () => {
    expect(judgeLock(lock, runA2, [], fresh).kind).toBe("take-over");
    expect(judgeLock(lock, runA2, [runner("2026-11-30T11:50:00Z")], fresh).kind).toBe("take-over");
    expect(judgeLock(lock, runA2, [runner("2026-11-30T11:59:50Z")], fresh)).toMatchObject({ kind: "held", activeRunner: { pid: 4242 } });
    expect(judgeLock(lock, runB, [], fresh).kind).toBe("held");
    expect(judgeLock(lock, runA, [runner("2026-11-30T11:59:50Z")], fresh).kind).toBe("ours");
    expect(judgeLock(undefined, byHand).kind).toBe("free");
  });

  it("says why a run of the same upgrade is refused while its runner works", () => {
    const err = new LockHeldError("prod", lock, "restore of zone 100 (S-EU-GE)", runner("2026-11-30T11:59:50Z"));
    expect(err.message).toMatch(
      /a run of this same upgrade of prod is still at work: .*its runner \(pid 4242 on ci@runner-1\) was at upgrade of zone 0 .*Nothing was changed/,
    );
    expect(err.exitCode).toBe(ExitCode.Locked);
  });
});

describe("heartbeat", () => {
  it("beats while a step runs and goes when the runner is done", async () => {
    const { stores } = servers(2);
    const ledger = new FederationLedger("prod", stores, runA);
    await ledger.claim("upgrade", master);
    const stop = await ledger.heartbeat("upgrade", master, 50);
    const runners = (await ledger.read()).runners ?? [];
    expect(runners.map((r) => [r.run_id, r.pid, r.step])).toEqual([["run-a", process.pid, "upgrade"]]);
    await new Promise((r) => setTimeout(r, 200));
    expect(Date.parse((await ledger.read()).runners![0].heartbeat_at)).toBeGreaterThan(Date.parse(runners[0].heartbeat_at));
    // While it beats, the same upgrade from another runner cannot take the lock over.
    await expect(new FederationLedger("prod", stores, runA2).claim("upgrade", master)).rejects.toThrow(/still at work/);
    await stop();
    expect((await ledger.read()).runners).toEqual([]);
    expect((await new FederationLedger("prod", stores, runA2).claim("upgrade", master)).kind).toBe("take-over");
  });
});

describe("runnerActive on this host", () => {
  const here = (pid: number): LedgerRunner => ({
    kind: "runner",
    format: LEDGER_FORMAT,
    run_id: "run-a",
    holder: automationHost(),
    pid,
    step: "upgrade",
    zone_id: 0,
    heartbeat_at: new Date().toISOString(),
  });

  it("is true while the runner's process lives, false once it is only a zombie nobody reaped yet (killed with its terraform)", async () => {
    expect(runnerActive(here(process.pid))).toBe(true);
    // `sleep 0` ends at once; its parent execs into `sleep 5`, which never reaps it: a zombie for 5 s.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d) => resolve(parseInt(String(d), 10))));
    const deadline = Date.now() + 3000;
    while (!/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(runnerActive(here(pid))).toBe(false);
    parent.kill("SIGKILL");
  });
});
