import { commandKind, formatBreakdown, freezeWindowBreakdown } from "../../bench/freeze-window";
import { parseRunTimeline, stepKey } from "../../bench/run-timeline";

const RUN = "20261130T120000Z-ab12cd34";
const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + s * 1000).toISOString();
const ev = (s: number, event: string, step: string | null, zone: number | null, more: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, ts: at(s), event, run: RUN, step, zone, ...more });
const step = (step: string, zone: number, from: number, to: number) => [
  ev(from, "step-start", step, zone, { zone_name: `Z${zone}`, hosts: [] }),
  ev(to, "step-end", step, zone, { status: "done", summary: "", duration_ms: (to - from) * 1000 }),
];
const command = (step: string, zone: number, from: number, to: number, line: string) => [
  ev(from, "command-start", step, zone, { host: "127.0.0.1:22", command: line }),
  ev(to, "command-end", step, zone, { host: "127.0.0.1:22", command: line, exit_code: 0, signal: null, duration_ms: (to - from) * 1000 }),
];

/** A 1+1 upgrade, in seconds: the slave's freeze opens the window at 10, the slave's unfreeze closes it at 40.5. */
const EVENTS = [
  ev(0, "run-start", null, null, { command: "deploy", stages: [] }),
  ...step("freeze", 100, 10, 11),
  ...command("freeze", 100, 10, 10.5, "sh -c '…' sh /var/lib/one/backups/onefed/ledger/seed"),
  ...command("freeze", 100, 10.5, 11, "onezone disable 100 --endpoint http://x:2633/RPC2 -v"),
  ...step("freeze", 0, 11.5, 12),
  ...step("sync", 0, 12, 13),
  ...step("stop", 0, 13.5, 15),
  ...step("stop", 100, 13.5, 14),
  ...step("upgrade", 0, 15, 25),
  ...command("upgrade", 0, 16, 20, "onedb upgrade -v -b /x"),
  ...command("upgrade", 0, 18, 22, "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade opennebula"),
  ...step("start", 0, 25, 26),
  ...step("restore", 100, 25, 30),
  ...step("upgrade", 100, 31, 38),
  ...step("start", 100, 38, 39),
  ...step("unfreeze", 0, 39, 40),
  ...step("unfreeze", 100, 40, 40.5),
  ...step("verify", 0, 41, 42),
].join("\n");

const GRAPH = new Map<string, string[]>([
  [stepKey("freeze", 100), []],
  [stepKey("freeze", 0), [stepKey("freeze", 100)]],
  [stepKey("sync", 0), [stepKey("freeze", 0), stepKey("freeze", 100)]],
  [stepKey("stop", 0), [stepKey("sync", 0)]],
  [stepKey("stop", 100), [stepKey("sync", 0)]],
  [stepKey("upgrade", 0), [stepKey("stop", 0), stepKey("stop", 100)]],
  [stepKey("start", 0), [stepKey("upgrade", 0)]],
  [stepKey("restore", 100), [stepKey("upgrade", 0)]],
  [stepKey("upgrade", 100), [stepKey("restore", 100)]],
  [stepKey("start", 100), [stepKey("upgrade", 100)]],
  [stepKey("unfreeze", 0), [stepKey("start", 0), stepKey("start", 100)]],
  [stepKey("unfreeze", 100), [stepKey("unfreeze", 0)]],
  [stepKey("verify", 0), [stepKey("unfreeze", 100), stepKey("unfreeze", 0)]],
]);

describe("bench: what fills the freeze window", () => {
  const b = freezeWindowBreakdown(parseRunTimeline(EVENTS), GRAPH)!;

  test("the chain walks back from the last unfreeze through each step's last-finished predecessor", () => {
    expect(b.windowMs).toBe(30_500);
    expect(b.legs.map((l) => l.key)).toEqual([
      "freeze@100",
      "freeze@0",
      "sync@0",
      "stop@0",
      "upgrade@0",
      "restore@100",
      "upgrade@100",
      "start@100",
      "unfreeze@0",
      "unfreeze@100",
    ]);
    expect(b.legs.map((l) => l.waitMs)).toEqual([0, 500, 0, 500, 0, 0, 1000, 0, 0, 0]);
    expect(b.unavoidableMs).toBe(1500 + 10_000 + 5000 + 7000 + 1000);
    expect(b.addedMs).toBe(b.windowMs - b.unavoidableMs);
  });

  test("each step's time by kind of command, overlapping commands of one kind once, and the time under none", () => {
    const freeze = b.legs[0];
    expect(freeze.unavoidable).toBe(false);
    expect(freeze.kinds).toEqual([
      { kind: "ledger", ms: 500 },
      { kind: "onezone disable/enable", ms: 500 },
    ]);
    expect(freeze.outsideCommandsMs).toBe(0);
    const upgrade = b.legs[4];
    expect(upgrade.kinds).toEqual([
      { kind: "onedb upgrade", ms: 4000 },
      { kind: "package install", ms: 4000 },
    ]);
    expect(upgrade.outsideCommandsMs).toBe(10_000 - 6000);
  });

  test("prints one line per step and the added time by cause", () => {
    const lines = formatBreakdown(b);
    expect(lines[0]).toBe("freeze window 30.5 s: unavoidable steps on its chain 24.5 s, added 6.0 s");
    expect(lines.find((l) => l.includes("sync@0 +"))).toBeDefined();
    expect(lines.at(-1)).toBe("  added (+): waits between steps 2.0 s, freeze steps 1.5 s, sync steps 1.0 s, unfreeze steps 1.5 s");
  });

  test("nothing to break down without a freeze", () => {
    expect(
      freezeWindowBreakdown(parseRunTimeline([ev(0, "run-start", null, null, { stages: [] }), ...step("stop", 0, 1, 2)].join("\n")), GRAPH),
    ).toBeUndefined();
  });

  test.each([
    ["sh -c 'x' sh /var/lib/one/backups/onefed/ledger/prod", "ledger"],
    [`sh -c 'umask 077; d=$1; sum=$2; rd=$3; shift 3; mkdir -p "$d" || exit 1; t=; ${"x".repeat(900)}`, "ledger"],
    ["onezone show 100 -j", "onezone show"],
    ["onezone list -j", "onezone list (zone pool)"],
    ["onezone list --csv", "onezone list (FED_INDEX)"],
    ["systemctl stop opennebula", "systemctl stop/start"],
    ["systemctl is-active opennebula", "systemctl probes"],
    ["onedb backup -v -f /x", "onedb backup"],
    ["test -e /var/lock/one/one", "other probes and writes"],
  ])("%s is %s", (line, kind) => expect(commandKind(line)).toBe(kind));
});
