/**
 * The duration history (docs/estimates.md): one line per step that really ran (step-end done) of
 * the run that ended, with the zone's shape and database size; ONEFED_HISTORY_FILE and
 * ONEFED_HISTORY_SOURCE override where and who; a history that cannot be written is one warning,
 * never a failed run; the reader skips what it cannot use.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { HISTORY_FILE_ENV, HISTORY_SOURCE_ENV } from "../../lib/model/environment";
import { HistoryLine, zoneShapeOf } from "../../lib/model/duration-history";
import { RunEvent } from "../../lib/model/run-events";
import { appendRunHistory, historyFilePath, historyLinesOf, historySource, parseHistory, readHistory } from "../../lib/terraform/estimates/duration-history";
import { safetyBackupRecord } from "../../lib/run/records/safety-backup-record";
import { seedFederation } from "../support/federation-builder";

const ev = (e: Record<string, unknown>) => ({ v: 1, ts: "2026-11-30T12:40:00.000Z", run: "r1", step: null, zone: null, ...e }) as unknown as RunEvent;

const EVENTS: RunEvent[] = [
  ev({ event: "run-start", command: "deploy", federation: "seed", from_version: "6.10.0", to_version: "7.0.0", run_dir: "/x", stages: [] }),
  ev({ event: "step-start", step: "preflight", zone: 0, zone_name: "M-EU-FR", hosts: [] }),
  ev({ event: "step-end", ts: "2026-11-30T12:40:04.000Z", step: "preflight", zone: 0, status: "done", summary: "ready", duration_ms: 4000 }),
  ev({ event: "step-end", step: "download", zone: 0, status: "already-done", summary: "cached", duration_ms: 300 }),
  ev({ event: "step-fail", step: "restore", zone: 100, message: "no", duration_ms: 900 }),
  ev({ event: "step-end", step: "upgrade", zone: 101, status: "done", summary: "7.0.0", duration_ms: 61_000 }),
  // Another run appending to the same --events file.
  ev({ event: "step-end", run: "r0", step: "upgrade", zone: 100, status: "done", summary: "7.0.0", duration_ms: 1 }),
  ev({ event: "run-end", status: "failed", duration_ms: 70_000, exit_code: 1 }),
];

describe("historyLinesOf", () => {
  const config = seedFederation().parse();
  const shapes = new Map(config.zones.map((z) => [z.id, zoneShapeOf(z)]));

  it("keeps the steps of this run that ended done: not already-done, not failed, not another run's", () => {
    const lines = historyLinesOf(EVENTS, { runId: "r1", source: "deploy", shapes, dbSizes: new Map([[0, 123_456]]) });
    expect(lines).toEqual([
      {
        v: 1,
        ts: "2026-11-30T12:40:04.000Z",
        run: "r1",
        source: "deploy",
        step: "preflight",
        zone: 0,
        zone_shape: { servers: 1, nodes: 0, package_manager: "apt", db_backend: "sqlite" },
        db_size_bytes: 123_456,
        duration_ms: 4000,
      },
      expect.objectContaining({ step: "upgrade", zone: 101, duration_ms: 61_000 }),
    ]);
    expect(lines[1]).not.toHaveProperty("db_size_bytes");
  });

  it("leaves out a zone the federation file no longer has", () => {
    expect(historyLinesOf(EVENTS, { runId: "r1", source: "apply", shapes: new Map([[0, shapes.get(0)!]]) }).map((l) => l.step)).toEqual(["preflight"]);
  });

  it("describes an HA zone with nodes and another package manager by its shape", () => {
    const ha = seedFederation()
      .with({ hosts: { manage: true } })
      .withHa(101, ["10.0.1.1", "10.0.1.2", "10.0.1.3"])
      .withNodes(101, [{ name: "kvm1", host: "10.0.1.10" }])
      .withZone(101, { packages: { manager: "dnf" } })
      .parse();
    expect(zoneShapeOf(ha.zones.find((z) => z.id === 101)!)).toEqual({ servers: 3, nodes: 1, package_manager: "dnf", db_backend: "sqlite" });
  });
});

describe("appendRunHistory", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-history-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeEvents = (events: readonly RunEvent[]) => {
    const file = path.join(dir, "events.jsonl");
    fs.writeFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    return file;
  };

  it("appends to history.jsonl in backup.localDirectory, with the safety backup's size as the database size", () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: path.join(dir, "artifacts") } })
      .parse();
    safetyBackupRecord(config, config.master).write({
      zone_id: 0,
      zone_name: "M-EU-FR",
      frontend: "192.168.150.1:22",
      path: "/var/lib/one/backups/onefed/x.sql",
      size_bytes: 52_428_800,
      sha256: "a".repeat(64),
      opennebula_version: "6.10.0",
      taken_at: "2026-11-30T12:39:00.000Z",
    });
    const run = { runId: "r1", command: "deploy", eventsFile: writeEvents(EVENTS) };
    expect(appendRunHistory(config, run, {})).toEqual({ appended: 2, file: path.join(dir, "artifacts", "history.jsonl") });
    expect(appendRunHistory(config, run, {}).appended).toBe(2);
    const history = readHistory(path.join(dir, "artifacts", "history.jsonl"));
    expect(history.map((l) => [l.step, l.zone, l.db_size_bytes])).toEqual([
      ["preflight", 0, 52_428_800],
      ["upgrade", 101, undefined],
      ["preflight", 0, 52_428_800],
      ["upgrade", 101, undefined],
    ]);
  });

  it("writes where ONEFED_HISTORY_FILE says, with the source ONEFED_HISTORY_SOURCE names", () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: path.join(dir, "artifacts") } })
      .parse();
    const file = path.join(dir, "real", "history.jsonl");
    const env = { [HISTORY_FILE_ENV]: file, [HISTORY_SOURCE_ENV]: "rehearsal" };
    expect(appendRunHistory(config, { runId: "r1", command: "apply", eventsFile: writeEvents(EVENTS) }, env).appended).toBe(2);
    expect(readHistory(file).map((l) => l.source)).toEqual(["rehearsal", "rehearsal"]);
    expect(fs.existsSync(path.join(dir, "artifacts", "history.jsonl"))).toBe(false);
  });

  it("takes the command as the source unless ONEFED_HISTORY_SOURCE names a known one", () => {
    expect(historySource("apply", {})).toBe("apply");
    expect(historySource("deploy", { [HISTORY_SOURCE_ENV]: "bogus" })).toBe("deploy");
    expect(historySource("deploy", { [HISTORY_SOURCE_ENV]: "rehearsal" })).toBe("rehearsal");
    expect(historyFilePath({ backup: { localDirectory: "/srv/a", remoteDirectory: "/r" } }, { [HISTORY_FILE_ENV]: "" })).toBe("/srv/a/history.jsonl");
  });

  it("never throws: an unwritable history or an events pipe is one warning", () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: path.join(dir, "artifacts") } })
      .parse();
    const blocker = path.join(dir, "not-a-dir");
    fs.writeFileSync(blocker, "");
    const r = appendRunHistory(
      config,
      { runId: "r1", command: "deploy", eventsFile: writeEvents(EVENTS) },
      { [HISTORY_FILE_ENV]: path.join(blocker, "h.jsonl") },
    );
    expect(r.appended).toBe(0);
    expect(r.warning).toMatch(/^could not record this run's step durations in .*not-a-dir\/h\.jsonl \(.+\); estimates will not include it$/);
    const fifo = path.join(dir, "events.fifo");
    execFileSync("mkfifo", [fifo]);
    const p = appendRunHistory(config, { runId: "r1", command: "deploy", eventsFile: fifo }, {});
    expect(p.warning).toMatch(/is not a regular file: no durations recorded/);
    const gone = appendRunHistory(config, { runId: "r1", command: "deploy", eventsFile: path.join(dir, "missing.jsonl") }, {});
    expect(gone.warning).toMatch(/could not record/);
  });
});

describe("readHistory", () => {
  it("is empty without a file, and skips torn, foreign and later-format lines", () => {
    expect(readHistory(path.join(os.tmpdir(), "onefed-no-such-history.jsonl"))).toEqual([]);
    const good: HistoryLine = {
      v: 1,
      ts: "2026-11-30T12:40:04.000Z",
      run: "r1",
      source: "deploy",
      step: "stop",
      zone: 0,
      zone_shape: { servers: 1, nodes: 0, package_manager: "apt", db_backend: "sqlite" },
      duration_ms: 1200,
    };
    const text = [JSON.stringify(good), '{"v":2,"step":"stop"}', "not json", JSON.stringify({ ...good, duration_ms: -1 }), '{"v":1,"step":"sto'].join("\n");
    expect(parseHistory(text)).toEqual([good]);
  });
});
