/**
 * The safety backup over the ledger (lib/run/steps/safety-backup.ts): `upgrade` changes nothing
 * unless the backup the ledger records is on the front-end with its recorded sha256, and the
 * safety-backup step trusts the ledger's record before the automation host's copy, so a new CI
 * runner loses nothing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../../lib/model/federation";
import { LedgerSnapshot } from "../../lib/model/ledger";
import { safetyBackupRecordPath, safetyBackupRemotePath } from "../../lib/model/paths";
import { StepName } from "../../lib/model/steps";
import { safetyBackupRecord } from "../../lib/run/records/safety-backup-record";
import { StepRefusal } from "../../lib/run/step-refusal";
import { STEPS } from "../../lib/run/steps/catalog";
import { dbVersionText, FakeTransport, fakeStepContext, Rule } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";
import { ledgerWith, safetyBackupEntry, safetyBackupRecordOf } from "../support/ledger-entries";

const SAFETY_SHA = "5".repeat(64);

function configWithArtifacts(): FederationConfig {
  return seedFederation()
    .with({ backup: { localDirectory: fs.mkdtempSync(path.join(os.tmpdir(), "onefed-safety-")) } })
    .parse();
}

function runOn(step: StepName, config: FederationConfig, zone: ZoneConfig, rules: Rule[], ledger: LedgerSnapshot) {
  const transport = new FakeTransport(rules);
  const ctx = fakeStepContext(config, zone, step, (z) => (z.id === zone.id ? transport : new FakeTransport([])), undefined, ledger);
  return { transport, result: STEPS[step].run(ctx) };
}

/** The safety backup on the front-end: present or not, with this sha256. */
const backupOnFrontend = (config: FederationConfig, zone: ZoneConfig, present: boolean, sha256 = SAFETY_SHA): Rule[] => [
  [new RegExp(`^test -e ${safetyBackupRemotePath(config, zone)}$`), { exitCode: present ? 0 : 1 }],
  [new RegExp(`^sha256sum ${safetyBackupRemotePath(config, zone)}$`), { stdout: `${sha256}  ${safetyBackupRemotePath(config, zone)}\n` }],
];

/** Every command that would change the front-end: the upgrade's packages, configuration, schema or services. */
const changes = (lines: readonly string[]) =>
  lines.filter((l) =>
    /^(apt-get|env DEBIAN_FRONTEND=noninteractive apt-get|dnf|yum|cp -a|mkdir|chmod|sh -c|onecfg|onedb (upgrade|fsck|backup|restore)|systemctl (start|stop))/.test(
      l,
    ),
  );

