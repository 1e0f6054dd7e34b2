/**
 * `stop` and `sync` prove the freeze on the live master before they act (lib/run/frozen.ts), since
 * terraform's state saying the freeze ran is not enough: `onefed unfreeze` or a `onezone enable`
 * by hand may have lifted it since. Each test asserts what ran, and above all what did not.
 */
import { FederationConfig, ZoneConfig } from "../../lib/model/federation";
import { StepName } from "../../lib/model/steps";
import { StepRefusal } from "../../lib/run/step-refusal";
import { STEPS } from "../../lib/run/steps/catalog";
import { FakeTransport, fakeStepContext, frozenMaster, Rule, zonePoolJson, zoneShowJson } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

/** A front-end whose services run until `systemctl stop` (one is-active line per unit asked). */
function runningFrontend(): Rule[] {
  let running = true;
  return [
    [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\nopennebula-flow.service enabled enabled\n" }],
    [
      /^systemctl is-active /,
      (line) => ({
        exitCode: running ? 0 : 3,
        stdout: line
          .split(" ")
          .slice(2)
          .map(() => (running ? "active\n" : "inactive\n"))
          .join(""),
      }),
    ],
    [/^test -e \/var\/lock\/one\/one$/, () => ({ exitCode: running ? 0 : 1 })],
    [/^systemctl stop /, () => ((running = false), {})],
  ];
}

/** Runs `step` on `zone` with `zoneRules` there and `masterRules` on the master (slaves other than `zone` run nothing). */
function runWith(step: StepName, config: FederationConfig, zone: ZoneConfig, zoneRules: Rule[], masterRules: Rule[]) {
  const fakes = new Map(config.zones.map((z) => [z.id, new FakeTransport(z.id === zone.id ? zoneRules : z.id === config.master.id ? masterRules : [])]));
  const ctx = fakeStepContext(config, zone, step, (z) => fakes.get(z.id)!);
  return { zone: fakes.get(zone.id)!, master: fakes.get(config.master.id)!, all: [...fakes.values()], result: STEPS[step].run(ctx) };
}

const stopped = (t: FakeTransport) => t.lines.filter((l) => l.startsWith("systemctl stop"));

/** 6.0 → 6.2, before `onezone disable` exists: the freeze is three iptables rules on the master. */
const firewallFederation = () =>
  seedFederation()
    .with({ federation: { fromVersion: "6.0.0", toVersion: "6.2.0" } })
    .withFreeze("firewall", { allowFrom: ["10.0.0.5"] })
    .parse();

/** `iptables -S INPUT` on the master with the given rules of our freeze (in the order the freeze inserts them). */
const iptablesWith = (ours: readonly string[]): Rule => [
  /^iptables -S INPUT$/,
  {
    stdout: [
      "-P INPUT ACCEPT",
      ...ours.map((r) => `-A INPUT ${r} -m comment --comment onefed-freeze-seed -j ${r.startsWith("-s") ? "ACCEPT" : "DROP"}`),
      '-A INPUT -s 10.1.1.1/32 -p tcp -m tcp --dport 22 -m comment --comment "ops: bastion" -j ACCEPT',
    ].join("\n"),
  },
];
const OUR_RULES = ["-s 127.0.0.1/32 -p tcp -m tcp --dport 2633", "-s 10.0.0.5/32 -p tcp -m tcp --dport 2633", "-p tcp -m tcp --dport 2633"];

describe("stop proves the freeze on the master", () => {
  it("refuses, stopping nothing, when the master's oned runs and a frozen zone is ENABLED again", async () => {
    const config = seedFederation().parse();
    const { zone, master, all, result } = runWith("stop", config, config.slaves[0], runningFrontend(), frozenMaster(config, [100]));
    await expect(result).rejects.toThrow(StepRefusal);
    await expect(result).rejects.toThrow(
      /^stop refused on zone 0 \(M-EU-FR\), front-end 192\.168\.150\.1:22: expected federated writes frozen before stop of zone 100 \(S-EU-GE\): every zone DISABLED \(0, 100, 101\) as the master's oned reports them, but found zone 100 \(S-EU-GE\) ENABLED\. Nothing was changed by this step\. .*Run the deploy again: it freezes the federation again before any zone stops\.$/,
    );
    expect(zone.lines).toEqual([]);
    // Every zone's STATE from one `onezone list -j` (the same zone_pool field `onezone show` reads).
    expect(master.lines).toEqual(["systemctl is-active opennebula", "onezone list -j"]);
    for (const t of all) expect(stopped(t)).toEqual([]);
  });

  it.each([
    ["the master's oned runs and every zone is DISABLED", frozenMaster(seedFederation().parse()), ["systemctl is-active opennebula", "onezone list -j"]],
    // With the master's oned down nobody can write to the federation: its zones are not asked (nobody would answer).
    [
      // Asked in the same round trip, the pool of a stopped oned fails at once and is not judged.
      "the master's oned is inactive",
      [
        [/^systemctl is-active opennebula$/, { exitCode: 3, stdout: "inactive\n" }],
        [/^onezone list -j$/, { exitCode: 255, stderr: "Failed to open TCP connection to localhost:2633 (Connection refused)\n" }],
      ] as Rule[],
      ["systemctl is-active opennebula", "onezone list -j"],
    ],
  ])("stops the zone when %s", async (_case, masterRules, masterLines) => {
    const config = seedFederation().parse();
    const { zone, master, result } = runWith("stop", config, config.slaves[0], runningFrontend(), masterRules);
    await expect(result).resolves.toMatchObject({ status: "done", summary: "stopped opennebula, opennebula-flow" });
    expect(master.lines).toEqual(masterLines);
    // Whether oned runs and the zones' STATE: one round trip to the master.
    expect(master.batches).toEqual([masterLines]);
    expect(stopped(zone)).toEqual(["systemctl stop opennebula opennebula-flow"]);
  });

  // The zones stop in parallel: the master's own stop may take oned down between the proof's questions.
  it("stops the zone when the master's oned goes down in the middle of the proof", async () => {
    const config = seedFederation().parse();
    let asked = 0;
    const master: Rule[] = [
      [/^systemctl is-active opennebula$/, () => (asked++ === 0 ? { stdout: "active\n" } : { exitCode: 3, stdout: "inactive\n" })],
      [/^onezone list -j$/, { exitCode: 255, stderr: "Failed to open TCP connection to localhost:2633 (Connection refused)\n" }],
    ];
    const { zone, master: m, result } = runWith("stop", config, config.slaves[0], runningFrontend(), master);
    await expect(result).resolves.toMatchObject({ status: "done" });
    expect(m.lines).toEqual(["systemctl is-active opennebula", "onezone list -j", "systemctl is-active opennebula"]);
    expect(stopped(zone)).toHaveLength(1);
  });

  it("fails, stopping nothing, when the running master's oned cannot say whether a zone is disabled", async () => {
    const config = seedFederation().parse();
    const master: Rule[] = [
      [/^systemctl is-active opennebula$/, { stdout: "active\n" }],
      [/^onezone list -j$/, { exitCode: 255, stderr: "[one.zonepool.info] User couldn't be authenticated, aborting call.\n" }],
    ];
    const { zone, all, result } = runWith("stop", config, config.slaves[0], runningFrontend(), master);
    await expect(result).rejects.toThrow(/onezone list -j/);
    expect(zone.lines).toEqual([]);
    for (const t of all) expect(stopped(t)).toEqual([]);
  });

  // A zone the master's pool lacks is asked alone, so it fails exactly as the per-zone question always did.
  it("asks a zone missing from the master's pool alone, and fails as before, stopping nothing", async () => {
    const config = seedFederation().parse();
    const master: Rule[] = [
      [/^systemctl is-active opennebula$/, { stdout: "active\n" }],
      [
        /^onezone list -j$/,
        {
          stdout: zonePoolJson(
            config.zones.filter((z) => z.id !== 101),
            () => true,
          ),
        },
      ],
      [/^onezone show 101 -j$/, { exitCode: 255, stderr: "[one.zone.info] Error getting zone [101].\n" }],
    ];
    const { zone, master: m, all, result } = runWith("stop", config, config.slaves[0], runningFrontend(), master);
    await expect(result).rejects.toThrow(/`onezone show 101 -j` exited with 255/);
    expect(m.lines).toEqual(["systemctl is-active opennebula", "onezone list -j", "onezone show 101 -j", "systemctl is-active opennebula"]);
    expect(zone.lines).toEqual([]);
    for (const t of all) expect(stopped(t)).toEqual([]);
  });

  it("with the firewall freeze, refuses, stopping nothing, when our rules on the master are incomplete", async () => {
    const config = firewallFederation();
    // The DROP rule was deleted by hand: the API is open again.
    const master: Rule[] = [[/^systemctl is-active opennebula$/, { stdout: "active\n" }], iptablesWith(OUR_RULES.slice(0, 2))];
    const { zone, all, result } = runWith("stop", config, config.slaves[0], runningFrontend(), master);
    await expect(result).rejects.toThrow(
      /^stop refused on zone 0 \(M-EU-FR\), front-end 192\.168\.150\.1:22: expected federated writes frozen before stop of zone 100 \(S-EU-GE\): the master's API closed by our 3 firewall rules \(comment onefed-freeze-seed\), but found 2 such rules while oned runs there\. Nothing was changed by this step/,
    );
    expect(zone.lines).toEqual([]);
    for (const t of all) {
      expect(stopped(t)).toEqual([]);
      expect(t.lines.filter((l) => l.startsWith("onezone"))).toEqual([]);
    }
  });

  it("with the firewall freeze, stops the zone when every one of our rules is on the master", async () => {
    const config = firewallFederation();
    const master: Rule[] = [[/^systemctl is-active opennebula$/, { stdout: "active\n" }], iptablesWith(OUR_RULES)];
    const { zone, master: m, result } = runWith("stop", config, config.slaves[0], runningFrontend(), master);
    await expect(result).resolves.toMatchObject({ status: "done" });
    expect(m.lines).toEqual(["systemctl is-active opennebula", "iptables -S INPUT"]);
    expect(stopped(zone)).toHaveLength(1);
  });

  it("proves nothing on the master when the federation file declares no freeze", async () => {
    const config = seedFederation().withFreeze("none", { acknowledgeNoFreeze: true }).parse();
    const { zone, master, result } = runWith("stop", config, config.slaves[0], runningFrontend(), []);
    await expect(result).resolves.toMatchObject({ status: "done" });
    expect(master.lines).toEqual([]);
    expect(stopped(zone)).toHaveLength(1);
  });
});

describe("sync proves the freeze on the master", () => {
  it("refuses before reading FED_INDEX when a zone was enabled again", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 0 } })
      .parse();
    const master: Rule[] = [...frozenMaster(config, [0, 101]), [/^onezone list --csv/, { stdout: "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" }]];
    const { master: m, result } = runWith("sync", config, config.master, master, master);
    await expect(result).rejects.toThrow(
      /^sync refused on zone 0 \(M-EU-FR\), front-end 192\.168\.150\.1:22: expected federated writes frozen before sync of zone 0 \(M-EU-FR\): .* but found zone 0 \(M-EU-FR\) ENABLED, zone 101 \(S-US-CA\) ENABLED\./,
    );
    expect(m.lines.filter((l) => l.startsWith("onezone list --csv"))).toEqual([]);
  });
});

