/**
 * The sandbox's timing profile (sandbox/timing-profile.ts, docs/sandbox.md "Timing profile"): the
 * schedule table itself, then the emulated commands on a prepared sandbox — fast by default,
 * realistic ones taking their scaled duration with progress lines that arrive while they run.
 */
import * as fs from "fs";
import { REALISTIC_TIMINGS, paceSchedule, prepareSandbox, sandboxStatus, timingProblem } from "../../sandbox";
import { statusTable } from "../../lib/cli/sandbox-status-table";
import { DB_BYTES_PER_SANDBOX_BYTE } from "../../sandbox/timing-profile";
import { readRegistry } from "../../sandbox/registry";
import { SandboxLayout } from "../../sandbox/layout";
import { EMULATOR, EmulatorSandbox, MASTER, SLAVE_GE } from "../sandbox/emulator-harness";

const SCALE = 0.01;
const REPO_7 = "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n";
const UPGRADE = "apt-get install -y -q --only-upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge python3-pyone";

describe("paceSchedule", () => {
  const realistic = { profile: "realistic" as const, scale: SCALE };

  it("leaves every command at full speed under the fast profile", () => {
    expect(paceSchedule(undefined, "apt-get install")).toBeUndefined();
  });

  it.each(Object.keys(REALISTIC_TIMINGS) as Array<keyof typeof REALISTIC_TIMINGS>)("%s: the table's seconds times the scale", (command) => {
    const s = paceSchedule(realistic, command)!;
    expect(s.durationMs).toBe(Math.round(REALISTIC_TIMINGS[command].seconds * SCALE * 1000));
    expect(s.lines).toHaveLength(REALISTIC_TIMINGS[command].lines ?? 0);
  });

  it("spreads the progress lines evenly, the last one at the end, in percent order", () => {
    const s = paceSchedule({ profile: "realistic", scale: 1 }, "apt-get install")!;
    expect(s.durationMs).toBe(150_000);
    expect(s.lines.map((l) => l.atMs)).toEqual([15, 30, 45, 60, 75, 90, 105, 120, 135, 150].map((x) => x * 1000));
    expect(s.lines[0].text).toBe("Progress: [ 10%]");
    expect(s.lines[9].text).toBe("Progress: [100%]");
  });

  it("makes onedb's time grow with the database and name its size, deterministically", () => {
    const small = paceSchedule({ profile: "realistic", scale: 1 }, "onedb upgrade", 100 * 1024)!;
    const large = paceSchedule({ profile: "realistic", scale: 1 }, "onedb upgrade", 400 * 1024)!;
    const perGB = REALISTIC_TIMINGS["onedb upgrade"].secondsPerGB!;
    expect(large.durationMs - small.durationMs).toBeCloseTo(((300 * 1024 * DB_BYTES_PER_SANDBOX_BYTE) / 1e9) * perGB * 1000, -1);
    expect(large.lines[0].text).toBe("  > Migrating 4.1 GB database: 10%");
    expect(paceSchedule({ profile: "realistic", scale: 1 }, "onedb upgrade", 400 * 1024)).toEqual(large);
  });

  it.each([
    ["slow", undefined, "--timing slow is not one of fast, realistic"],
    ["realistic", 0, "--timing-scale 0 is not between 0.001 and 1"],
    ["realistic", 2, "--timing-scale 2 is not between 0.001 and 1"],
    ["fast", 0.5, "--timing-scale needs --timing realistic"],
    [undefined, 0.5, "--timing-scale needs --timing realistic"],
    ["realistic", 0.5, undefined],
    [undefined, undefined, undefined],
  ])("timing %s, scale %s: %s", (profile, scale, problem) => {
    expect(timingProblem(profile, scale)).toBe(problem);
  });
});

describe("sandbox.json records the profile", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  // Each sandbox generates its keys: keep them few.
  const prepared = (opts: object): ReturnType<typeof readRegistry> => {
    const dir = fs.mkdtempSync("/tmp/onefed-timing-");
    dirs.push(dir);
    prepareSandbox({ dir, ...opts }, process.execPath, EMULATOR);
    return readRegistry(new SandboxLayout(dir));
  };

  it("writes nothing for fast (the default), the scale for realistic (default 0.1)", () => {
    expect(prepared({})!.timing).toBeUndefined();
    expect(prepared({ timing: "realistic" })!.timing).toEqual({ profile: "realistic", scale: 0.1 });
  });

  it("sandbox status shows it: the JSON's timing, and the table's first line", async () => {
    const dir = fs.mkdtempSync("/tmp/onefed-timing-");
    dirs.push(dir);
    prepareSandbox({ dir, timing: "realistic", timingScale: 0.25 }, process.execPath, EMULATOR);
    const st = await sandboxStatus(dir);
    expect(st.timing).toEqual({ profile: "realistic", scale: 0.25 });
    expect(statusTable(st).split("\n")[0]).toMatch(/: federation sandbox, 6\.10\.0 → 7\.0\.0, timing realistic × 0\.25$/);
    const fast = fs.mkdtempSync("/tmp/onefed-timing-");
    dirs.push(fast);
    prepareSandbox({ dir: fast }, process.execPath, EMULATOR);
    expect((await sandboxStatus(fast)).timing).toEqual({ profile: "fast" });
    expect(statusTable(await sandboxStatus(fast)).split("\n")[0]).toMatch(/7\.0\.0$/);
  });

  it("refuses a scale without the realistic profile before writing anything", () => {
    expect(() => prepared({ timingScale: 0.5 })).toThrow("--timing-scale needs --timing realistic");
  });
});

