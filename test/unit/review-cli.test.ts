/** `onefed plan` and `onefed apply --plan` at the command line: help, bad input, the optional drift check. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPLY_HELP, runApplyCommand } from "../../lib/cli/apply-command";
import { loadDriftCheck, PLAN_HELP, runPlanCommand } from "../../lib/cli/plan-command";
import { UsageError } from "../../lib/model/errors";
import { PlanBundleError } from "../../lib/terraform/review/errors";

const collect = () => {
  const lines: string[] = [];
  return { lines, out: (s: string) => void lines.push(s) };
};

describe("--help", () => {
  it.each([
    ["plan", runPlanCommand, PLAN_HELP, ["--config FILE", "--out DIR", "--no-check", "review.md", "graph.svg", "bundle.json", "Exit codes:\n  0  done"]],
    [
      "apply",
      runApplyCommand,
      APPLY_HELP,
      ["--plan DIR", "--config FILE", "Saved plan is stale", "sha256", "serial", "Exit codes:\n  0  done", "4  the reviewed plan is stale"],
    ],
  ] as const)("onefed %s --help says what it does, its options and exit codes", async (_name, run, help, words) => {
    const { lines, out } = collect();
    await expect(run(["--help"], out)).resolves.toBe(0);
    expect(lines.join("")).toBe(help);
    for (const w of words) expect(help).toContain(w);
  });
});

describe("bad input", () => {
  it.each([
    ["plan with an unknown option", () => runPlanCommand(["--apply"], () => undefined), /onefed plan: unknown option --apply/],
    [
      "plan with a bad parallelism",
      () => runPlanCommand(["--parallelism", "0"], () => undefined),
      /--parallelism must be an integer from 1 to 9999 \(got "0"\)/,
    ],
    ["plan with a stray argument", () => runPlanCommand(["now"], () => undefined), /unexpected argument "now"/],
    ["apply without --plan", () => runApplyCommand([], () => undefined), /--plan DIR is required/],
    ["apply --plan without a value", () => runApplyCommand(["--plan"], () => undefined), /--plan needs a value/],
  ])("refuses %s (exit 2)", async (_what, run, message) => {
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
  });

  it("refuses to apply a directory without a bundle, touching nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-empty-"));
    try {
      const err = await runApplyCommand(["--plan", dir], () => undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlanBundleError);
      expect((err as Error).message).toMatch(/is not a usable plan review \(no bundle.json\); no zone was touched\. Run `onefed plan --out/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadDriftCheck", () => {
  it("uses lib/checks/drift-check when this build has it, and says not available otherwise", () => {
    const present = fs.existsSync(path.resolve(__dirname, "../../lib/run/drift-check.ts"));
    const check = loadDriftCheck();
    if (present) expect(typeof check).toBe("function");
    else expect(check).toBeUndefined();
  });
});
