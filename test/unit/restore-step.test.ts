/**
 * The federated restore over the ledger (lib/run/steps/federated-restore.ts): done only when the
 * ledger records this very artifact restored and proven by content, otherwise redone (a SQLite dump
 * restores db_versioning before logdb, so a restore cut short already reports the new shared
 * version); proven by the slave's own federated export; and a lost or corrupt local artifact
 * fetched again from the master, proven by the ledger's sha256.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig } from "../../lib/model/federation";
import { LedgerSnapshot } from "../../lib/model/ledger";
import { artifactPaths, safetyBackupRemotePath } from "../../lib/model/paths";
import { dumpDigest } from "../../lib/remote/opennebula/dump-digest";
import { recordedChecksum, writeChecksum } from "../../lib/run/artifact";
import { STEPS } from "../../lib/run/steps/catalog";
import { dbVersionText, FakeTransport, fakeStepContext, Rule } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";
import { backupEntry, EntryInput, ledgerWith, restoreEntry, safetyBackupEntry } from "../support/ledger-entries";

/** The master's federated backup, as a SQLite dump prints it: stamps first, then the statements. */
const ARTIFACT = [
  "-- onedb backup --federated 2026-11-30 10:00:00",
  "PRAGMA foreign_keys=OFF;",
  "BEGIN TRANSACTION;",
  "CREATE TABLE logdb (log_index BIGINT UNSIGNED PRIMARY KEY, term INTEGER, sqlcmd MEDIUMTEXT, timestamp INTEGER, fed_index BIGINT UNSIGNED, applied BOOLEAN);",
  "INSERT INTO logdb VALUES(715438,3,'eJzLSM3JyQcABiwCFQ==',1764496800,715438,1);",
  "CREATE TABLE db_versioning (oid INTEGER PRIMARY KEY, version VARCHAR(256), timestamp INTEGER, comment VARCHAR(256), is_slave BOOLEAN, local BOOLEAN);",
  "INSERT INTO db_versioning VALUES(1,'7.0.0',1764496800,'onedb upgrade',0,0);",
  "COMMIT;",
  "",
].join("\n");
const sha256Of = (text: string) => createHash("sha256").update(text).digest("hex");
const ARTIFACT_SHA = sha256Of(ARTIFACT);
const SAFETY_SHA = "5".repeat(64);

function configWithArtifacts(): FederationConfig {
  return seedFederation()
    .with({ backup: { localDirectory: fs.mkdtempSync(path.join(os.tmpdir(), "onefed-restore-")) } })
    .parse();
}

/** The artifact on the automation host, with the sha256 file the backup step writes beside it. */
function artifactOnThisHost(config: FederationConfig, content = ARTIFACT): void {
  const paths = artifactPaths(config);
  fs.writeFileSync(paths.localPath, content);
  writeChecksum(paths, sha256Of(content));
}

/**
 * Slave 100, stopped, whose DB already reports the new shared version (so a version check would
 * call it restored), and whose own federated export after the restore has `exportDigest`.
 */
