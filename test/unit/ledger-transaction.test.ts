/**
 * One ledger transaction per round trip (docs/round-trips.md): the script run by the local sh as a
 * master server would, and the step's begin / finish on FederationLedger built on it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZoneConfig } from "../../lib/model/federation";
import { entryFile, LEDGER_FORMAT, LedgerLock, LOCK_FILE, RunIdentity, serializeRecord } from "../../lib/model/ledger";
import { runALock } from "../support/ledger-entries";
import { ledgerFiles } from "../../lib/remote/opennebula/ledger-files";
import { RemoteLedgerStore } from "../../lib/remote/opennebula/ledger-store";
import { RemoteMachine } from "../../lib/remote/opennebula/remote-machine";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { FederationLedger, LedgerUnreadableError, LockHeldError } from "../../lib/run/ledger/federation-ledger";
import { LocalTransport } from "../support/local-transport";

const zone = { id: 100, name: "S-EU-GE" } as ZoneConfig;
const runA: RunIdentity = { runId: "run-a", lineage: "lineage-1", who: "ci@runner-1" };
const runB: RunIdentity = { runId: "run-b", lineage: "lineage-2", who: "alice@laptop" };

function servers(count: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-ledger-tx-"));
  const transports = Array.from({ length: count }, () => new LocalTransport());
  const stores = transports.map(
    (t, i) =>
      new RemoteLedgerStore(new RemoteMachine(t, { host: `10.0.0.${i + 1}`, port: 22, zone: "zone 0" }, "apt"), path.join(root, `server${i}`, "ledger")),
  );
  return { transports, stores };
}

const record = (text: string) => serializeRecord({ kind: "event", format: LEDGER_FORMAT, what: "unlock", by: "me", at: "2026-01-01T00:00:00Z", detail: text });

describe("ledger transaction script", () => {
  it("writes, creates and removes in order, each record cut by its byte length (UTF-8), then reads back", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "onefed-tx-")), "ledger");
    const sh = new LocalTransport();
    const a = record("Zürich — ünïcödé");
    const b = record("plain");
    const first = await sh.exec(
      renderCommand(
        ledgerFiles.transaction(
          dir,
          [
            { op: "write", name: "a.json", content: a },
            { op: "create", name: "b.json", content: b },
          ],
          false,
        ),
      ),
      ledgerFiles.transaction(
        dir,
        [
          { op: "write", name: "a.json", content: a },
          { op: "create", name: "b.json", content: b },
        ],
        false,
      ).stdin,
    );
    expect(first.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(dir, "a.json"), "utf8")).toBe(a);
    expect(fs.readFileSync(path.join(dir, "b.json"), "utf8")).toBe(b);
    expect(fs.statSync(path.join(dir, "a.json")).mode & 0o777).toBe(0o600);

    // A creation that finds its record stops the transaction: what follows it does not run, the read still does.
    const cmd = ledgerFiles.transaction(
      dir,
      [
        { op: "create", name: "b.json", content: a },
        { op: "remove", name: "a.json" },
      ],
      true,
    );
    const second = await sh.exec(renderCommand(cmd), cmd.stdin);
    expect(second.exitCode).toBe(3);
    expect(fs.existsSync(path.join(dir, "a.json"))).toBe(true);
    expect(second.stdout.split("\n").filter(Boolean).sort()).toEqual([a, b].map((x) => x.trim()).sort());
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(".tmp"))).toEqual([]);

    const rm = ledgerFiles.transaction(dir, [{ op: "remove", name: "a.json" }], true);
    expect(rm.stdin).toBeUndefined();
    const third = await sh.exec(renderCommand(rm));
    expect(third.exitCode).toBe(0);
    expect(third.stdout.trim()).toBe(b.trim());
  });

  it("writes nothing when stdin arrives cut (sha256 of the whole payload)", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "onefed-tx-")), "ledger");
    const cmd = ledgerFiles.transaction(dir, [{ op: "write", name: "a.json", content: record("whole") }], false);
    const r = await new LocalTransport().exec(renderCommand(cmd), cmd.stdin!.slice(0, 10));
    expect(r.exitCode).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("lets the ledger's lock go before it prints the records: a slow read does not hold up another step's write", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "onefed-tx-")), "ledger");
    // A `grep` that takes 5 s: the print of a transaction on a master under load, or of a large ledger.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-slow-grep-"));
    fs.writeFileSync(path.join(bin, "grep"), '#!/bin/sh\nsleep 5\nexec /bin/grep "$@"\n', { mode: 0o755 });
    const reading = ledgerFiles.transaction(dir, [{ op: "write", name: "a.json", content: record("a") }], true);
    let readDone = false;
    const slow = new LocalTransport().exec(`PATH=${bin}:$PATH ${renderCommand(reading)}`, reading.stdin).then((r) => ((readDone = true), r));
    for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, "a.json")); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(path.join(dir, "a.json"))).toBe(true);
    // The first transaction wrote its record and is printing (in its slow grep): the directory's flock is free.
    const writing = ledgerFiles.transaction(dir, [{ op: "write", name: "b.json", content: record("b") }], false);
    expect((await new LocalTransport().exec(renderCommand(writing), writing.stdin)).exitCode).toBe(0);
    expect(readDone).toBe(false);
    const read = await slow;
    expect(read.exitCode).toBe(0);
    expect(read.stdout).toContain(record("a").trim());
  });
});

describe("FederationLedger begin / finish", () => {
  it("takes the lock, writes the heartbeat and reads back in one command per server; finish records and ends the heartbeat in one", async () => {
    const { stores, transports } = servers(2);
    const ledger = new FederationLedger("prod", stores, runA);
    const before = await ledger.read();
    const counts = () => transports.map((t) => t.lines.length);
    const start = counts();
    const claim = await ledger.begin("stop", zone, before);
    expect(counts()).toEqual(start.map((n) => n + 1));
    expect(claim.verdict.kind).toBe("free");
    expect(claim.snapshot.lock?.run_id).toBe("run-a");
    expect(claim.snapshot.runners?.map((r) => r.step)).toEqual(["stop"]);
    expect(fs.readdirSync(stores[1].dir)).toEqual([LOCK_FILE]);

    const done = await ledger.finish("stop", zone, { summary: "stopped" }, claim, true);
    expect(counts()).toEqual(start.map((n) => n + 2));
    expect(done.snapshot?.entries.map((e) => e.step)).toEqual(["stop"]);
    expect(done.snapshot?.runners).toEqual([]);
    await claim.heartbeat.stop();
    expect(counts()).toEqual(start.map((n) => n + 2));
    for (const s of stores) expect(fs.readdirSync(s.dir)).toContain(entryFile("stop", 100));
  });

  it("refuses another upgrade's lock, and judges again when it loses the race for a free lock", async () => {
    const { stores } = servers(1);
    const ledger = new FederationLedger("prod", stores, runB);
    const stale = await ledger.read();
    // Another run takes the lock after this one read the ledger free.
    const lock = runALock("2026-01-01T00:00:00Z");
    await stores[0].write(LOCK_FILE, lock);
    await expect(ledger.begin("stop", zone, stale)).rejects.toBeInstanceOf(LockHeldError);
    expect(fs.readdirSync(stores[0].dir)).toEqual([LOCK_FILE]);
    await expect(ledger.begin("stop", zone)).rejects.toBeInstanceOf(LockHeldError);
  });
});

describe("a step's begin as one compare-and-swap (docs/ledger.md)", () => {
  const master = { id: 0, name: "M-EU-FR" } as ZoneConfig;
  const expectNothing = { required: [], notAllOf: [] };
  const files = (dir: string) => fs.readdirSync(dir).sort();
  const lockOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")) as LedgerLock;
  const entry = (step: "freeze" | "stop" | "verify", zoneId: number) =>
    ({
      kind: "entry",
      format: LEDGER_FORMAT,
      step,
      zone_id: zoneId,
      run_id: "run-a",
      lineage: "lineage-1",
      completed_at: "2026-01-01T00:00:00Z",
      evidence: {},
    }) as const;

  it("takes a free lock with its first heartbeat in ONE command, no read before it; the next step rewrites this run's lock in one more, keeping since", async () => {
    const { stores, transports } = servers(1);
    const ledger = new FederationLedger("prod", stores, runA);
    const first = await ledger.beginChecked("freeze", zone, expectNothing);
    expect(transports[0].lines).toHaveLength(1);
    expect(first.claim?.verdict.kind).toBe("free");
    expect(first.snapshot.lock?.run_id).toBe("run-a");
    expect(first.snapshot.runners?.map((r) => r.step)).toEqual(["freeze"]);
    const since = lockOf(stores[0].dir).since;
    await ledger.finish("freeze", zone, { summary: "frozen" }, first.claim!);

    const second = await new FederationLedger("prod", stores, runA).beginChecked("stop", zone, { required: [{ step: "freeze", zoneId: 100 }], notAllOf: [] });
    expect(transports[0].lines).toHaveLength(3);
    expect(second.claim?.verdict.kind).toBe("ours");
    expect(lockOf(stores[0].dir)).toMatchObject({ run_id: "run-a", since, step: "stop", zone_id: 100 });
    await second.claim!.heartbeat.stop();
  });

  it("writes nothing when what the step must find is not there: its entry recorded, a requirement missing, the upgrade complete", async () => {
    const { stores } = servers(1);
    const ledger = new FederationLedger("prod", stores, runA);
    await stores[0].write(entryFile("stop", 100), entry("stop", 100));
    await stores[0].write(entryFile("verify", 0), entry("verify", 0));
    const before = files(stores[0].dir);
    const cases = [
      ["stop", { required: [], notAllOf: [] }],
      [
        "upgrade",
        {
          required: [
            { step: "stop" as const, zoneId: 100 },
            { step: "restore" as const, zoneId: 100 },
          ],
          notAllOf: [],
        },
      ],
      ["start", { required: [], notAllOf: [{ step: "verify" as const, zoneId: 0 }] }],
    ] as const;
    for (const [step, expect_] of cases) {
      const attempt = await ledger.beginChecked(step, zone, expect_);
      expect([step, attempt.claim]).toEqual([step, undefined]);
      expect(attempt.snapshot.entries.map((e) => e.step).sort()).toEqual(["stop", "verify"]);
      expect(files(stores[0].dir)).toEqual(before);
    }
    // Every guard holding (the requirement recorded, one final step still missing): it claims.
    const ok = await ledger.beginChecked("upgrade", zone, {
      required: [{ step: "stop", zoneId: 100 }],
      notAllOf: [
        { step: "verify", zoneId: 0 },
        { step: "verify", zoneId: 100 },
      ],
    });
    expect(ok.claim).toBeDefined();
    await ok.claim!.heartbeat.stop();
  });

  it("of two runners that begin at once on a free lock, exactly one takes it; the other is shown the winner's lock and refused", async () => {
    const { stores } = servers(1);
    const a = new FederationLedger("prod", stores, runA);
    const b = new FederationLedger("prod", stores, runB);
    const attempts = await Promise.all([a.beginChecked("freeze", zone, expectNothing), b.beginChecked("freeze", master, expectNothing)]);
    expect(attempts.filter((x) => x.claim !== undefined)).toHaveLength(1);
    const loser = attempts.findIndex((x) => x.claim === undefined);
    const winner = loser === 0 ? "run-b" : "run-a";
    expect(attempts[loser].snapshot.lock?.run_id).toBe(winner);
    // The loser judges what it was shown, as before: another upgrade holds the lock.
    await expect((loser === 0 ? a : b).begin("freeze", loser === 0 ? zone : master, attempts[loser].snapshot)).rejects.toBeInstanceOf(LockHeldError);
    expect(lockOf(stores[0].dir).run_id).toBe(winner);
    expect(fs.readdirSync(stores[0].dir).filter((f) => f.startsWith("runner-"))).toHaveLength(1);
  });

  it("a stale read cannot overwrite another run's lock: the compare-and-swap finds it changed and writes nothing", async () => {
    const { stores } = servers(1);
    const a = new FederationLedger("prod", stores, runA);
    const first = await a.beginChecked("freeze", zone, expectNothing);
    await a.finish("freeze", zone, { summary: "frozen" }, first.claim!);
    // An operator releases run A's lock; run B takes it. Run A still remembers the lock as its own.
    await new FederationLedger("prod", stores, runA).unlock("run-a", "by hand");
    const b = new FederationLedger("prod", stores, runB);
    const taken = await b.beginChecked("freeze", master, expectNothing);
    expect(taken.claim?.verdict.kind).toBe("free");
    const lockB = fs.readFileSync(path.join(stores[0].dir, LOCK_FILE), "utf8");
    const stale = await a.beginChecked("stop", zone, expectNothing);
    expect(stale.claim).toBeUndefined();
    expect(stale.snapshot.lock?.run_id).toBe("run-b");
    expect(fs.readFileSync(path.join(stores[0].dir, LOCK_FILE), "utf8")).toBe(lockB);
    expect(fs.readdirSync(stores[0].dir).filter((f) => f.startsWith("runner-") && f.includes("run-a"))).toEqual([]);
    await taken.claim!.heartbeat.stop();
  });

  it("a lock of this run that this process has not seen yet is not rewritten blind: it is judged and taken as before", async () => {
    const { stores, transports } = servers(1);
    const lock = runALock("2025-12-31T00:00:00Z");
    await stores[0].write(LOCK_FILE, lock);
    const ledger = new FederationLedger("prod", stores, { ...runA });
    const start = transports[0].lines.length;
    const attempt = await ledger.beginChecked("stop", zone, expectNothing);
    expect(attempt.claim).toBeUndefined();
    const claim = await ledger.begin("stop", zone, attempt.snapshot);
    expect(claim.verdict.kind).toBe("ours");
    expect(transports[0].lines.length - start).toBe(2);
    expect(lockOf(stores[0].dir)).toMatchObject({ since: "2025-12-31T00:00:00Z", step: "stop" });
    await claim.heartbeat.stop();
  });

  it("creates nothing, not even the ledger directory, when a requirement must be recorded and there is no ledger yet", async () => {
    const { stores, transports } = servers(1);
    const attempt = await new FederationLedger("prod", stores, runA).beginChecked("stop", zone, { required: [{ step: "freeze", zoneId: 100 }], notAllOf: [] });
    expect(attempt.claim).toBeUndefined();
    expect(attempt.snapshot.entries).toEqual([]);
    expect(transports[0].lines).toHaveLength(1);
    expect(fs.existsSync(path.dirname(stores[0].dir))).toBe(false);
  });

  it("a master of several servers keeps the read apart from the begin (entries are merged from every server)", async () => {
    const { stores, transports } = servers(2);
    const attempt = await new FederationLedger("prod", stores, runA).beginChecked("stop", zone, expectNothing);
    expect(attempt.claim).toBeUndefined();
    expect(transports.map((t) => t.lines.length)).toEqual([1, 1]);
    expect(fs.existsSync(path.join(stores[0].dir, LOCK_FILE))).toBe(false);
  });

  it("refuses an unreadable ledger even when every guard held, and takes back the lock and heartbeat it wrote", async () => {
    const { stores } = servers(1);
    fs.mkdirSync(stores[0].dir, { recursive: true });
    fs.writeFileSync(path.join(stores[0].dir, "stray.json"), "not a record\n");
    await expect(new FederationLedger("prod", stores, runB).beginChecked("stop", zone, expectNothing)).rejects.toBeInstanceOf(LedgerUnreadableError);
    expect(files(stores[0].dir)).toEqual(["stray.json"]);
  });
});
