/**
 * HA (Raft) zones with scripted front-ends: the leader is found from `onezone show -j` and stopped
 * last, two leaders stop everything, and the replicate step hands the leader's DB and
 * configuration to the followers while each keeps its own SERVER_ID.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig, ZoneConfig } from "../../lib/model/federation";
import { STEPS } from "../../lib/run/steps/catalog";
import { haRecord } from "../../lib/run/records/ha-record";
import { StepName } from "../../lib/model/steps";
import { dbVersionText, FakeTransport, fakeStepContext, FAKE_DOWNLOAD, frozenMaster, Reply } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";
import { ledgerWith, safetyBackupEntry } from "../support/ledger-entries";
import { EMPTY_LEDGER, LedgerSnapshot } from "../../lib/model/ledger";
import { safetyBackupRemotePath } from "../../lib/model/paths";

const HOSTS = ["192.168.150.3", "192.168.150.31", "192.168.150.32"];

function haConfig(): FederationConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-ha-"));
  return seedFederation()
    .withHa(101, HOSTS)
    .with({ backup: { localDirectory: dir } })
    .parse();
}

const onedConf = (serverId: number) =>
  `FEDERATION = [\n    MODE          = "SLAVE",\n    ZONE_ID       = 101,\n    SERVER_ID     = ${serverId},\n    MASTER_ONED   = "http://192.168.150.1:2633/RPC2"\n]\n`;

/** `onezone show 101 -j` with the given Raft STATE per server id ("-" = error). */
const zoneShow = (states: string[], commits: string[] = states.map(() => "1524")) =>
  JSON.stringify({
    ZONE: {
      ID: "101",
      NAME: "S-US-CA",
      STATE: "0",
      TEMPLATE: { ENDPOINT: "http://192.168.150.30:2633/RPC2" },
      SERVER_POOL: {
        SERVER: states.map((s, i) => ({
          ENDPOINT: `http://${HOSTS[i]}:2633/RPC2`,
          ID: String(i),
          NAME: `server-${i}`,
          STATE: s,
          TERM: "3",
          VOTEDFOR: "0",
          COMMIT: commits[i],
          LOG_INDEX: commits[i],
          FEDLOG_INDEX: "715438",
        })),
      },
    },
  });

const units = [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }] as [RegExp, Reply];

/** Runs a step on zone 101 with `scripts(i)` for its server i; the master runs, frozen (what stop proves first). */
function runOn(
  step: StepName,
  config: FederationConfig,
  scripts: (i: number) => Array<[RegExp, Reply | ((l: string) => Reply)]>,
  ledger: LedgerSnapshot = EMPTY_LEDGER,
) {
  const zone = config.zones.find((z) => z.id === 101)!;
  const transports = zone.frontends.map((_, i) => new FakeTransport(scripts(i)));
  const master = new FakeTransport(frozenMaster(config));
  const ctx = fakeStepContext(
    config,
    zone,
    step,
    (z: ZoneConfig, i) => (z.id === 101 ? transports[i] : z.id === config.master.id ? master : new FakeTransport([])),
    undefined,
    ledger,
  );
  return { zone, transports, master, result: STEPS[step].run(ctx) };
}