describe("emulated commands under the realistic profile", () => {
  let fast: EmulatorSandbox;
  let slow: EmulatorSandbox;
  beforeAll(() => {
    fast = EmulatorSandbox.create();
    slow = EmulatorSandbox.create({ timing: "realistic", timingScale: SCALE });
    for (const sb of [fast, slow]) fs.writeFileSync(sb.path(MASTER, "/etc/apt/sources.list.d/opennebula.list"), REPO_7);
  });
  afterAll(() => [fast, slow].forEach((sb) => sb.remove()));

  it("prints no progress lines under the fast profile", () => {
    const r = fast.run(MASTER, `apt-get update -q && ${UPGRADE}`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Progress: \[|Reading package lists\.\.\. \d+%/);
  });

  it("apt-get install: its progress lines arrive spread over its scaled duration, before its own last lines", async () => {
    expect(slow.run(MASTER, "apt-get update -q").stdout).toContain("Reading package lists... 100%\n");
    const r = await slow.runStreaming(MASTER, UPGRADE);
    expect(r.code).toBe(0);
    const expected = paceSchedule({ profile: "realistic", scale: SCALE }, "apt-get install")!;
    expect(r.durationMs).toBeGreaterThanOrEqual(expected.durationMs);
    const progress = r.lines.filter((l) => l.text.startsWith("Progress: ["));
    expect(progress.map((l) => l.text)).toEqual(expected.lines.map((l) => l.text));
    // Streamed, not held to the end: the first progress line came well before the last one.
    expect(progress[9].atMs - progress[0].atMs).toBeGreaterThanOrEqual(expected.lines[9].atMs - expected.lines[0].atMs - 50);
    const settingUp = r.lines.findIndex((l) => l.text.startsWith("Setting up "));
    expect(settingUp).toBeGreaterThan(r.lines.indexOf(progress[9]));
  });

  it("onedb backup and upgrade take time proportional to the database and say how far they are", async () => {
    expect(slow.run(MASTER, "systemctl stop opennebula").code).toBe(0);
    const dbBytes = fs.statSync(slow.path(MASTER, "/var/lib/one/one.db")).size;
    const r = await slow.runStreaming(MASTER, `onedb upgrade -v -b ${slow.work}/pre.bck`);
    expect(r.code).toBe(0);
    const backup = paceSchedule({ profile: "realistic", scale: SCALE }, "onedb backup", dbBytes)!;
    const upgrade = paceSchedule({ profile: "realistic", scale: SCALE }, "onedb upgrade", dbBytes)!;
    expect(r.durationMs).toBeGreaterThanOrEqual(backup.durationMs + upgrade.durationMs);
    const texts = r.lines.map((l) => l.text);
    expect(texts).toEqual(expect.arrayContaining([...backup.lines, ...upgrade.lines].map((l) => l.text)));
    expect(texts.indexOf(upgrade.lines[9].text)).toBeLessThan(texts.indexOf(">>> Running migrators for local tables"));
  });

  it("systemctl takes seconds to stop or start OpenNebula; onezone list is not paced", () => {
    const t = (cmd: string): number => {
      const t0 = Date.now();
      expect(slow.run(SLAVE_GE, cmd).code).toBe(0);
      return Date.now() - t0;
    };
    const stop = REALISTIC_TIMINGS["systemctl stop opennebula"].seconds * SCALE * 1000;
    const start = REALISTIC_TIMINGS["systemctl start opennebula"].seconds * SCALE * 1000;
    expect(t("systemctl stop opennebula")).toBeGreaterThanOrEqual(stop);
    expect(t("systemctl start opennebula")).toBeGreaterThanOrEqual(start);
    // onezone list and the other reads are never paced: well under systemctl's start even on a loaded machine.
    expect(t("onezone list")).toBeLessThan(start + 2000);
  });
});