describe("upgrade proves the zone's safety backup first", () => {
  /** The master, stopped at 6.10.0, its DB waiting for the upgrade; every change would be scripted to succeed. */
  const master6 = (): Rule[] => [
    [/^dpkg-query/, { stdout: "6.10.0-1" }],
    [/^onedb version/, { exitCode: 2, stdout: dbVersionText("6.10.0", "6.10.0") }],
    [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
    [/^systemctl is-active /, { exitCode: 3, stdout: "inactive\n" }],
    [/^test -e \/var\/lock\/one\/one$/, { exitCode: 1 }],
    [/^(apt-get|mkdir|chmod|cp -a|sh -c 'printf|onecfg|onedb upgrade|onedb fsck)/, {}],
  ];

  it("refuses, changing nothing, when the ledger records no safety backup of the zone", async () => {
    const config = configWithArtifacts();
    const { transport, result } = runOn("upgrade", config, config.master, [...backupOnFrontend(config, config.master, true), ...master6()], ledgerWith([]));
    await expect(result).rejects.toThrow(StepRefusal);
    await expect(result).rejects.toThrow(
      /^upgrade refused on zone 0 \(M-EU-FR\): expected the zone's pre-upgrade backup on every front-end with the sha256 the ledger recorded \(\/var\/lib\/one\/backups\/onefed\/seed-zone0-full-before-7\.0\.0\.sql\), but found the ledger records no safety backup\. Nothing was changed by this step: without that backup there is no way back\./,
    );
    // A backup file on the front-end proves nothing without the ledger's record of it: not even asked
    // (the stop proof, asked with it, reads only the services and oned's lock file).
    expect(transport.lines.filter((l) => l.includes(safetyBackupRemotePath(config, config.master)))).toEqual([]);
    expect(changes(transport.lines)).toEqual([]);
  });

  it.each([
    [
      "has another sha256",
      true,
      "6".repeat(64),
      `192.168.150.1:22: /var/lib/one/backups/onefed/seed-zone0-full-before-7.0.0.sql has sha256 ${"6".repeat(64)}, recorded ${SAFETY_SHA}`,
    ],
    ["is gone", false, SAFETY_SHA, "192.168.150.1:22: /var/lib/one/backups/onefed/seed-zone0-full-before-7.0.0.sql is gone"],
  ])("refuses, changing nothing, when the recorded backup file %s", async (_case, present, sha256, found) => {
    const config = configWithArtifacts();
    const ledger = ledgerWith([safetyBackupEntry(config, config.master, SAFETY_SHA)]);
    const { transport, result } = runOn("upgrade", config, config.master, [...backupOnFrontend(config, config.master, present, sha256), ...master6()], ledger);
    await expect(result).rejects.toThrow(
      `upgrade refused on zone 0 (M-EU-FR): expected the zone's pre-upgrade backup on every front-end with the sha256 the ledger recorded (/var/lib/one/backups/onefed/seed-zone0-full-before-7.0.0.sql), but found ${found}. Nothing was changed by this step`,
    );
    expect(changes(transport.lines)).toEqual([]);
  });

  it("upgrades once the recorded backup is there with its sha256 (the same script, proven first)", async () => {
    const config = configWithArtifacts();
    const ledger = ledgerWith([safetyBackupEntry(config, config.master, SAFETY_SHA)]);
    let version = "6.10.0";
    let db = "6.10.0";
    const { transport, result } = runOn(
      "upgrade",
      config,
      config.master,
      [
        ...backupOnFrontend(config, config.master, true),
        [/^dpkg-query/, () => ({ stdout: `${version}-1` })],
        [/^onedb version/, () => ({ exitCode: db === "7.0.0" ? 0 : 2, stdout: dbVersionText(db, db) })],
        [/^env DEBIAN_FRONTEND=noninteractive apt-get install /, () => ((version = "7.0.0"), {})],
        [/^onedb upgrade /, () => ((db = "7.0.0"), {})],
        [/^test -e /, { exitCode: 1 }],
        ...master6().slice(2),
      ],
      ledger,
    );
    await expect(result).resolves.toMatchObject({ status: "done", evidence: { installed: "7.0.0", db_shared: "7.0.0", db_local: "7.0.0" } });
    const lines = transport.lines;
    expect(lines.findIndex((l) => l.startsWith("sha256sum "))).toBeGreaterThan(-1);
    expect(lines.findIndex((l) => l.startsWith("sha256sum "))).toBeLessThan(lines.findIndex((l) => changes([l]).length > 0));
  });
});

describe("safety-backup trusts the ledger's record", () => {
  it("recreates the automation host's record from the ledger when its file is missing (a new CI runner), taking no new backup", async () => {
    const config = configWithArtifacts();
    const zone = config.slaves[0];
    const record = safetyBackupRecordOf(config, zone, SAFETY_SHA);
    expect(fs.existsSync(safetyBackupRecordPath(config, zone))).toBe(false);
    const { transport, result } = runOn(
      "safety-backup",
      config,
      zone,
      backupOnFrontend(config, zone, true),
      ledgerWith([safetyBackupEntry(config, zone, SAFETY_SHA)]),
    );
    await expect(result).resolves.toEqual({
      status: "already-done",
      summary: `${safetyBackupRemotePath(config, zone)} present, sha256 ${SAFETY_SHA}`,
      evidence: { record },
    });
    expect(safetyBackupRecord(config, zone).read()).toEqual(record);
    // Proven on the front-end, nothing else: no onedb backup, not even a version probe.
    expect(transport.lines).toEqual([`test -e ${safetyBackupRemotePath(config, zone)}`, `sha256sum ${safetyBackupRemotePath(config, zone)}`]);
  });
});
