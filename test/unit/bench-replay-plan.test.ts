import { buildReplayPlan, OUTSIDE_STEPS, SFTP_SESSION, withReplayInputs } from "../../bench/replay-plan";
import { parseRunTimeline } from "../../bench/run-timeline";

const RUN = "20261130T120000Z-ab12cd34";
const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0) + s * 1000).toISOString();
const ev = (s: number, event: string, step: string | null, zone: number | null, more: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, ts: at(s), event, run: RUN, step, zone, ...more });
const cmd = (from: number, to: number, step: string, zone: number, host: string, command: string, exit = 0) => [
  ev(from, "command-start", step, zone, { host, command }),
  ev(to, "command-end", step, zone, { host, command, exit_code: exit, signal: null, duration_ms: (to - from) * 1000 }),
];
const LONG = `sh -c 'write' sh ${"x".repeat(1200)}`;

const timeline = parseRunTimeline(
  [
    ev(0, "run-start", null, null, { stages: [[{ step: "stop", zone: 0 }], [{ step: "upgrade", zone: 0 }]] }),
    ev(1, "step-start", "stop", 0, { hosts: ["127.0.0.1:22"] }),
    // Two probes at once on two machines, then a stop after both.
    ...cmd(1.1, 1.5, "stop", 0, "127.0.0.1:22", "systemctl is-active opennebula", 0),
    ...cmd(1.2, 1.4, "stop", 0, "127.0.0.2:22", "onedb version", 0),
    ...cmd(1.6, 2.5, "stop", 0, "127.0.0.1:22", "systemctl stop opennebula", 0),
    ev(3, "step-end", "stop", 0, { status: "done" }),
    ev(4, "step-start", "upgrade", 0, { hosts: ["127.0.0.1:22"] }),
    // Cut by the events file at 1000 characters.
    ...cmd(4.1, 4.2, "upgrade", 0, "127.0.0.1:22", `${LONG.slice(0, 1000)}…`, 0),
    ev(5, "step-end", "upgrade", 0, { status: "done" }),
  ].join("\n"),
);
const line = (s: number, frontend: string, command: string) => ({ ts: at(s).replace("Z", "123Z"), frontend, command });
const log = [
  line(0.5, "zone0-server0", "ledger read"),
  line(1.1, "zone0-server0", "systemctl is-active opennebula"),
  line(1.2, "zone0-server1", "onedb version"),
  line(1.6, "zone0-server0", "systemctl stop opennebula"),
  line(4.1, "zone0-server0", LONG),
  line(4.3, "zone0-server0", "/usr/lib/openssh/sftp-server"),
];
const machines = new Map([
  ["zone0-server0", "127.0.0.1:22"],
  ["zone0-server1", "127.0.0.2:22"],
]);
const graph = new Map([
  ["stop@0", []],
  ["upgrade@0", ["stop@0"]],
]);

describe("bench: the ideal replay's plan", () => {
  const plan = buildReplayPlan(timeline, log, machines, graph);

  test("commands by step, in the run's order, with the concurrency the run had", () => {
    const stop = plan.steps.find((s) => s.key === "stop@0")!;
    expect(stop.after).toEqual([]);
    expect(stop.commands).toEqual([
      { target: "127.0.0.1:22", command: "systemctl is-active opennebula", after: [], exitCode: 0 },
      { target: "127.0.0.2:22", command: "onedb version", after: [], exitCode: 0 },
      { target: "127.0.0.1:22", command: "systemctl stop opennebula", after: [0, 1], exitCode: 0 },
    ]);
  });

  test("a command the events file cut is replayed whole, from the machine's log", () => {
    const upgrade = plan.steps.find((s) => s.key === "upgrade@0")!;
    expect(upgrade.after).toEqual(["stop@0"]);
    expect(upgrade.commands[0].command).toBe(LONG);
  });

  test("log lines without an event go to the step running then, or before every step", () => {
    expect(plan.steps.find((s) => s.key === "upgrade@0")!.commands[1]).toEqual({
      target: "127.0.0.1:22",
      command: "/usr/lib/openssh/sftp-server",
      after: [0],
      exitCode: null,
    });
    expect(plan.before).toEqual([{ target: "127.0.0.1:22", command: "ledger read", after: [], exitCode: null }]);
    expect(plan.unmatchedLogLines).toBe(2);
    expect(plan.unmatchedEvents).toBe(0);
    expect(OUTSIDE_STEPS).toBe("(outside steps)");
  });

  test("what the run sent besides command lines: a kept stdin goes with its command, an upload becomes `cat >` of the same file", () => {
    const restore = [
      line(10, "zone100-server0", "mkdir -p -m 0700 /var/lib/one/backups/onefed"),
      line(11, "zone100-server0", SFTP_SESSION),
      line(11.5, "zone0-server0", "onedb version"),
      line(12, "zone100-server0", "chmod 0600 /var/lib/one/backups/onefed/f.sql"),
      // A download from the master: not followed by a chmod there, left as an empty session.
      line(13, "zone0-server0", SFTP_SESSION),
      line(14, "zone0-server0", "sha256sum /x"),
      line(15, "zone0-server0", "ledger transaction"),
    ];
    const inputs = {
      stdinOf: (fe: string, ts: string) => (fe === "zone0-server0" && ts === restore[6].ts ? "/kept/records" : undefined),
      upload: (name: string) => (name === "f.sql" ? "/artifacts/f.sql" : undefined),
    };
    expect(withReplayInputs(restore, inputs)).toEqual([
      restore[0],
      { ...restore[1], command: "cat > /var/lib/one/backups/onefed/f.sql", stdinFile: "/artifacts/f.sql" },
      restore[2],
      restore[3],
      restore[4],
      restore[5],
      { ...restore[6], stdinFile: "/kept/records" },
    ]);
    // The plan carries it to the command the replay sends.
    const withStdin = buildReplayPlan(timeline, [{ ...log[0], stdinFile: "/kept/records" }, ...log.slice(1)], machines, graph);
    expect(withStdin.before).toEqual([{ target: "127.0.0.1:22", command: "ledger read", after: [], exitCode: null, stdinFile: "/kept/records" }]);
  });
});
