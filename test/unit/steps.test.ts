import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../../lib/model/federation";
import { writeChecksum } from "../../lib/run/artifact";
import { STEPS } from "../../lib/run/steps/catalog";
import { StepRefusal } from "../../lib/run/step-refusal";
import { StepName } from "../../lib/model/steps";
import { dbVersionText, FakeTransport, fakeStepContext, frozenMaster, nearestExisting, Reply, Rule, zoneShowJson } from "../support/fake-frontend";
import { artifactPaths, safetyBackupRemotePath } from "../../lib/model/paths";
import { EMPTY_LEDGER, LedgerSnapshot } from "../../lib/model/ledger";
import { seedFederation } from "../support/federation-builder";
import { backupEntry, ledgerWith, restoreEntry, safetyBackupEntry } from "../support/ledger-entries";

function configWithArtifacts(): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-steps-"));
  return seedFederation()
    .with({ backup: { localDirectory: dir } })
    .parse();
}

/**
 * Runs a step with one scripted front-end per zone: `rules` for the step's zone, `others` for the
 * rest, over `ledger` (what the federation's ledger recorded before the step).
 */
function run(step: StepName, config: FederationConfig, zone: ZoneConfig, rules: Rule[], others: Rule[] = rules, ledger: LedgerSnapshot = EMPTY_LEDGER) {
  const transport = new FakeTransport(rules);
  const fakes = new Map(config.zones.map((z) => [z.id, z.id === zone.id ? transport : new FakeTransport(others)]));
  const ctx = fakeStepContext(config, zone, step, (z) => fakes.get(z.id)!, undefined, ledger);
  return { transport, fakes, result: STEPS[step].run(ctx) };
}

const sha256Of = (text: string) => createHash("sha256").update(text).digest("hex");
/** The sha256 every zone's safety backup has, on the front-end and in the ledger. */
const SAFETY_SHA = "5".repeat(64);

/** The zone's safety backup in place with the sha256 the ledger records (what upgrade and restore prove first). */
const safetyBackupIntact = (config: FederationConfig, zone: ZoneConfig): Rule[] => [
  [new RegExp(`^test -e ${safetyBackupRemotePath(config, zone)}$`), { exitCode: 0 }],
  [new RegExp(`^sha256sum ${safetyBackupRemotePath(config, zone)}$`), { stdout: `${SAFETY_SHA}  ${safetyBackupRemotePath(config, zone)}\n` }],
];

