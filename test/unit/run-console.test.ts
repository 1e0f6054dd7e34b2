/**
 * What `onefed deploy` shows: on a terminal a compact progress frame driven by the events file
 * (stage k of n, steps done / running / failed, zones frozen or stopped now, elapsed), redrawn in
 * place; without one, plain timestamped lines with no cursor movement and without terraform's
 * plan body.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunEvent } from "../../lib/model/run-events";
import { EventWriter } from "../../lib/run/observe/event-writer";
import { PlainConsole } from "../../lib/terraform/console/plain-console";
import { renderFrame } from "../../lib/terraform/console/progress-frame";
import { ProgressView } from "../../lib/terraform/console/progress-view";
import { applyEvent, currentStage, emptyProgress, stepCounts } from "../../lib/terraform/console/run-progress";
import { runConsole } from "../../lib/terraform/console/run-console";

const T0 = Date.parse("2026-11-30T12:40:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ev = (s: number, e: Record<string, unknown>) => ({ v: 1, ts: at(s), run: "r1", step: null, zone: null, ...e }) as unknown as RunEvent;

/** A federation of a master and two slaves, part-way: frozen, zone 101 stopped and upgrading, zone 100's restore failed. */
const EVENTS: RunEvent[] = [
  ev(0, {
    event: "run-start",
    command: "deploy",
    federation: "prod",
    from_version: "6.10.0",
    to_version: "7.0.0",
    run_dir: "/a/runs/r1",
    stages: [
      [{ step: "preflight", zone: 0, zone_name: "M-EU-FR" }],
      [
        { step: "freeze", zone: 0, zone_name: "M-EU-FR" },
        { step: "freeze", zone: 100, zone_name: "S-EU-GE" },
        { step: "freeze", zone: 101, zone_name: "S-US-CA" },
      ],
      [
        { step: "stop", zone: 100, zone_name: "S-EU-GE" },
        { step: "stop", zone: 101, zone_name: "S-US-CA" },
      ],
      [
        { step: "restore", zone: 100, zone_name: "S-EU-GE" },
        { step: "upgrade", zone: 101, zone_name: "S-US-CA" },
      ],
      [{ step: "unfreeze", zone: 0, zone_name: "M-EU-FR" }],
    ],
  }),
  ev(1, { event: "step-start", step: "preflight", zone: 0, zone_name: "M-EU-FR", hosts: ["10.0.0.1:22"] }),
  ev(5, { event: "step-end", step: "preflight", zone: 0, status: "done", summary: "ready", duration_ms: 4000 }),
  ...[0, 100, 101].flatMap((z, i) => [
    ev(6, { event: "step-start", step: "freeze", zone: z, zone_name: ["M-EU-FR", "S-EU-GE", "S-US-CA"][i], hosts: [] }),
    ev(8, { event: "step-end", step: "freeze", zone: z, status: "done", summary: "frozen", duration_ms: 2000 }),
  ]),
  ...[100, 101].flatMap((z) => [
    ev(9, { event: "step-start", step: "stop", zone: z, zone_name: z === 100 ? "S-EU-GE" : "S-US-CA", hosts: [] }),
    ev(10, { event: "step-end", step: "stop", zone: z, status: "done", summary: "stopped", duration_ms: 1000 }),
  ]),
  ev(11, { event: "step-start", step: "restore", zone: 100, zone_name: "S-EU-GE", hosts: ["10.0.0.2:22"] }),
  ev(11, { event: "step-start", step: "upgrade", zone: 101, zone_name: "S-US-CA", hosts: ["10.0.1.3:22", "10.0.1.31:22"] }),
  ev(12, { event: "command-start", step: "upgrade", zone: 101, host: "10.0.1.31:22", command: "onedb upgrade -v -b /x.sql" }),
  ev(20, { event: "step-fail", step: "restore", zone: 100, message: "RemoteCommandError: onedb restore exited with 255\nmore detail", duration_ms: 9000 }),
];

describe("RunProgress", () => {
  it("folds events into stage, counts, frozen and stopped zones", () => {
    const p = emptyProgress();
    for (const e of EVENTS) applyEvent(p, e);
    expect(currentStage(p)).toBe(4);
    expect(stepCounts(p)).toEqual({ done: 6, running: 1, failed: 1, planned: 9 });
    expect([...p.frozen.keys()]).toEqual([0, 100, 101]);
    expect([...p.stopped.keys()]).toEqual([100, 101]);
    applyEvent(p, ev(30, { event: "step-start", step: "unfreeze", zone: 0, zone_name: "M-EU-FR", hosts: [] }));
    applyEvent(p, ev(31, { event: "step-end", step: "unfreeze", zone: 0, status: "done", summary: "", duration_ms: 1 }));
    expect([...p.frozen.keys()]).toEqual([100, 101]);
    expect(currentStage(p)).toBe(5);
  });

  it("ignores events it does not know (a later format may add some)", () => {
    const p = emptyProgress();
    expect(() => applyEvent(p, ev(0, { event: "window-check" }))).not.toThrow();
    expect(stepCounts(p)).toEqual({ done: 0, running: 0, failed: 0, planned: 0 });
  });
});