function stoppedSlave(config: FederationConfig, exportDigest = dumpDigest(ARTIFACT)): Rule[] {
  const zone = config.slaves[0];
  const safety = safetyBackupRemotePath(config, zone);
  const check = /^\S+\/seed-zone100-restored-federated-check\.sql$/;
  return [
    [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\nopennebula-flow.service enabled enabled\n" }],
    [/^systemctl is-active /, { exitCode: 3, stdout: "inactive\ninactive\n" }],
    [/^test -e \/var\/lock\/one\/one$/, { exitCode: 1 }],
    [new RegExp(`^test -e ${safety}$`), { exitCode: 0 }],
    [new RegExp(`^sha256sum ${safety}$`), { stdout: `${SAFETY_SHA}  ${safety}\n` }],
    [/^mkdir -p -m 0700 /, {}],
    [/^chmod 0600 /, {}],
    [new RegExp(`^sha256sum ${artifactPaths(config).remotePath}$`), { stdout: `${ARTIFACT_SHA}  ${artifactPaths(config).remotePath}\n` }],
    [/^onedb restore \S+ -v --federated$/, { stdout: "Sqlite database backup restored in /var/lib/one/one.db\n" }],
    [/^onedb version/, { exitCode: 3, stdout: dbVersionText("7.0.0", "6.10.0", "6.10.0") }],
    [new RegExp(`^onedb backup -v --federated -f ${check.source.slice(1)}`), {}],
    [new RegExp(`^sh -c .*\\| sha256sum' sh ${check.source.slice(1)}`), { stdout: `${exportDigest}  -\n` }],
    [new RegExp(`^rm -f ${check.source.slice(1)}`), {}],
  ];
}

/** The master holds the artifact with `sha256` (what the backup step left there); a download gives `content`. */
function masterWith(config: FederationConfig, sha256: string, content = ARTIFACT): FakeTransport {
  const remote = artifactPaths(config).remotePath;
  return new FakeTransport(
    [
      [new RegExp(`^test -e ${remote}$`), { exitCode: 0 }],
      [new RegExp(`^sha256sum ${remote}$`), { stdout: `${sha256}  ${remote}\n` }],
    ],
    content,
  );
}

/** What a slave's restore may rely on: the master's backup and the slave's safety backup, recorded. */
const recorded = (config: FederationConfig, ...more: EntryInput[]) =>
  ledgerWith([backupEntry(config, ARTIFACT_SHA), safetyBackupEntry(config, config.slaves[0], SAFETY_SHA), ...more]);

function restore(config: FederationConfig, ledger: LedgerSnapshot, slaveRules: Rule[], master = new FakeTransport([])) {
  const zone = config.slaves[0];
  const onSlave = new FakeTransport(slaveRules);
  const others = new FakeTransport([]);
  const ctx = fakeStepContext(config, zone, "restore", (z) => (z.id === zone.id ? onSlave : z.id === config.master.id ? master : others), undefined, ledger);
  return { slave: onSlave, master, others, result: STEPS.restore.run(ctx) };
}

const at = (lines: readonly string[], re: RegExp) => lines.findIndex((l) => re.test(l));
const packageOrSchemaChanges = (lines: readonly string[]) =>
  lines.filter((l) => /^(apt-get|dnf|yum|onecfg|onedb upgrade|onedb fsck|systemctl (start|stop))/.test(l));

describe("restore is done only when the ledger proves it", () => {
  it.each([
    ["no restore entry", [] as EntryInput[]],
    ["a restore entry for another artifact", [restoreEntry(seedFederation().parse().slaves[0], "9".repeat(64))]],
  ])(
    "redoes the restore when the ledger has %s, although onedb version already reports the new shared version (a half-applied SQLite restore)",
    async (_case, entries) => {
      const config = configWithArtifacts();
      artifactOnThisHost(config);
      const { slave, master, result } = restore(config, recorded(config, ...entries), stoppedSlave(config));
      await expect(result).resolves.toEqual({
        status: "done",
        summary: expect.stringMatching(/^shared DB 7\.0\.0 restored from sha256 [0-9a-f]{12}…, every federated table and log entry proven$/),
        evidence: { artifact_sha256: ARTIFACT_SHA, content_digest: dumpDigest(ARTIFACT), shared_version: "7.0.0" },
      });
      const lines = slave.lines;
      expect(slave.uploads).toEqual([artifactPaths(config).remotePath]);
      expect(lines.filter((l) => l.startsWith("onedb restore"))).toEqual([`onedb restore ${artifactPaths(config).remotePath} -v --federated`]);
      // Proven by content after the restore: the slave's own export, its digest, and the check file removed.
      const restored = at(lines, /^onedb restore /);
      expect(at(lines, /^sha256sum \S+full-before/)).toBeLessThan(restored);
      expect(at(lines, /^onedb backup -v --federated -f /)).toBeGreaterThan(restored);
      expect(at(lines, /^sh -c .*sha256sum/)).toBeGreaterThan(at(lines, /^onedb backup -v --federated -f /));
      expect(lines[lines.length - 1]).toMatch(/^rm -f \S+seed-zone100-restored-federated-check\.sql$/);
      expect(packageOrSchemaChanges(lines)).toEqual([]);
      // The local artifact was good: the master was not asked.
      expect(master.lines).toEqual([]);
    },
  );

  it("refuses a restore whose federated export differs from the artifact (a table or log entry missing), after removing the check file", async () => {
    const config = configWithArtifacts();
    artifactOnThisHost(config);
    const { slave, result } = restore(config, recorded(config), stoppedSlave(config, "e".repeat(64)));
    await expect(result).rejects.toThrow(
      new RegExp(
        `^restore refused on zone 100 \\(S-EU-GE\\), front-end 192\\.168\\.150\\.2:22: expected the slave's federated tables to hold exactly the artifact's content \\(statement digest ${dumpDigest(ARTIFACT)}\\), ` +
          `but found digest e{64} in its own federated export: a table or log entry is missing or differs\\. The restore is incomplete; the zone's packages were not touched\\.`,
      ),
    );
    // The refusal comes after the restore (the proof needs it), and nothing ran after the check file was removed.
    const lines = slave.lines;
    expect(at(lines, /^onedb restore /)).toBeGreaterThan(-1);
    expect(lines[lines.length - 1]).toMatch(/^rm -f \S+seed-zone100-restored-federated-check\.sql$/);
    expect(packageOrSchemaChanges(lines)).toEqual([]);
  });
});

describe("restore's proofs before it touches the slave", () => {
  it("asks for the safety backup and the stopped services in one round trip", async () => {
    const config = configWithArtifacts();
    artifactOnThisHost(config);
    const { slave, result } = restore(config, recorded(config), stoppedSlave(config));
    await expect(result).resolves.toMatchObject({ status: "done" });
    const safety = safetyBackupRemotePath(config, config.slaves[0]);
    expect(slave.batches[0]).toEqual(expect.arrayContaining([`test -e ${safety}`, `sha256sum ${safety}`, "test -e /var/lock/one/one"]));
  });

  it("refuses for the safety backup first when both proofs fail, as it did with one after the other; nothing is uploaded", async () => {
    const config = configWithArtifacts();
    artifactOnThisHost(config);
    const safety = safetyBackupRemotePath(config, config.slaves[0]);
    const running: Rule[] = [
      [new RegExp(`^test -e ${safety}$`), { exitCode: 1 }],
      [/^systemctl is-active /, { exitCode: 0, stdout: "active\nactive\n" }],
      ...stoppedSlave(config),
    ];
    const { slave, result } = restore(config, recorded(config), running);
    await expect(result).rejects.toThrow(/expected the zone's pre-upgrade backup on every front-end/);
    expect(slave.uploads).toEqual([]);
    expect(slave.lines.some((l) => l.startsWith("onedb restore"))).toBe(false);
  });
});

describe("restore fetches a lost artifact again from the master", () => {
  it.each([
    ["missing (a new CI runner)", (_config: FederationConfig) => undefined],
    [
      "corrupt (its sha256 file still says the good one)",
      (config: FederationConfig) => {
        const paths = artifactPaths(config);
        fs.writeFileSync(paths.localPath, ARTIFACT.replace("715438", "715437"));
        writeChecksum(paths, ARTIFACT_SHA);
      },
    ],
  ])("re-fetches a %s local artifact from the master, proven by the ledger's sha256, then restores it", async (_case, prepare) => {
    const config = configWithArtifacts();
    prepare(config);
    const paths = artifactPaths(config);
    const { slave, master, result } = restore(config, recorded(config), stoppedSlave(config), masterWith(config, ARTIFACT_SHA));
    await expect(result).resolves.toMatchObject({ status: "done", evidence: { artifact_sha256: ARTIFACT_SHA, content_digest: dumpDigest(ARTIFACT) } });
    expect(master.downloads).toEqual([paths.remotePath]);
    expect(master.lines.filter((l) => l.startsWith("sha256sum "))).not.toEqual([]);
    expect(fs.readFileSync(paths.localPath, "utf8")).toBe(ARTIFACT);
    expect(recordedChecksum(paths)).toBe(ARTIFACT_SHA);
    expect(fs.statSync(paths.localPath).mode & 0o777).toBe(0o600);
    expect(slave.uploads).toEqual([paths.remotePath]);
    expect(slave.lines.filter((l) => l.startsWith("onedb restore"))).toHaveLength(1);
  });

  it("refuses a re-fetched copy that does not match the master's sha256, before anything reaches the slave", async () => {
    const config = configWithArtifacts();
    const paths = artifactPaths(config);
    // The master's file has the recorded sha256, but the transfer delivers other bytes.
    const { slave, master, result } = restore(config, recorded(config), stoppedSlave(config), masterWith(config, ARTIFACT_SHA, "-- truncated\n"));
    await expect(result).rejects.toThrow(
      /restore refused on zone 100 \(S-EU-GE\), front-end 192\.168\.150\.1:22: expected the fetched copy of \S+ to have sha256 [0-9a-f]{64}, but found sha256 [0-9a-f]{64}/,
    );
    expect(master.downloads).toEqual([paths.remotePath]);
    expect(fs.existsSync(paths.localPath)).toBe(false);
    expect(slave.lines).toEqual([]);
    expect(slave.uploads).toEqual([]);
  });
});
