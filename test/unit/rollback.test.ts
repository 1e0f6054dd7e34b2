/**
 * `onefed rollback` on scripted front-ends (test/support/rollback-machines.ts): the order of a full
 * rollback, the refusals that change nothing (a tampered backup, a single zone of a coordinated
 * upgrade, another run's lock, no terminal), and idempotence (a killed rollback resumes without
 * restoring a zone twice; a finished one changes nothing).
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig } from "../../lib/model/federation";
import { LEDGER_FORMAT, LedgerLock, LedgerSnapshot } from "../../lib/model/ledger";
import { STEP_NAMES } from "../../lib/model/steps";
import { UsageError } from "../../lib/model/errors";
import { files } from "../../lib/remote/opennebula/commands";
import { StepRefusal } from "../../lib/run/step-refusal";
import { LockHeldError } from "../../lib/run/ledger/federation-ledger";
import { rollBack, RollbackOptions, rollbackRun } from "../../lib/run/rollback/run-rollback";
import { rollbackCommand } from "../../lib/cli/rollback-command";
import { safetyBackupRecord } from "../../lib/run/records/safety-backup-record";
import { seedFederation } from "../support/federation-builder";
import { ledgerWith, safetyBackupEntry, safetyBackupRecordOf } from "../support/ledger-entries";
import { MemoryLedger, RollbackWorld } from "../support/rollback-machines";
import { FAKE_DOWNLOAD } from "../support/fake-frontend";
import { safetyBackupRemotePath } from "../../lib/model/paths";

function config(): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rollback-"));
  return seedFederation()
    .with({ backup: { localDirectory: dir } })
    .parse();
}

const SHA = "a".repeat(64);

/** The ledger of a finished upgrade: every step of every zone recorded, each zone's safety backup with SHA. */
function upgradedLedger(c: FederationConfig): LedgerSnapshot {
  return ledgerWith(
    c.zones.flatMap((z) => [
      safetyBackupEntry(c, z, SHA),
      { step: "stop" as const, zoneId: z.id },
      { step: "upgrade" as const, zoneId: z.id },
      { step: "verify" as const, zoneId: z.id },
    ]),
  );
}

function setUp(c = config(), snapshot = upgradedLedger(c)) {
  const world = new RollbackWorld(c, SHA);
  const run = rollbackRun(c);
  const ledger = new MemoryLedger(snapshot, run);
  const asked: string[][] = [];
  const roll = (scope: RollbackOptions["scope"] = { zones: "all" }, answer = true) =>
    rollBack(
      {
        config: c,
        scope,
        log: () => undefined,
        confirm: async (plan) => {
          asked.push([...plan]);
          return answer;
        },
      },
      { machines: world.openers(), ledger, run },
    );
  return { c, world, ledger, roll, asked };
}

describe("onefed rollback --all", () => {
  it("freezes, then rolls back the master before the slaves: stop → restore → old packages → /etc/one → start; then lifts the freeze, master first", async () => {
    const { c, world, ledger, roll, asked } = setUp();
    const report = await roll();
    expect(report.outcome).toBe("rolled-back");
    expect(report.zones.map((z) => z.zone.id)).toEqual([0, 100, 101]);
    expect(asked).toHaveLength(1);
    const [master, s100, s101] = c.zones;
    // Every zone frozen before any stop.
    const firstStop = Math.min(...c.zones.map((z) => world.at(z, /^systemctl stop/)));
    for (const z of c.zones) expect(world.at(z, /^onezone disable/)).toBeLessThan(firstStop);
    for (const z of c.zones) {
      const seq = [
        /^systemctl stop/,
        /^onedb restore -v -f /,
        /apt-get install .*--allow-downgrades .*opennebula=6\.10\.0-1/,
        /^sh -c .*find/,
        /^systemctl start/,
      ].map((re) => world.at(z, re));
      expect(seq.every((i) => i >= 0)).toBe(true);
      expect([...seq].sort((a, b) => a - b)).toEqual(seq);
      expect(world.machines.get(`${z.frontends[0].host}:22`)).toMatchObject({ pkg: "6.10.0", db: "6.10.0", active: true });
    }
    // The master is running again before a slave stops.
    expect(world.at(master, /^systemctl start/)).toBeLessThan(world.at(s100, /^systemctl stop/));
    expect(world.at(s100, /^systemctl start/)).toBeLessThan(world.at(s101, /^systemctl stop/));
    // Unfreeze: the master first, after every zone is back.
    const lastStart = Math.max(...c.zones.map((z) => world.at(z, /^systemctl start/)));
    expect(world.at(master, /^onezone enable/)).toBeGreaterThan(lastStart);
    expect(world.at(master, /^onezone enable/)).toBeLessThan(world.at(s100, /^onezone enable/));
    expect(report.unfrozen).toBe(true);
    // The upgrade is forgotten, the lock released, one event per zone.
    expect(ledger.entries).toEqual([]);
    expect(ledger.lock).toBeUndefined();
    expect(ledger.rollbacks).toEqual([]);
    expect(ledger.events.map((e) => e.what)).toEqual(["rollback", "rollback", "rollback"]);
  });

  it("proves every backup's sha256 before anything stops", async () => {
    const { c, world, roll } = setUp();
    await roll();
    const lastCheck = Math.max(...world.order.map((l, i) => (/sha256sum/.test(l) ? i : -1)));
    const firstChange = world.order.findIndex((l) => /onezone disable|systemctl stop/.test(l));
    expect(lastCheck).toBeLessThan(firstChange);
    expect(c.zones.every((z) => world.at(z, /^sha256sum /) >= 0)).toBe(true);
  });

  it("moves the automation host's safety-backup records aside: a new upgrade takes its own backup", async () => {
    const { c, roll } = setUp();
    for (const z of c.zones) safetyBackupRecord(c, z).write(safetyBackupRecordOf(c, z, SHA));
    await roll();
    for (const z of c.zones) expect(safetyBackupRecord(c, z).exists()).toBe(false);
    const aside = fs.readdirSync(path.join(c.backup.localDirectory, "safety-backups"));
    expect(aside.filter((f) => /^zone-\d+\.json\.rolled-back-/.test(f))).toHaveLength(3);
  });
});