describe("freeze and unfreeze read the zone's STATE from its front-end's zone pool", () => {
  it("reads the zone again until the federation brought ENABLED back to the slave", async () => {
    const config = seedFederation().parse();
    const slave = config.zones.find((z) => z.id === 100)!;
    let reads = 0;
    const { zone, result } = runWith(
      "unfreeze",
      config,
      slave,
      [
        // Disabled before the enable, and once after it (the change is still on its way from the master).
        [/^onezone list -j$/, () => ({ stdout: zonePoolJson(config.zones, (id) => id !== 100 || ++reads <= 2) })],
        [/^onezone enable 100 /, {}],
      ],
      [],
    );
    await expect(result).resolves.toMatchObject({ status: "done", summary: "zone enabled" });
    // `onezone list -j`, not `onezone show` (which also asks every server of the zone for its Raft status).
    expect(zone.lines).toEqual(["onezone list -j", "onezone enable 100 --endpoint http://192.168.150.2:2633/RPC2 -v", "onezone list -j", "onezone list -j"]);
  });

  it("reports a zone already disabled as already done, changing nothing", async () => {
    const config = seedFederation().parse();
    const slave = config.zones.find((z) => z.id === 101)!;
    const { zone, result } = runWith("freeze", config, slave, [[/^onezone list -j$/, { stdout: zonePoolJson(config.zones, (id) => id === 101) }]], []);
    await expect(result).resolves.toEqual({ status: "already-done", summary: "zone already disabled" });
    expect(zone.lines).toEqual(["onezone list -j"]);
  });

  it("asks a zone its front-end's pool lacks alone (`onezone show`), before and after the disable", async () => {
    const config = seedFederation().parse();
    const slave = config.zones.find((z) => z.id === 101)!;
    let disabled = false;
    const { zone, result } = runWith(
      "freeze",
      config,
      slave,
      [
        [
          /^onezone list -j$/,
          {
            stdout: zonePoolJson(
              config.zones.filter((z) => z.id !== 101),
              () => true,
            ),
          },
        ],
        [/^onezone show 101 -j$/, () => ({ stdout: zoneShowJson(slave, !disabled) })],
        [/^onezone disable 101 /, () => ((disabled = true), {})],
      ],
      [],
    );
    await expect(result).resolves.toEqual({ status: "done", summary: "zone disabled" });
    expect(zone.lines).toEqual([
      "onezone list -j",
      "onezone show 101 -j",
      "onezone disable 101 --endpoint http://192.168.150.3:2633/RPC2 -v",
      "onezone list -j",
      "onezone show 101 -j",
    ]);
  });
});