describe("renderFrame", () => {
  const progress = () => EVENTS.reduce(applyEvent, emptyProgress());

  it("says where the run is in a few lines", () => {
    const lines = renderFrame({ progress: progress(), now: T0 + 75_000, since: T0, width: 200, runDir: "/a/runs/r1" });
    expect(lines).toEqual([
      "onefed deploy · prod 6.10.0 → 7.0.0 · run r1 · 1m15s · ETA unknown (no history yet)",
      "stage 4 of 5 · steps: 6 done, 1 running, 1 failed (9 in the plan; steps already applied do not run)",
      "frozen: zone 0 (M-EU-FR) 1m07s, zone 100 (S-EU-GE) 1m07s, zone 101 (S-US-CA) 1m07s · stopped: zone 100 (S-EU-GE) 1m05s, zone 101 (S-US-CA) 1m05s",
      "  upgrade  zone 101 (S-US-CA)   1m04s  10.0.1.31:22 $ onedb upgrade -v -b /x.sql",
      "failed: restore zone 100 (S-EU-GE): RemoteCommandError: onedb restore exited with 255 …",
      "logs: /a/runs/r1",
    ]);
  });

  it("lines the running steps up in columns, whatever the length of the step's and the zone's names", () => {
    const p = progress();
    applyEvent(p, ev(21, { event: "step-start", step: "safety-backup", zone: 0, zone_name: "M-EU-FR", hosts: ["10.0.1.1:22"] }));
    applyEvent(p, ev(22, { event: "command-start", step: "safety-backup", zone: 0, host: "10.0.1.1:22", command: "onedb backup -v" }));
    const rows = renderFrame({ progress: p, now: T0 + 75_000, since: T0, width: 200 }).filter((l) => l.startsWith("  "));
    expect(rows).toEqual([
      "  upgrade        zone 101 (S-US-CA)   1m04s  10.0.1.31:22 $ onedb upgrade -v -b /x.sql",
      "  safety-backup  zone 0 (M-EU-FR)       54s  10.0.1.1:22 $ onedb backup -v",
    ]);
  });

  it("cuts every line to the terminal's width and escapes control characters", () => {
    const p = progress();
    applyEvent(p, ev(21, { event: "command-start", step: "upgrade", zone: 101, host: "h:22", command: "echo \x1b]0;owned\x07" }));
    const lines = renderFrame({ progress: p, now: T0 + 75_000, since: T0, width: 40 });
    expect(lines.every((l) => [...l].length <= 40)).toBe(true);
    expect(lines.join("\n")).not.toContain("\x1b");
  });

  it("before the run starts, says it is preparing and shows the last line", () => {
    expect(renderFrame({ progress: emptyProgress(), now: T0 + 3000, since: T0, width: 100, lastLine: "engine: terraform 1.9.8" })).toEqual([
      "onefed: preparing the run · 3s",
      "stage 0 of 0 · steps: 0 done, 0 running, 0 failed",
      "frozen: none · stopped: none",
      "last: engine: terraform 1.9.8",
    ]);
  });
});

describe("PlainConsole (no terminal)", () => {
  const run = (lines: string[]) => {
    const out: string[] = [];
    const c = new PlainConsole(
      (l) => out.push(l),
      () => T0,
    );
    for (const l of lines) c.line(l);
    return out;
  };

  it("timestamps every line, keeps a step's own time, drops terraform's plan body and ticks", () => {
    expect(
      run([
        "run 20261130T124000Z-ab (state lineage 1-2) by root@host",
        "",
        "Terraform used the selected providers to generate the following execution",
        "plan. Resource actions are indicated with the following symbols:",
        "  + create",
        "  # null_resource.zone_0_preflight will be created",
        "Plan: 35 to add, 0 to change, 0 to destroy.",
        "null_resource.zone_0_preflight: Creating...",
        "null_resource.zone_0_preflight: Provisioning with 'local-exec'...",
        'null_resource.zone_0_preflight (local-exec): Executing: ["/bin/sh" "-c" "node onefed.js step preflight"]',
        "null_resource.zone_0_preflight (local-exec): 2026-11-30T12:40:02Z [preflight zone 0 (M-EU-FR)] 10.0.0.1:22 $ onezone list --csv  → 0 (9 ms)",
        "null_resource.zone_0_preflight: Still creating... [10s elapsed]",
        "null_resource.zone_0_preflight (local-exec): RemoteCommandError: zone 0 (M-EU-FR), front-end 10.0.0.1:22: …",
        "null_resource.zone_0_preflight: Creation complete after 12s [id=123]",
      ]),
    ).toEqual([
      "2026-11-30T12:40:00Z run 20261130T124000Z-ab (state lineage 1-2) by root@host",
      "2026-11-30T12:40:00Z (terraform's plan: in engine.log in the run directory)",
      "2026-11-30T12:40:00Z Plan: 35 to add, 0 to change, 0 to destroy.",
      "2026-11-30T12:40:02Z [preflight zone 0 (M-EU-FR)] 10.0.0.1:22 $ onezone list --csv  → 0 (9 ms)",
      "2026-11-30T12:40:00Z RemoteCommandError: zone 0 (M-EU-FR), front-end 10.0.0.1:22: …",
      "2026-11-30T12:40:00Z null_resource.zone_0_preflight: Creation complete after 12s [id=123]",
    ]);
  });
});