describe("an HA zone (zone 101: 3 servers, the second one leads)", () => {
  const HOSTS = ["192.168.150.3", "192.168.150.31", "192.168.150.32"];
  const haSha = createHash("sha256").update(FAKE_DOWNLOAD).digest("hex");

  it("stops the followers first and the leader last, restores the leader's backup on the leader and then on each follower, keeps each SERVER_ID, starts the leader first", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rollback-ha-"));
    const c = seedFederation()
      .withHa(101, HOSTS)
      .with({ backup: { localDirectory: dir } })
      .parse();
    const world = new RollbackWorld(c, haSha, new Map([[101, 1]]));
    const run = rollbackRun(c);
    const snapshot = ledgerWith(c.zones.flatMap((z) => [safetyBackupEntry(c, z, haSha), { step: "verify" as const, zoneId: z.id }]));
    const ledger = new MemoryLedger(snapshot, run);
    await rollBack({ config: c, scope: { zones: "all" }, log: () => undefined, confirm: async () => true }, { machines: world.openers(), ledger, run });
    const [s0, leader, s2] = HOSTS.map((h) => `${h}:22`);
    const at = (host: string, re: RegExp) => world.order.findIndex((l) => l.startsWith(`${host}: `) && re.test(l.slice(host.length + 2)));
    expect(at(s0, /^systemctl stop/)).toBeLessThan(at(leader, /^systemctl stop/));
    expect(at(s2, /^systemctl stop/)).toBeLessThan(at(leader, /^systemctl stop/));
    const backup = safetyBackupRemotePath(c, c.zones[2]);
    expect(at(leader, new RegExp(`^onedb restore -v -f ${backup}$`))).toBeGreaterThan(at(leader, /^systemctl stop/));
    for (const f of [s0, s2]) {
      expect(at(f, /^onedb restore -v -f .*-leader-full-before-7\.0\.0\.sql$/)).toBeGreaterThan(at(leader, /^onedb restore/));
    }
    // The followers got the leader's file, through the automation host.
    expect(world.transports.get(leader)!.downloads).toEqual([backup]);
    for (const f of [s0, s2]) expect(world.transports.get(f)!.uploads).toHaveLength(1);
    for (const [i, h] of HOSTS.entries())
      expect(world.transports.get(`${h}:22`)!.lines.filter((l) => /^sed -i -E /.test(l))).toEqual([expect.stringContaining(`\\1${i}/`)]);
    expect(at(leader, /^systemctl start/)).toBeLessThan(at(s0, /^systemctl start/));
    expect(at(leader, /^systemctl start/)).toBeLessThan(at(s2, /^systemctl start/));
    for (const h of HOSTS) expect(world.machines.get(`${h}:22`)).toMatchObject({ pkg: "6.10.0", db: "6.10.0", active: true });
  });
});