describe("HA stop", () => {
  it("records the leader, then stops the followers first and the leader last", async () => {
    const config = haConfig();
    const order: string[] = [];
    // server-1 leads; everyone runs until its own stop.
    const { zone, transports, master, result } = runOn("stop", config, (i) => {
      let running = true;
      return [
        [/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i) }],
        [/^onezone show 101 -j/, { stdout: zoneShow(["2", "3", "2"]) }],
        units,
        [/^systemctl is-active/, () => ({ exitCode: running ? 0 : 3, stdout: running ? "active\n" : "inactive\n" })],
        [/^test -e \/var\/lock\/one\/one/, () => ({ exitCode: running ? 0 : 1 })],
        [/^systemctl stop/, () => ((running = false), order.push(HOSTS[i]), {})],
      ];
    });
    await expect(result).resolves.toMatchObject({
      status: "done",
      summary: expect.stringMatching(/follower .*, then follower .*, then leader 192\.168\.150\.31:22/),
    });
    expect(order).toEqual([HOSTS[0], HOSTS[2], HOSTS[1]]);
    // The freeze was proven on the running master first: every zone DISABLED in its zone pool.
    expect(master.lines).toEqual(["systemctl is-active opennebula", "onezone list -j"]);
    const record = haRecord(config, zone).read()!;
    expect(record.leader).toMatchObject({ frontend: "192.168.150.31:22", server_id: 1 });
    expect(record.servers.map((s) => s.server_id)).toEqual([0, 1, 2]);
    expect(transports[1].lines.filter((l) => l.startsWith("systemctl stop"))).toHaveLength(1);
  });

  it("resumes a stop cut short after the followers: Raft has no leader any more, the recorded one is stopped", async () => {
    const config = haConfig();
    const script = (i: number, running: () => boolean, states: string[]) =>
      [
        [/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i) }],
        [
          /^onezone show 101 -j/,
          () =>
            running() ? { stdout: zoneShow(states) } : { exitCode: 255, stderr: "Failed to open TCP connection to localhost:2633 (Connection refused)\n" },
        ],
        units,
        [/^systemctl is-active/, () => ({ exitCode: running() ? 0 : 3, stdout: running() ? "active\n" : "inactive\n" })],
        [/^test -e \/var\/lock\/one\/one/, () => ({ exitCode: running() ? 0 : 1 })],
      ] as Array<[RegExp, Reply | ((l: string) => Reply)]>;
    // First run: server-2 leads; its followers stop, then the run dies before the leader's stop.
    const up = [true, true, true];
    const first = runOn("stop", config, (i) => [
      ...script(i, () => up[i], ["2", "2", "3"]),
      [/^systemctl stop/, () => (i === 2 ? { exitCode: 1, stderr: "Connection to the host lost\n" } : ((up[i] = false), {}))],
    ]);
    await expect(first.result).rejects.toThrow();
    expect(up).toEqual([false, false, true]);
    // Second run: the leader alone has no quorum, Raft reports it as a candidate.
    const second = runOn("stop", config, (i) => [...script(i, () => up[i], ["-", "-", "1"]), [/^systemctl stop/, () => ((up[i] = false), {})]]);
    await expect(second.result).resolves.toMatchObject({ status: "done", summary: "stopped leader 192.168.150.32:22" });
    expect(second.transports[2].lines.filter((l) => l.startsWith("systemctl stop"))).toHaveLength(1);
  });

  it("refuses two leaders before stopping anything, naming the zone and every server's role", async () => {
    const config = haConfig();
    const { transports, master, result } = runOn("stop", config, (i) => [
      [/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i) }],
      [/^onezone show 101 -j/, { stdout: zoneShow(["3", "3", "2"]) }],
    ]);
    await expect(result).rejects.toThrow(
      /stop refused on zone 101 \(S-US-CA\): expected exactly one Raft leader.*found 2 leaders as 192\.168\.150\.3:22 reports: server-0 \(id 0\) leader, server-1 \(id 1\) leader, server-2 \(id 2\) follower\. Two leaders means a split cluster/,
    );
    for (const t of [...transports, master]) expect(t.lines.some((l) => l.startsWith("systemctl stop"))).toBe(false);
  });

  it("refuses two front-ends with the same SERVER_ID", async () => {
    const config = haConfig();
    const { result } = runOn("stop", config, (i) => [[/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i === 2 ? 0 : i) }]]);
    await expect(result).rejects.toThrow(
      /front-end 192\.168\.150\.32:22: expected every front-end of an HA zone with its own FEDERATION\/SERVER_ID.*found SERVER_ID 0, the same as 192\.168\.150\.3:22/,
    );
  });
});

/** Server i with every service down. */
const stopped = (i: number): Array<[RegExp, Reply | ((l: string) => Reply)]> => [
  [/^sed -n .* \/etc\/one\/oned\.conf$/, { stdout: onedConf(i) }],
  units,
  [/^systemctl is-active/, { exitCode: 3, stdout: "inactive\n" }],
  [/^test -e \/var\/lock\/one\/one/, { exitCode: 1 }],
];

/** Runs the stop with server-0 leading, so the leader is recorded for the steps that follow (oned is down then). */
async function stopWithServer0Leading(config: FederationConfig): Promise<void> {
  await runOn("stop", config, (i) => [[/^onezone show 101 -j/, { stdout: zoneShow(["3", "2", "2"]) }], ...stopped(i)]).result;
}

const NO_ONED: [RegExp, Reply] = [/^onezone show/, { exitCode: 255, stderr: "Failed to open TCP connection to localhost:2633 (Connection refused)\n" }];

describe("HA upgrade", () => {
  it("refuses, changing no server, when one follower's safety backup is gone, naming it", async () => {
    const config = haConfig();
    await stopWithServer0Leading(config);
    const zone = config.zones.find((z) => z.id === 101)!;
    const backup = safetyBackupRemotePath(config, zone);
    const sha = "5".repeat(64);
    const { transports, result } = runOn(
      "upgrade",
      config,
      (i) => [
        NO_ONED,
        ...stopped(i),
        [/^dpkg-query/, { stdout: "6.10.0-1" }],
        [/^onedb version/, { exitCode: 2, stdout: dbVersionText("6.10.0", "6.10.0") }],
        [new RegExp(`^test -e ${backup}$`), { exitCode: i === 2 ? 1 : 0 }],
        [new RegExp(`^sha256sum ${backup}$`), { stdout: `${sha}  ${backup}\n` }],
      ],
      ledgerWith([safetyBackupEntry(config, zone, sha)]),
    );
    await expect(result).rejects.toThrow(
      `upgrade refused on zone 101 (S-US-CA): expected the zone's pre-upgrade backup on every front-end with the sha256 the ledger recorded (${backup}), but found 192.168.150.32:22: ${backup} is gone. Nothing was changed by this step`,
    );
    // Every server was asked (the leader and the other follower hold theirs), none was changed.
    for (const t of transports) {
      expect(t.lines.filter((l) => l.startsWith("test -e /var/lib"))).toEqual([`test -e ${backup}`]);
      expect(t.lines.filter((l) => /^(env |apt-get|dnf|cp -a|mkdir|chmod|sh -c|onecfg|onedb (upgrade|fsck|restore)|systemctl (start|stop))/.test(l))).toEqual(
        [],
      );
    }
  });
});

