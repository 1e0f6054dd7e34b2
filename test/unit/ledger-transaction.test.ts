/**
 * One ledger transaction per round trip (docs/round-trips.md): the script run by the local sh as a
 * master server would, and the step's begin / finish on FederationLedger built on it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZoneConfig } from "../../lib/model/federation";
import { entryFile, LEDGER_FORMAT, LedgerLock, LOCK_FILE, RunIdentity, serializeRecord } from "../../lib/model/ledger";
import { ledgerFiles } from "../../lib/remote/opennebula/ledger-files";
import { RemoteLedgerStore } from "../../lib/remote/opennebula/ledger-store";
import { RemoteMachine } from "../../lib/remote/opennebula/remote-machine";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { FederationLedger, LockHeldError } from "../../lib/run/ledger/federation-ledger";
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
    const lock: LedgerLock = {
      kind: "lock",
      format: LEDGER_FORMAT,
      run_id: "run-a",
      lineage: "lineage-1",
      holder: "ci@runner-1",
      since: "2026-01-01T00:00:00Z",
      step: "freeze",
      zone_id: 0,
      updated_at: "2026-01-01T00:00:00Z",
    };
    await stores[0].write(LOCK_FILE, lock);
    await expect(ledger.begin("stop", zone, stale)).rejects.toBeInstanceOf(LockHeldError);
    expect(fs.readdirSync(stores[0].dir)).toEqual([LOCK_FILE]);
    await expect(ledger.begin("stop", zone)).rejects.toBeInstanceOf(LockHeldError);
  });
});
