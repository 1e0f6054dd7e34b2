/**
 * Reconcile puts back what recorded steps left on the automation host: a deploy whose state claims
 * those steps runs none of them, yet a runner that lost its artifact directory needs the
 * safety-backup records again (the terraform outputs, a rollback).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../lib/config/load-config";
import { FederationConfig } from "../../lib/model/federation";
import { restoreLocalCopies } from "../../lib/run/local-copies";
import { safetyBackupRecord } from "../../lib/run/records/safety-backup-record";
import { ledgerWith, safetyBackupEntry, safetyBackupRecordOf } from "../support/ledger-entries";

const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");

function config(): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-local-copies-"));
  return parseConfig(fs.readFileSync(FIXTURE, "utf8") + `backup: { localDirectory: ${dir} }\n`, FIXTURE);
}

/** No machine is reached: restoring local copies only writes files on this host. */
const noMachines = {
  frontend: async () => {
    throw new Error("no machine may be reached");
  },
  node: async () => {
    throw new Error("no machine may be reached");
  },
};

describe("restoreLocalCopies", () => {
  it("writes back every recorded zone's safety-backup record this host lost, reaching no machine", () => {
    const c = config();
    const [master, , ca] = c.zones;
    const ledger = ledgerWith([safetyBackupEntry(c, master, "a".repeat(64)), safetyBackupEntry(c, ca, "b".repeat(64))]);
    restoreLocalCopies(c, ledger, noMachines);
    expect(safetyBackupRecord(c, master).read()).toEqual(safetyBackupRecordOf(c, master, "a".repeat(64)));
    expect(safetyBackupRecord(c, ca).read()).toEqual(safetyBackupRecordOf(c, ca, "b".repeat(64)));
    expect(safetyBackupRecord(c, c.zones[1]).read()).toBeUndefined();
    expect(fs.statSync(safetyBackupRecord(c, ca).path).mode & 0o777).toBe(0o600);
  });

  it("leaves a record that matches the ledger as it is, and does nothing without entries", () => {
    const c = config();
    const zone = c.zones[2];
    const ledger = ledgerWith([safetyBackupEntry(c, zone, "b".repeat(64))]);
    restoreLocalCopies(c, ledger, noMachines);
    const before = fs.statSync(safetyBackupRecord(c, zone).path).mtimeMs;
    restoreLocalCopies(c, ledger, noMachines);
    expect(fs.statSync(safetyBackupRecord(c, zone).path).mtimeMs).toBe(before);
    const empty = config();
    restoreLocalCopies(empty, ledgerWith([]), noMachines);
    expect(fs.readdirSync(empty.backup.localDirectory)).toEqual([]);
  });
});