describe("HA replicate", () => {
  /** Stops the zone with server-0 leading, then runs replicate; `digest` is what sha256sum reports on every server. */
  async function replicateWith(digest: string) {
    const config = haConfig();
    await stopWithServer0Leading(config);
    const { transports, result } = runOn("replicate", config, (i) => {
      let restored = i === 0;
      let serverId = i;
      return [
        NO_ONED,
        [/^sed -n .* \/etc\/one\/oned\.conf$/, () => ({ stdout: onedConf(serverId) })],
        [/^onedb version/, () => ({ stdout: dbVersionText(restored ? "7.0.0" : "6.10.0", restored ? "7.0.0" : "6.10.0"), exitCode: restored ? 0 : 2 })],
        ...stopped(i).slice(1),
        [/^mkdir |^chmod 0600 |^tar -C \/ -czf /, {}],
        [/^test -e \/(etc|var)/, { exitCode: 0 }],
        [/^onedb backup -v -f /, {}],
        [/^sha256sum /, { stdout: `${digest}  x\n` }],
        [/^onedb restore -v -f /, () => ((restored = true), {})],
        // The leader's oned.conf (SERVER_ID 0) lands on the follower…
        [/^tar -C \/ -xzf /, () => ((serverId = 0), {})],
        // …and the follower's own id is put back.
        [/^sed -i -E /, (l) => ((serverId = Number(/\\1(\d+)\//.exec(l)![1])), {})],
      ];
    });
    return { config, transports, result };
  }

  it("restores the leader's full backup with -f on each follower and puts its own SERVER_ID back", async () => {
    // FakeTransport.download writes this content: the copies on the automation host verify.
    const digest = createHash("sha256").update(FAKE_DOWNLOAD).digest("hex");
    const { config, transports, result } = await replicateWith(digest);
    await expect(result).resolves.toMatchObject({
      status: "done",
      summary: expect.stringMatching(/leader 192\.168\.150\.3:22 → 192\.168\.150\.31:22 \(SERVER_ID 1\), 192\.168\.150\.32:22 \(SERVER_ID 2\)/),
    });
    const [leader, f1, f2] = transports.map((t) => t.lines);
    expect(leader.filter((l) => /^onedb backup -v -f .*seed-zone101-leader-7\.0\.0\.sql$/.test(l))).toHaveLength(1);
    expect(leader.some((l) => /^tar -C \/ -czf \S+ etc\/one var\/lib\/one\/remotes\/etc$/.test(l))).toBe(true);
    expect(leader.some((l) => l.startsWith("onedb restore"))).toBe(false);
    for (const [lines, id] of [
      [f1, 1],
      [f2, 2],
    ] as const) {
      const restore = lines.findIndex((l) => /^onedb restore -v -f \S+seed-zone101-leader-7\.0\.0\.sql$/.test(l));
      const unpack = lines.findIndex((l) => l.startsWith("tar -C / -xzf"));
      const sed = lines.findIndex((l) => l.startsWith("sed -i -E"));
      expect(restore).toBeGreaterThan(-1);
      expect(unpack).toBeGreaterThan(restore);
      expect(sed).toBeGreaterThan(unpack);
      expect(lines[sed]).toContain(`\\1${id}/`);
    }
    expect(haRecord(config, config.zones[2]).read()!.replicated).toMatchObject({ db_sha256: digest, followers: ["192.168.150.31:22", "192.168.150.32:22"] });
    // The leader's DB and configuration (oned.conf may hold a DB password) do not stay on the automation host.
    expect(fs.readdirSync(path.join(config.backup.localDirectory, "ha"))).toEqual(["zone-101.json"]);
  });

  it("refuses a leader backup whose fetched copy does not match its sha256, before any follower is touched", async () => {
    const { transports, result } = await replicateWith("0".repeat(64));
    await expect(result).rejects.toThrow(
      /replicate refused on zone 101 \(S-US-CA\), front-end 192\.168\.150\.3:22: expected the fetched copy of .* to have sha256 0{64}/,
    );
    for (const t of transports.slice(1)) expect(t.lines.some((l) => /^onedb restore|^tar -C \/ -xzf|^sed /.test(l))).toBe(false);
  });
});
