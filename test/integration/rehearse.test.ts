/**
 * `onefed rehearse` end to end (docs/rehearse.md): a reviewed plan of a 1 + 2 sandbox with an HA
 * slave is rehearsed on a twin (its own sshd front-ends on other loopback addresses) and succeeds
 * with every stage's duration; a failure injected into the twin is reported with its step and
 * zone and exit 1; the twin's sshd are gone afterwards, and the real sandbox received no command.
 * Addresses: the "real" federation on 127.0.200.x, the twins on 127.0.201.x and 127.0.202.x.
 */
import * as fs from "fs";
import * as path from "path";
import { runPlanCommand } from "../../lib/cli/plan-command";
import { ExitCode } from "../../lib/model/exit-codes";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

/** The twin's sshd pids and directory, as the report names them. */
function twinOf(output: string): { pids: number[]; dir: string } {
  const pids = /twin up: \d+ machines \(sshd pids ([\d, ]+)\)/.exec(output)?.[1];
  const dir = /, in (\/\S+)$/m.exec(output)?.[1];
  if (!pids || !dir) throw new Error(`no twin in the output:\n${output}`);
  return { pids: pids.split(", ").map(Number), dir };
}

/** Whether pid is still an sshd (a recycled pid of another program does not count). */
function isSshd(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("sshd");
  } catch {
    return false;
  }
}

describeAsRoot("onefed rehearse --plan DIR", () => {
  let real: SandboxFixture;
  let planDir: string;

  beforeAll(async () => {
    real = await SandboxFixture.up("127.0.200.1", 2, { ha: [101], servers: 2 });
    planDir = path.join(real.dir, "plan-review");
    const lines: string[] = [];
    const code = await runPlanCommand(["--config", real.configPath, "--out", planDir, "--cdktf-out", path.join(real.dir, "cdktf.out"), "--no-check"], (l) =>
      lines.push(l),
    );
    expect(code).toBe(0);
  });
  afterAll(async () => real?.down());

  it("rehearses the reviewed plan on a twin: done, every stage's duration, the twin taken down, the real federation untouched", async () => {
    const before = real.log().length;
    const r = await runOnefed(["rehearse", real.configPath, "--plan", planDir, "--address-base", "127.0.201.1"], real.dir);
    expect({ code: r.code, tail: r.output.slice(-3000) }).toMatchObject({ code: ExitCode.Done });
    expect(r.output).toMatch(/rehearse: twin of sandbox \(zone 0 M-EU-FR, zone 100 S-EU-GE, zone 101 S-US-CA HA ×2\), 6\.10\.0 → 7\.0\.0/);
    expect(r.output).toMatch(/rehearse: the twin's plan is the reviewed one step for step: \d+ steps in \d+ stages on 3 zones/);
    // The twin's front-ends, never the real ones, ran the steps.
    expect(r.output).toMatch(/127\.0\.201\.\d+:22 \$ /);
    expect(r.output).not.toMatch(/127\.0\.200\.\d+:22 \$ /);
    expect(r.output).toContain("rehearse: done: every step of the reviewed plan ran on the twin. Stage durations:");
    const stageLines = r.output.split("\n").filter((l) => /^\s+stage\s+\d+\s/.test(l));
    expect(stageLines.length).toBeGreaterThanOrEqual(15);
    expect(stageLines[0]).toMatch(/stage\s+1\s+[\d.]+ (ms|s)\s+preflight 0 [\d.]+ (ms|s)$/);
    expect(stageLines.join("\n")).toMatch(/replicate 101 [\d.]+ (ms|s|m\d\ds)/);
    expect(r.output).toContain(`durations recorded for the next plan's estimates in ${path.join(real.dir, "artifacts", "history.jsonl")}`);
    expect(r.output).toContain("rehearse: twin taken down");
    const twin = twinOf(r.output);
    expect(twin.pids).toHaveLength(4);
    expect(twin.pids.filter(isSshd)).toEqual([]);
    expect(fs.existsSync(twin.dir)).toBe(false);
    // Rehearsing reads nothing from and runs nothing on the real federation; its plan stays applicable.
    expect(real.log().length).toBe(before);
    expect(fs.existsSync(path.join(planDir, "applied.json"))).toBe(false);

    // The twin's measured durations land in the real federation's history, marked as a rehearsal...
    const history = fs
      .readFileSync(path.join(real.dir, "artifacts", "history.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { source: string; step: string; zone: number; duration_ms: number });
    expect(history.length).toBeGreaterThanOrEqual(15);
    expect(new Set(history.map((h) => h.source))).toEqual(new Set(["rehearsal"]));
    expect(new Set(history.map((h) => h.zone))).toEqual(new Set([0, 100, 101]));
    expect(history.find((h) => h.step === "upgrade" && h.zone === 101)?.duration_ms).toBeGreaterThan(0);
    // ...and the next plan of the real federation estimates from them.
    const next = path.join(real.dir, "plan-after-rehearsal");
    const code = await runPlanCommand(
      ["--config", real.configPath, "--out", next, "--cdktf-out", path.join(real.dir, "cdktf-after.out"), "--no-check"],
      () => undefined,
    );
    expect(code).toBe(0);
    const review = fs.readFileSync(path.join(next, "review.md"), "utf8");
    expect(review).not.toContain("No history yet");
    expect(review).toMatch(/From the duration history `[^`]*history\.jsonl` \(\d+ measurements\)/);
    expect(review).toMatch(/\*\*About \d+(m\d\ds|s) in all\.\*\*/);
  });

  it("reports a failure injected into the twin with its step and zone, exit 1, and still takes the twin down", async () => {
    const r = await runOnefed(["rehearse", "--plan", planDir, "--address-base", "127.0.202.1", "--inject", "upgrade:100"], real.dir);
    expect({ code: r.code, tail: r.output.slice(-3000) }).toMatchObject({ code: ExitCode.Failed });
    expect(r.output).toMatch(
      /RehearsalFailedError: the rehearsal failed at step upgrade on zone 100: [\s\S]*`onedb upgrade [^`]*` exited with 255:\s+Injected failure \(onefed rehearse --inject upgrade:100\)/,
    );
    expect(r.output).toContain("The real federation was not touched. The twin was taken down; rehearse with --keep to keep it and its run's logs.");
    expect(r.output).toContain("rehearse: failed. Stage durations until then:");
    expect(r.output).toMatch(/upgrade 100 FAILED/);
    const twin = twinOf(r.output);
    expect(twin.pids.filter(isSshd)).toEqual([]);
    expect(fs.existsSync(twin.dir)).toBe(false);
  });

  it("refuses bad input before any twin starts: exit 2", async () => {
    const r = await runOnefed(["rehearse", "--plan", planDir, "--address-base", "127.0.203.1", "--inject", "upgrade:999"], real.dir);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.output).toMatch(/--inject upgrade:999: the federation has no zone 999/);
    expect(r.output).not.toMatch(/twin up/);
  });
});
