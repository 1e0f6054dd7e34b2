/**
 * The records a run resumes from (HA leader, disabled hosts, safety backups): the JSON on disk keeps
 * its field names, a corrupt or foreign file is refused with one paragraph, and a write that fails
 * leaves the previous record whole.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../lib/config/load-config";
import { FederationConfig } from "../../lib/model/federation";
import { safetyBackupRecordPath } from "../../lib/model/paths";
import { disabledHostsRecord } from "../../lib/run/records/disabled-hosts-record";
import { HaRecord, haRecord } from "../../lib/run/records/ha-record";
import { RecordError } from "../../lib/run/records/record-store";
import { SafetyBackupRecord, safetyBackupRecord } from "../../lib/run/records/safety-backup-record";

const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");

function config(): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-records-"));
  return parseConfig(fs.readFileSync(FIXTURE, "utf8") + `backup: { localDirectory: ${dir} }\n`, FIXTURE);
}

const SHA = "a".repeat(64);
const HA: HaRecord = {
  zone_id: 101,
  servers: [
    { frontend: "192.168.150.3:22", server_id: 0 },
    { frontend: "192.168.150.31:22", server_id: 1 },
  ],
  leader: { frontend: "192.168.150.31:22", server_id: 1, term: null, recorded_at: "2026-01-02T03:04:05.000Z" },
  replicated: { db_sha256: SHA, config_sha256: SHA, followers: ["192.168.150.3:22"] },
};

const BACKUP: SafetyBackupRecord = {
  zone_id: 101,
  zone_name: "S-US-CA",
  frontend: "192.168.150.3:22",
  path: "/var/lib/one/backups/seed-zone101-full-before-7.0.0.sql",
  size_bytes: 4096,
  sha256: SHA,
  opennebula_version: "6.10.0",
  taken_at: "2026-01-02T03:04:05.000Z",
  servers: [{ frontend: "192.168.150.3:22", path: "/var/lib/one/backups/seed-zone101-full-before-7.0.0.sql", size_bytes: 4096, sha256: SHA }],
};

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe("record store", () => {
  it("round-trips each record in the JSON layout earlier runs wrote (0600 file in a 0700 folder)", () => {
    const c = config();
    const zone = c.zones[2];
    const ha = haRecord(c, zone);
    const hosts = disabledHostsRecord(c, zone);
    const backup = safetyBackupRecord(c, zone);
    expect([ha, hosts, backup].map((s) => path.relative(c.backup.localDirectory, s.path))).toEqual([
      "ha/zone-101.json",
      "hosts/zone-101.json",
      "safety-backups/zone-101.json",
    ]);
    // The synth's terraform output reads the same file.
    expect(backup.path).toBe(safetyBackupRecordPath(c, zone));
    expect([ha.read(), hosts.read(), backup.read()]).toEqual([undefined, undefined, undefined]);

    ha.write(HA);
    hosts.write({ zone_id: 101, host_ids: [0, 2], disabled_at: "2026-01-02T03:04:05.000Z" });
    backup.write(BACKUP);
    expect(ha.read()).toEqual(HA);
    expect(hosts.read()).toEqual({ zone_id: 101, host_ids: [0, 2], disabled_at: "2026-01-02T03:04:05.000Z" });
    expect(backup.read()).toEqual(BACKUP);
    expect(fs.readFileSync(ha.path, "utf8")).toBe(JSON.stringify(HA, null, 2) + "\n");
    for (const s of [ha, hosts, backup]) {
      expect(mode(s.path)).toBe(0o600);
      expect(mode(path.dirname(s.path))).toBe(0o700);
      expect(fs.readdirSync(path.dirname(s.path))).toEqual(["zone-101.json"]);
    }
  });

  it("reads a record as an earlier onefed wrote it, optional fields absent", () => {
    const c = config();
    const ha = haRecord(c, c.zones[2]);
    fs.mkdirSync(path.dirname(ha.path), { recursive: true });
    fs.writeFileSync(ha.path, '{\n  "zone_id": 101,\n  "servers": [\n    { "frontend": "192.168.150.3:22", "server_id": 0 }\n  ]\n}\n');
    expect(ha.read()).toEqual({ zone_id: 101, servers: [{ frontend: "192.168.150.3:22", server_id: 0 }] });
  });

  it("replaces a longer record with a shorter one exactly", () => {
    const c = config();
    const ha = haRecord(c, c.zones[2]);
    ha.write(HA);
    ha.write({ zone_id: 101, servers: HA.servers });
    expect(ha.read()).toEqual({ zone_id: 101, servers: HA.servers });
  });

  describe("refuses a file it cannot use, naming the file, what it expected, what it found and what to do", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["corrupt JSON", '{ "zone_id": 101, "servers": [', /but found text that is not JSON \(/],
      ["an empty file (a write cut short by an older onefed)", "", /but found an empty file\./],
      ["an array", "[]", /but found a record that does not fit \(expected an object, found an array\)/],
      [
        "a wrong field type",
        '{ "zone_id": 101, "servers": [{ "frontend": "192.168.150.3:22", "server_id": "one" }] }',
        /servers\[0\]\.server_id: expected an integer, found "one"/,
      ],
      ["a missing field", '{ "zone_id": 101, "servers": [], "leader": { "frontend": "x:22", "server_id": 1, "term": 3 } }', /leader\.recorded_at: missing/],
      ["another kind of record", '{ "zone_id": 101, "host_ids": [0], "disabled_at": "2026-01-02T03:04:05.000Z" }', /\(servers: missing\)/],
      ["another zone's record", '{ "zone_id": 100, "servers": [] }', /but found the record of zone 100\./],
    ];
    it.each(cases)("%s", (_what, text, found) => {
      const c = config();
      const ha = haRecord(c, c.zones[2]);
      fs.mkdirSync(path.dirname(ha.path), { recursive: true });
      fs.writeFileSync(ha.path, text);
      let error: unknown;
      try {
        ha.read();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RecordError);
      const message = (error as RecordError).message;
      expect(message).toMatch(found);
      expect(message).toContain(
        `cannot use the HA record ${ha.path}: expected the JSON record onefed writes for zone 101 (S-US-CA), with each front-end's SERVER_ID and the Raft leader`,
      );
      expect(message).toMatch(/Otherwise move the file aside and run the deploy again/);
      expect(message).not.toContain("\n");
      expect((error as RecordError).exitCode).toBe(1);
    });
  });

  it("lists at most five shape problems and counts the rest", () => {
    const c = config();
    const backup = safetyBackupRecord(c, c.zones[2]);
    fs.mkdirSync(path.dirname(backup.path), { recursive: true });
    fs.writeFileSync(backup.path, '{ "zone_id": 101 }');
    expect(() => backup.read()).toThrow(/\(frontend: missing; path: missing; size_bytes: missing; sha256: missing; zone_name: missing; and 2 more\)/);
  });

  describe("a write that fails leaves the previous record whole and no temporary file", () => {
    afterEach(() => jest.restoreAllMocks());

    it("when the disk fails before the data is flushed", () => {
      const c = config();
      const hosts = disabledHostsRecord(c, c.zones[1]);
      const before = { zone_id: 100, host_ids: [1], disabled_at: "2026-01-02T03:04:05.000Z" };
      hosts.write(before);
      // The module itself, not the import's read-only view of it: the store reads fsyncSync from there.
      jest.spyOn(require("fs") as typeof fs, "fsyncSync").mockImplementationOnce(() => {
        throw Object.assign(new Error("ENOSPC: no space left on device, fsync"), { code: "ENOSPC" });
      });
      expect(() => hosts.write({ ...before, host_ids: [1, 2, 3] })).toThrow(RecordError);
      expect(hosts.read()).toEqual(before);
      expect(fs.readdirSync(path.dirname(hosts.path))).toEqual(["zone-100.json"]);
    });

    it("when the record cannot take its place", () => {
      const c = config();
      const hosts = disabledHostsRecord(c, c.zones[1]);
      fs.mkdirSync(hosts.path, { recursive: true });
      expect(() => hosts.write({ zone_id: 100, host_ids: [1], disabled_at: "2026-01-02T03:04:05.000Z" })).toThrow(
        new RegExp(
          `^cannot write the disabled-hosts record of zone 100 \\(S-EU-GE\\) to ${hosts.path}: .*The previous record, if there was one, is unchanged\\.`,
        ),
      );
      expect(fs.readdirSync(path.dirname(hosts.path))).toEqual(["zone-100.json"]);
    });

    const asRoot = process.getuid?.() === 0;
    (asRoot ? it.skip : it)("when the folder is not writable", () => {
      const c = config();
      const hosts = disabledHostsRecord(c, c.zones[1]);
      const before = { zone_id: 100, host_ids: [1], disabled_at: "2026-01-02T03:04:05.000Z" };
      hosts.write(before);
      fs.chmodSync(path.dirname(hosts.path), 0o500);
      try {
        expect(() => hosts.write({ ...before, host_ids: [] })).toThrow(/EACCES/);
      } finally {
        fs.chmodSync(path.dirname(hosts.path), 0o700);
      }
      expect(hosts.read()).toEqual(before);
      expect(fs.readdirSync(path.dirname(hosts.path))).toEqual(["zone-100.json"]);
    });
  });

  it("never writes a record it would refuse to read back", () => {
    const c = config();
    const ha = haRecord(c, c.zones[2]);
    expect(() => ha.write({ ...HA, zone_id: 100 })).toThrow(/malformed HA record for zone 101: zone_id 100/);
    expect(() => ha.write({ ...HA, servers: [{ frontend: "x:22", server_id: undefined as unknown as number }] })).toThrow(/servers\[0\]\.server_id: missing/);
    expect(fs.existsSync(ha.path)).toBe(false);
  });
});