describe("TTY or not", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-console-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A terminal that records what was written. */
  const terminal = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, term: { isTTY, columns: 120, write: (s: string) => written.push(s) } };
  };

  it("on a terminal: a frame redrawn in place from the events file, the engine's lines kept off the screen", () => {
    const eventsFile = path.join(dir, "events.jsonl");
    const { written, term } = terminal(true);
    let now = T0;
    const view = new ProgressView(term, () => now, 60_000);
    view.line("null_resource.zone_0_preflight (local-exec): 2026-11-30T12:40:02Z [preflight zone 0 (M-EU-FR)] starting");
    view.line("null_resource.zone_0_preflight: Still creating... [10s elapsed]");
    view.attach({ runId: "r1", dir, eventsFile, engineLog: path.join(dir, "engine.log") });
    const w = new EventWriter(eventsFile, "r1", () => now);
    w.write({
      event: "run-start",
      step: null,
      zone: null,
      command: "deploy",
      federation: "prod",
      from_version: "6.10.0",
      to_version: "7.0.0",
      run_dir: dir,
      stages: [[{ step: "preflight", zone: 0, zone_name: "M-EU-FR" }]],
    });
    w.write({ event: "step-start", step: "preflight", zone: 0, zone_name: "M-EU-FR", hosts: ["10.0.0.1:22"] });
    now += 5000;
    view.refresh();
    w.write({ event: "step-end", step: "preflight", zone: 0, status: "done", summary: "ok", duration_ms: 5000 });
    w.write({ event: "run-end", step: null, zone: null, status: "done", duration_ms: 6000, exit_code: 0 });
    now += 1000;
    view.stop();
    const screen = written.join("");
    expect(screen.startsWith("\x1b[?25l")).toBe(true);
    expect(screen.endsWith("\x1b[?25h")).toBe(true);
    // Each redraw goes back over the lines of the frame before it, then erases them.
    // eslint-disable-next-line no-control-regex -- the cursor movement is what is tested
    const frames = screen.split(/\x1b\[\d+F\x1b\[J/);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    const last = frames[frames.length - 1];
    expect(last).toContain("stage 1 of 1 · steps: 1 done, 0 running, 0 failed");
    expect(last).toContain("run done after 5s");
    expect(frames[frames.length - 2]).toMatch(/ {2}preflight {2}zone 0 \(M-EU-FR\) {6}5s\n/);
    expect(screen).not.toContain("(local-exec)");
    expect(screen).toContain("last: 2026-11-30T12:40:02Z [preflight zone 0 (M-EU-FR)] starting");
    expect(screen).not.toContain("Still creating");
  });

  it("without a terminal: plain lines through the command's output, no escape sequences", () => {
    const { written, term } = terminal(false);
    const out: string[] = [];
    const c = runConsole("auto", term, (l) => out.push(l));
    c.attach({ runId: "r1", dir, eventsFile: path.join(dir, "e"), engineLog: path.join(dir, "l") });
    c.line("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    c.stop();
    expect(written).toEqual([]);
    expect(out).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Apply complete! Resources: 1 added/)]);
  });

  it("--console progress and plain override the terminal check", () => {
    const tty = terminal(false);
    const view = runConsole("progress", tty.term, () => undefined);
    view.attach({ runId: "r1", dir, eventsFile: path.join(dir, "e"), engineLog: path.join(dir, "l") });
    view.stop();
    expect(tty.written.join("")).toContain("\x1b[?25h");
    const plain = terminal(true);
    const out: string[] = [];
    const c = runConsole("plain", plain.term, (l) => out.push(l));
    c.line("x");
    c.stop();
    expect(plain.written).toEqual([]);
    expect(out).toHaveLength(1);
  });
});