const stopped: Array<[RegExp, Reply]> = [
  [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\nopennebula-flow.service enabled enabled\n" }],
  [/^systemctl is-active/, { exitCode: 3, stdout: "inactive\ninactive\n" }],
  [/^test -e \/var\/lock\/one\/one/, { exitCode: 1 }],
  [/^mkdir /, {}],
  [/^chmod 0600 /, {}],
];

describe("restore safety", () => {
  it("never restores into the master", async () => {
    const config = configWithArtifacts();
    const { transport, result } = run("restore", config, config.master, []);
    await expect(result).rejects.toThrow(/restore refused on zone 0 \(M-EU-FR\).*expected a slave zone, but found the master zone/);
    expect(transport.lines).toEqual([]);
  });

  // The local artifact differs from the ledger's sha256, so it is fetched again from the master;
  // when the master's copy does not match either (or is gone), nothing is uploaded or restored.
  it.each([
    [
      "has another sha256",
      [
        [/^test -e /, { exitCode: 0 }],
        [/^sha256sum /, { stdout: `${"1".repeat(64)}  x\n` }],
      ] as Rule[],
      `sha256 ${"1".repeat(64)}`,
    ],
    ["is gone", [[/^test -e /, { exitCode: 1 }]] as Rule[], "no such file"],
  ])("refuses an artifact whose sha256 does not match the recorded one when the master's copy %s, before uploading", async (_case, master, found) => {
    const config = configWithArtifacts();
    const paths = artifactPaths(config);
    fs.writeFileSync(paths.localPath, "-- tampered\n");
    writeChecksum(paths, sha256Of("-- tampered\n"));
    const ledger = ledgerWith([backupEntry(config, "0".repeat(64)), safetyBackupEntry(config, config.slaves[0], SAFETY_SHA)]);
    const slave = [
      [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
      ...stopped,
      ...safetyBackupIntact(config, config.slaves[0]),
    ] as Rule[];
    const { transport, fakes, result } = run("restore", config, config.slaves[0], slave, master, ledger);
    await expect(result).rejects.toThrow(StepRefusal);
    await expect(result).rejects.toThrow(
      new RegExp(
        `zone 100 \\(S-EU-GE\\), front-end 192\\.168\\.150\\.1:22: expected the federated backup ${paths.remotePath} on the master with the sha256 the ledger recorded \\(0{64}\\), but found ${found}\\. Nothing was changed on this slave`,
      ),
    );
    expect(transport.uploads).toEqual([]);
    expect(transport.lines.some((l) => l.includes("onedb restore"))).toBe(false);
    // Nothing at all ran on the slave, nothing was fetched, and the local copy was left as it was.
    expect(transport.lines).toEqual([]);
    expect(fakes.get(config.master.id)!.downloads).toEqual([]);
    expect(fs.readFileSync(paths.localPath, "utf8")).toBe("-- tampered\n");
  });

  it("fails a restore that printed a parse error, even with exit 0", async () => {
    const config = configWithArtifacts();
    const paths = artifactPaths(config);
    fs.writeFileSync(paths.localPath, "-- good\n");
    const digest = sha256Of("-- good\n");
    writeChecksum(paths, digest);
    const { transport, result } = run(
      "restore",
      config,
      config.slaves[0],
      [
        [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
        ...stopped,
        ...safetyBackupIntact(config, config.slaves[0]),
        [/^sha256sum /, { stdout: `${digest}  ${paths.remotePath}\n` }],
        [/^onedb restore /, { stderr: "Parse error near line 12: incomplete input\n", stdout: "Sqlite database backup restored in /var/lib/one/one.db\n" }],
      ],
      [],
      ledgerWith([backupEntry(config, digest), safetyBackupEntry(config, config.slaves[0], SAFETY_SHA)]),
    );
    await expect(result).rejects.toThrow(/expected a clean restore \(nothing on stderr\).*Parse error near line 12/);
    // A failed restore is not proven by content either: the next run redoes it.
    expect(transport.lines.some((l) => l.startsWith("onedb backup"))).toBe(false);
  });

  // Was "does nothing when the slave already has the new shared version": a half-applied SQLite
  // restore shows that version too, so only the ledger's record of this very artifact, restored and
  // proven by content, makes the step a no-op (restore-step.test.ts redoes it otherwise).
  it("does nothing, on the slave or the master, when the ledger records this artifact restored", async () => {
    const config = configWithArtifacts();
    const paths = artifactPaths(config);
    fs.writeFileSync(paths.localPath, "-- good\n");
    const digest = sha256Of("-- good\n");
    const ledger = ledgerWith([backupEntry(config, digest), safetyBackupEntry(config, config.slaves[1], SAFETY_SHA), restoreEntry(config.slaves[1], digest)]);
    const { transport, fakes, result } = run("restore", config, config.slaves[1], [], [], ledger);
    await expect(result).resolves.toMatchObject({ status: "already-done", evidence: { artifact_sha256: digest } });
    expect(transport.lines).toEqual([]);
    expect(transport.uploads).toEqual([]);
    for (const t of fakes.values()) expect(t.lines).toEqual([]);
  });
});

describe("upgrade safety", () => {
  it("never upgrades a slave before its restore", async () => {
    const config = configWithArtifacts();
    const { transport, result } = run(
      "upgrade",
      config,
      config.slaves[0],
      [
        [/^dpkg-query/, { stdout: "6.10.0-1" }],
        [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
        ...safetyBackupIntact(config, config.slaves[0]),
      ],
      [],
      ledgerWith([safetyBackupEntry(config, config.slaves[0], SAFETY_SHA)]),
    );
    await expect(result).rejects.toThrow(/upgrade refused on zone 100 \(S-EU-GE\).*expected shared DB version 7\.0\.0 .* but found shared DB version 6\.10\.0/);
    expect(transport.lines.some((l) => l.includes("apt-get"))).toBe(false);
  });

  it("asks for the safety backup and the stopped services in one round trip, and refuses for the first that fails in that order", async () => {
    const config = configWithArtifacts();
    const rules = (safetyPresent: boolean): Rule[] => [
      [/^dpkg-query/, { stdout: "6.10.0-1" }],
      [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
      [new RegExp(`^test -e ${safetyBackupRemotePath(config, config.master)}$`), { exitCode: safetyPresent ? 0 : 1 }],
      // oned still holds its lock: the stop proof fails too.
      [/^test -e \/var\/lock\/one\/one/, { exitCode: 0 }],
      ...safetyBackupIntact(config, config.master),
      ...stopped,
    ];
    const ledger = ledgerWith([safetyBackupEntry(config, config.master, SAFETY_SHA)]);
    const both = run("upgrade", config, config.master, rules(false), [], ledger);
    await expect(both.result).rejects.toThrow(/expected the zone's pre-upgrade backup on every front-end/);
    const safety = safetyBackupRemotePath(config, config.master);
    // After the already-done check's versions: the proofs, together.
    expect(both.transport.batches[1]).toEqual(expect.arrayContaining([`test -e ${safety}`, "test -e /var/lock/one/one"]));
    const lockOnly = run("upgrade", config, config.master, rules(true), [], ledger);
    await expect(lockOnly.result).rejects.toThrow(/expected every OpenNebula service stopped and no \/var\/lock\/one\/one, but found lock file/);
    for (const t of [both.transport, lockOnly.transport]) expect(t.lines.some((l) => /^(mkdir|cp|apt-get)/.test(l))).toBe(false);
  });

  it("refuses while oned still holds its lock", async () => {
    const config = configWithArtifacts();
    const { transport, result } = run(
      "upgrade",
      config,
      config.master,
      [
        [/^dpkg-query/, { stdout: "6.10.0-1" }],
        [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
        [/^test -e \/var\/lock\/one\/one/, { exitCode: 0 }],
        ...safetyBackupIntact(config, config.master),
        ...stopped,
      ],
      [],
      ledgerWith([safetyBackupEntry(config, config.master, SAFETY_SHA)]),
    );
    await expect(result).rejects.toThrow(/expected every OpenNebula service stopped and no \/var\/lock\/one\/one, but found lock file/);
    expect(transport.lines.some((l) => l.includes("apt-get"))).toBe(false);
  });

  it("switches the repository with the zone's own command, {series} substituted, instead of writing the file", async () => {
    const config = seedFederation()
      .withZone(0, { packages: { manager: "dnf", repositoryCommand: ["/usr/local/sbin/one-repo", "--series={series}"] } })
      .with({ backup: { localDirectory: fs.mkdtempSync(path.join(os.tmpdir(), "onefed-steps-")) } })
      .parse();
    let version = "6.10.0";
    let db = "6.10.0";
    const { transport, result } = run(
      "upgrade",
      config,
      config.master,
      [
        ...safetyBackupIntact(config, config.master),
        [/^rpm -q --qf '%\{VERSION\}' opennebula$/, () => ({ stdout: version })],
        [/^onedb version/, () => ({ stdout: dbVersionText(db, db), exitCode: db === "7.0.0" ? 0 : 2 })],
        ...stopped,
        [/^cp -a /, {}],
        [/^test -e /, { exitCode: 1 }],
        [/^\/usr\/local\/sbin\/one-repo --series=7\.0$/, {}],
        [/^dnf -q makecache$/, {}],
        [
          /^dnf -y -q upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration python3-pyone opennebula-guacd$/,
          () => ((version = "7.0.0"), {}),
        ],
        [/^onecfg upgrade$/, {}],
        [/^onedb upgrade /, () => ((db = "7.0.0"), {})],
        [/^onedb fsck /, {}],
      ],
      [],
      ledgerWith([safetyBackupEntry(config, config.master, SAFETY_SHA)]),
    );
    await expect(result).resolves.toMatchObject({ status: "done" });
    expect(transport.lines.some((l) => l.includes("/etc/yum.repos.d") || l.includes("printf"))).toBe(false);
  });

  it("is a no-op when the zone already runs the target", async () => {
    const config = configWithArtifacts();
    const { transport, result } = run("upgrade", config, config.master, [
      [/^dpkg-query/, { stdout: "7.0.0-1" }],
      [/^onedb version/, { stdout: dbVersionText("7.0.0", "7.0.0") }],
    ]);
    await expect(result).resolves.toMatchObject({ status: "already-done" });
    expect(transport.lines).toHaveLength(2);
  });
});

describe("preflight", () => {
  /** A healthy 6.10 front-end, with the given overrides first. */
  const healthy = (config: FederationConfig, csv?: string): Rule[] => [
    [/^dpkg-query/, { stdout: "6.10.0-1" }],
    [/^onedb version/, { stdout: dbVersionText("6.10.0", "6.10.0", "6.10.0") }],
    [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
    [/^systemctl is-active/, { stdout: "active\n" }],
    nearestExisting(),
    [/^test -e /, { exitCode: 0 }],
    [/^awk /, { stdout: "BACKEND=sqlite\n" }],
    [/^df -P -B1 /, { stdout: "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda 270553174016 19664171008 78129123328 21% /\n" }],
    [/^onezone show (\d+) -j/, { stdout: '{"ZONE":{"ID":"0","NAME":"x","STATE":"0","TEMPLATE":{"ENDPOINT":"e"},"SERVER_POOL":{}}}' }],
    [
      /^onezone list --csv/,
      { stdout: csv ?? "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" + config.zones.map((z) => `"",${z.id},${z.name},${z.endpoint},5,on`).join("\n") },
    ],
  ];

  it("refuses a front-end at another version than declared, naming it", async () => {
    const config = configWithArtifacts();
    const { result } = run("preflight", config, config.slaves[1], [[/^dpkg-query/, { stdout: "6.8.1-1" }], ...healthy(config)], healthy(config));
    await expect(result).rejects.toThrow(
      /\[version-as-declared\] zone 101 \(S-US-CA\), front-end 192\.168\.150\.3:22: expected OpenNebula 6\.10\.0 \(federation\.fromVersion\), found 6\.8\.1/,
    );
  });

  it("refuses when the master knows a zone the file lacks, and runs nothing that changes a zone", async () => {
    const config = configWithArtifacts();
    const csv =
      "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" +
      [...config.zones.map((z) => `"",${z.id},${z.name},${z.endpoint},5,on`), '"",102,S-XX,http://192.168.150.4:2633/RPC2,5,on'].join("\n");
    const { result, transport } = run("preflight", config, config.master, healthy(config, csv), healthy(config));
    await expect(result).rejects.toThrow(/the master knows zone 102 \(S-XX\)/);
    expect(transport.lines.filter((l) => /^(systemctl (stop|start)|onezone (enable|disable)|onedb (upgrade|restore|backup)|apt-get)/.test(l))).toEqual([]);
  });

  it("passes a healthy federation", async () => {
    const config = configWithArtifacts();
    const { result } = run("preflight", config, config.master, healthy(config), healthy(config));
    await expect(result).resolves.toMatchObject({ status: "done" });
  });
});

describe("sync", () => {
  it("names the unreachable zone", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 0 } })
      .parse();
    const csv = fs.readFileSync(path.resolve(__dirname, "../fixtures/opennebula/onezone/c-unreachable/list_--csv.out"), "utf8");
    const { result } = run("sync", config, config.master, [...frozenMaster(config), [/^onezone list --csv/, { stdout: csv }]]);
    await expect(result).rejects.toThrow(/no answer from zone 100 \(S-EU-GE\) \(0=715438, 100=-, 101=715438\)/);
  });

  /** `onezone list --csv` as the master prints it, with these FED_INDEX cells for zones 0, 100, 101. */
  const listCsv = (config: FederationConfig, cells: string[]) =>
    "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" +
    config.zones.map((z, i) => `${i === 0 ? "*" : '""'},${z.id},${z.name},${z.endpoint},${cells[i]},on`).join("\n") +
    "\n";

  it("refuses a zone with no federated record yet (real 6.10: 18446744073709551615), saying what it means and what to do", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 0 } })
      .parse();
    const csv = listCsv(config, ["715438", "18446744073709551615", "715438"]);
    const { result } = run("sync", config, config.master, [...frozenMaster(config), [/^onezone list --csv/, { stdout: csv }]]);
    await expect(result).rejects.toThrow(
      "sync refused on zone 0 (M-EU-FR), front-end 192.168.150.1:22: expected a FED_INDEX for every zone in the master's onezone list, " +
        "but found FED_INDEX 18446744073709551615 (no federated record yet) on zone 100 (S-EU-GE) (0=715438, 100=18446744073709551615, 101=715438). " +
        "A zone that never received a federated record (a freshly added slave, say) cannot be proven in sync: check that it is a member of the federation",
    );
  });

  it("never counts zones in sync that all lack a federated record, nor an unreachable and a standalone zone", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 0 } })
      .parse();
    const none = run("sync", config, config.master, [
      ...frozenMaster(config),
      [/^onezone list --csv/, { stdout: listCsv(config, Array(3).fill("18446744073709551615")) }],
    ]);
    await expect(none.result).rejects.toThrow(
      /found FED_INDEX 18446744073709551615 \(no federated record yet\) on zone 0 \(M-EU-FR\), zone 100 \(S-EU-GE\), zone 101 \(S-US-CA\) \(/,
    );
    const mixed = run("sync", config, config.master, [...frozenMaster(config), [/^onezone list --csv/, { stdout: listCsv(config, ["715438", "-", "-1"]) }]]);
    await expect(mixed.result).rejects.toThrow(
      /found no answer from zone 100 \(S-EU-GE\); FED_INDEX -1 \(oned runs standalone\) on zone 101 \(S-US-CA\) \(0=715438, 100=-, 101=-1\)\. Make those zones answer the master \(oned running and answering within 5 s, network, their ENDPOINT ending in \/RPC2, the master's oneadmin credential accepted there\)\. A zone at FED_INDEX -1 runs without federation/,
    );
  });

  it("verify on the master names a zone without a federated record, with what to check", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 0 } })
      .parse();
    const { result } = run("verify", config, config.master, [
      [/^dpkg-query/, { stdout: "7.0.0-1" }],
      [/^onedb version/, { stdout: dbVersionText("7.0.0", "7.0.0", "7.0.0") }],
      [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
      [/^systemctl is-active/, { stdout: "active\n" }],
      [/^onezone show 0 -j$/, { stdout: zoneShowJson(config.master, true) }],
      [/^onezone list --csv/, { stdout: listCsv(config, ["715438", "715438", "18446744073709551615"]) }],
    ]);
    await expect(result).rejects.toThrow(
      /found federation: FED_INDEX 18446744073709551615 \(no federated record yet\) on zone 101 \(S-US-CA\) \(0=715438, 100=715438, 101=18446744073709551615\)\. A zone that never received a federated record .*Fix what is listed/,
    );
  });

  it("waits for a slave's first federated record, then proves it in sync", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 10 } })
      .parse();
    const reads = [["715438", "18446744073709551615", "715438"]];
    const { result, transport } = run("sync", config, config.master, [
      ...frozenMaster(config),
      [/^onezone list --csv/, () => ({ stdout: listCsv(config, reads.shift() ?? ["715438", "715438", "715438"]) })],
    ]);
    await expect(result).resolves.toMatchObject({ status: "done", summary: "every zone at FED_INDEX 715438" });
    expect(transport.lines.filter((l) => l.startsWith("onezone list --csv"))).toHaveLength(3);
  });
});