describe("refusals change nothing", () => {
  it("a tampered backup on zone 101: refused with one paragraph before any zone is frozen or stopped, the lock not taken", async () => {
    const { c, world, ledger, roll, asked } = setUp();
    world.machines.get("192.168.150.3:22")!.sha = "b".repeat(64);
    const err = await roll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepRefusal);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^rollback refused on zone 101 \\(S-US-CA\\): expected the safety backup .* found 192\\.168\\.150\\.3:22: \\S+ has sha256 b{64}, recorded a{64}\\. Nothing was changed`,
      ),
    );
    expect((err as Error).message).not.toMatch(/\n/);
    expect(world.changes()).toEqual([]);
    expect(asked).toEqual([]);
    expect(ledger.claims).toBe(0);
    expect(ledger.entries).toHaveLength(c.zones.length * 4);
  });

  it("a single zone of a type-B federation without the acknowledgement: usage error (exit 2), no machine asked", async () => {
    const { world, roll } = setUp();
    const err = await roll({ zones: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/coordinated \(type B\).*--all.*--accept-shared-tables-mismatch/);
    expect(world.order).toEqual([]);
    for (const t of world.transports.values()) expect(t.lines).toEqual([]);
  });

  it("with --accept-shared-tables-mismatch, only that zone is rolled back; the others keep their upgrade", async () => {
    const { c, world, ledger, roll } = setUp();
    const report = await roll({ zones: 100, acceptSharedTablesMismatch: true });
    expect(report.zones.map((z) => z.zone.id)).toEqual([100]);
    expect(world.machines.get("192.168.150.2:22")!.pkg).toBe("6.10.0");
    expect(world.machines.get("192.168.150.1:22")!.pkg).toBe("7.0.0");
    expect(world.lines(c.zones[0]).filter((l) => /systemctl stop|onedb restore/.test(l))).toEqual([]);
    expect(ledger.entries.some((e) => e.zone_id === 100)).toBe(false);
    expect(ledger.entries.filter((e) => e.zone_id === 0)).toHaveLength(4);
  });

  it("another run holds the federation lock: exit 5, nothing changed", async () => {
    const c = config();
    const snapshot = upgradedLedger(c);
    const lock: LedgerLock = {
      kind: "lock",
      format: LEDGER_FORMAT,
      run_id: "run-other",
      lineage: "l-other",
      holder: "ci@r",
      since: "t",
      step: "upgrade",
      zone_id: 100,
      updated_at: "t",
    };
    const held: LedgerSnapshot = { ...snapshot, lock };
    const { world, roll } = setUp(c, held);
    const err = await roll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).exitCode).toBe(5);
    expect(world.order).toEqual([]);
  });

  it("a zone that stays ENABLED after onezone disable: the freeze refuses, advising the rollback (not a deploy) again; nothing stopped", async () => {
    const { world, roll } = setUp();
    world.ignoresDisable.add(101);
    // The freeze reads STATE again for ZONE_STATE_SETTLE_MS: a driven clock instead of 15 s of waiting.
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate"] });
    let failure: unknown;
    try {
      let settled = false;
      void roll().then(
        () => (settled = true),
        (err: unknown) => ((failure = err), (settled = true)),
      );
      for (let i = 0; i < 200 && !settled; i++) await jest.advanceTimersByTimeAsync(500);
    } finally {
      jest.useRealTimers();
    }
    expect(String(failure)).toMatch(
      /freeze refused on zone 101 \(S-US-CA\).*expected zone 101 to be disabled after onezone disable, but found STATE ENABLED\. .*then run `onefed rollback` again\.$/s,
    );
    expect(world.changes().filter((l) => /systemctl stop|onedb restore|apt-get/.test(l))).toEqual([]);
  });

  it("the operator answers no: nothing changed", async () => {
    const { world, ledger, roll } = setUp();
    const report = await roll({ zones: "all" }, false);
    expect(report.outcome).toBe("cancelled");
    expect(world.changes()).toEqual([]);
    expect(ledger.claims).toBe(0);
  });

  it("without a terminal and without --yes: usage error (exit 2) before the federation file is even read", async () => {
    const isTty = process.stdin.isTTY;
    Object.defineProperty(process.stdin, "isTTY", { value: false, configurable: true });
    try {
      const err = await rollbackCommand.run(["--all", "--config", "/nonexistent/federation.yaml"], () => undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/no terminal to confirm on: give --yes/);
    } finally {
      Object.defineProperty(process.stdin, "isTTY", { value: isTty, configurable: true });
    }
  });

  it("--zone and --all together, or neither: usage error", async () => {
    await expect(rollbackCommand.run(["--yes"], () => undefined)).rejects.toThrow(/exactly one of --zone ID or --all/);
    await expect(rollbackCommand.run(["--yes", "--all", "--zone", "0"], () => undefined)).rejects.toThrow(/exactly one of --zone ID or --all/);
  });
});

describe("idempotent and resumable", () => {
  it("a second rollback after a finished one changes nothing: every zone proven at 6.10.0", async () => {
    const { world, roll } = setUp();
    await roll();
    const before = world.changes().length;
    const again = await roll();
    expect(again.zones.map((z) => z.kind)).toEqual(["not-upgraded", "not-upgraded", "not-upgraded"]);
    expect(world.changes().slice(before)).toEqual([]);
  });

  it("a zone a killed rollback recorded restored is started, never restored again", async () => {
    const c = config();
    const snapshot: LedgerSnapshot = {
      ...upgradedLedger(c),
      rollbacks: [
        {
          kind: "rollback",
          format: LEDGER_FORMAT,
          zone_id: 0,
          run_id: "rollback-old",
          phase: "restored",
          version: "6.10.0",
          updated_at: "t",
          summary: "restored",
        },
      ],
    };
    const { world, roll } = setUp(c, snapshot);
    const m = world.machines.get("192.168.150.1:22")!;
    Object.assign(m, { pkg: "6.10.0", db: "6.10.0", active: false });
    const report = await roll();
    expect(report.zones.map((z) => z.kind)).toEqual(["start", "roll-back", "roll-back"]);
    expect(world.lines(c.zones[0]).filter((l) => /onedb restore|apt-get install/.test(l))).toEqual([]);
    expect(world.at(c.zones[0], /^systemctl start/)).toBeGreaterThanOrEqual(0);
  });

  it("a zone recorded restored that does not run the old version is refused, nothing changed", async () => {
    const c = config();
    const snapshot: LedgerSnapshot = {
      ...upgradedLedger(c),
      rollbacks: [
        {
          kind: "rollback",
          format: LEDGER_FORMAT,
          zone_id: 100,
          run_id: "rollback-old",
          phase: "restored",
          version: "6.10.0",
          updated_at: "t",
          summary: "restored",
        },
      ],
    };
    const { world, roll } = setUp(c, snapshot);
    await expect(roll()).rejects.toThrow(/rollback refused on zone 100 .*as the rollback of t recorded them restored.*7\.0\.0 installed/);
    expect(world.changes()).toEqual([]);
  });

  it("forgets every upgrade step of a rolled-back zone, so the next deploy runs them all", async () => {
    const c = config();
    const all = ledgerWith(c.zones.flatMap((z) => STEP_NAMES.filter((s) => s !== "safety-backup").map((step) => ({ step, zoneId: z.id }))).concat());
    const snapshot: LedgerSnapshot = { ...all, entries: [...all.entries, ...upgradedLedger(c).entries.filter((e) => e.step === "safety-backup")] };
    const { ledger, roll } = setUp(c, snapshot);
    await roll();
    expect(ledger.entries).toEqual([]);
  });
});

describe("hypervisor hosts (zone 100 lists kvm-ge-1 and lxc-ge-2)", () => {
  function withHosts() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rollback-"));
    const c = seedFederation()
      .with({ backup: { localDirectory: dir }, hosts: { manage: true } })
      .withNodes(100, [
        { name: "kvm-ge-1", host: "192.168.150.21" },
        { name: "lxc-ge-2", host: "192.168.150.22", hypervisor: "lxc" },
      ])
      .parse();
    const t = setUp(c);
    t.world.withNodes();
    return t;
  }

  it("takes each host's node package back to 6.10.0 while the zone is down, after the front-end's reinstall and before it starts; libvirtd restarted on KVM only", async () => {
    const { c, world, roll, asked } = withHosts();
    const report = await roll();
    const s100 = c.zones[1];
    expect(asked[0]).toContainEqual(
      expect.stringMatching(/^zone 100 \(S-EU-GE\): .*put \/etc\/one back, node packages of kvm-ge-1, lxc-ge-2 back to 6\.10\.0, start$/),
    );
    expect(world.nodes.get("kvm-ge-1")!.version).toBe("6.10.0");
    expect(world.nodes.get("lxc-ge-2")!.version).toBe("6.10.0");
    const downgrade = world.order.findIndex((l) =>
      /^kvm-ge-1: env DEBIAN_FRONTEND=noninteractive apt-get install .*--allow-downgrades .*opennebula-node-kvm=6\.10\.0-1$/.test(l),
    );
    expect(downgrade).toBeGreaterThan(world.at(s100, /apt-get install .*opennebula=6\.10\.0-1/));
    expect(downgrade).toBeLessThan(world.at(s100, /^systemctl start/));
    expect(world.order.indexOf("kvm-ge-1: systemctl restart libvirtd")).toBeGreaterThan(downgrade);
    expect(world.order.filter((l) => l.startsWith("lxc-ge-2: ") && l.includes("libvirtd"))).toEqual([]);
    // The repository pointed back at the old series first.
    expect(world.order.findIndex((l) => /^kvm-ge-1: sh -c 'printf .*\/6\.10\//.test(l))).toBeLessThan(downgrade);
    expect(report.zones[1].summary).toMatch(/node packages of kvm-ge-1, lxc-ge-2 back at 6\.10\.0/);
  });

  it("leaves a host already at 6.10.0 alone, and one at a third version untouched, saying so", async () => {
    const { world, roll } = withHosts();
    world.nodes.get("kvm-ge-1")!.version = "6.10.0";
    world.nodes.get("lxc-ge-2")!.version = "6.8.2";
    const report = await roll();
    expect(world.order.filter((l) => /^(kvm-ge-1|lxc-ge-2): /.test(l))).toEqual([]);
    expect(report.zones[1].summary).toMatch(/node packages at 6\.10\.0; lxc-ge-2 left at opennebula-node-lxc 6\.8\.2 \(not the upgrade's doing\)/);
  });

  it("a host that cannot be reached is refused before anything stops", async () => {
    const { world, roll } = withHosts();
    world.unreachable.add("lxc-ge-2");
    await expect(roll()).rejects.toThrow(/lxc-ge-2 \(192\.168\.150\.22:22\) cannot be reached/);
    expect(world.changes()).toEqual([]);
  });

  it("a host that does not move refuses with the zone still down; the re-run does not restore the zone again and finishes the hosts", async () => {
    const { c, world, ledger, roll } = withHosts();
    world.stuckNodes.set("kvm-ge-1", 1);
    await expect(roll()).rejects.toThrow(
      /rollback refused on zone 100 \(S-EU-GE\), front-end 192\.168\.150\.21:22: expected opennebula-node-kvm 6\.10\.0 on host kvm-ge-1 after the downgrade, but found 7\.0\.0\..*The zone stays stopped and is not restored again/s,
    );
    expect(world.machines.get("192.168.150.2:22")!.active).toBe(false);
    expect(ledger.rollbacks.find((r) => r.zone_id === 100)?.phase).toBe("restored");
    const restores = world.lines(c.zones[1]).filter((l) => /onedb restore/.test(l)).length;
    const report = await roll();
    expect(report.outcome).toBe("rolled-back");
    expect(world.lines(c.zones[1]).filter((l) => /onedb restore/.test(l)).length).toBe(restores);
    expect(world.nodes.get("kvm-ge-1")!.version).toBe("6.10.0");
    expect(world.machines.get("192.168.150.2:22")!.active).toBe(true);
  });
});

describe("files.restoreTree (the /etc/one put back), run by a real sh", () => {
  it("keeps the upgraded tree aside once, then holds exactly the copy's files; a second run gives the same result", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-tree-"));
    const [copy, dir, aside] = ["one.onefed-6.10.0", "one", "one.onefed-rolled-back-7.0.0"].map((n) => path.join(root, n));
    fs.mkdirSync(path.join(copy, "auth"), { recursive: true });
    fs.writeFileSync(path.join(copy, "oned.conf"), "old\n");
    fs.writeFileSync(path.join(copy, "auth", "ldap.conf"), "ldap\n");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "oned.conf"), "new\n");
    fs.writeFileSync(path.join(dir, "only-in-7.0.conf"), "x\n");
    const run = () => {
      const [cmd, ...args] = files.restoreTree(copy, dir, aside).argv;
      return spawnSync(cmd, args, { encoding: "utf8" });
    };
    for (let i = 0; i < 2; i++) {
      expect(run().status).toBe(0);
      expect(fs.readdirSync(dir).sort()).toEqual(["auth", "oned.conf"]);
      expect(fs.readFileSync(path.join(dir, "oned.conf"), "utf8")).toBe("old\n");
      expect(fs.readFileSync(path.join(dir, "auth", "ldap.conf"), "utf8")).toBe("ldap\n");
      expect(fs.readFileSync(path.join(aside, "oned.conf"), "utf8")).toBe("new\n");
    }
    fs.rmSync(copy, { recursive: true });
    const missing = run();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/is not a directory/);
    expect(fs.readFileSync(path.join(dir, "oned.conf"), "utf8")).toBe("old\n");
  });
});
