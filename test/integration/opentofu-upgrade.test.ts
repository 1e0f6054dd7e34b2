/**
 * A full sandbox upgrade (1 master + 2 slaves on real sshd) with OpenTofu, chosen while terraform
 * is on PATH: `onefed plan --engine tofu`, then `onefed apply --plan` with nothing chosen (it keeps
 * the plan's engine), a deploy again with ONEFED_ENGINE=tofu that runs nothing, and the refusals
 * of an engine that is missing (exit 6) or differs from the plan's (exit 4). The OpenTofu binary is
 * onefed's own build, cached like the null provider (.ci/run starts it early in the background).
 */
import * as fs from "fs";
import * as path from "path";
import { ExitCode } from "../../lib/model/exit-codes";
import type { Engine } from "../../lib/terraform/engine/engine";
import { findOnPath } from "../../lib/terraform/engine/engine-binary";
import { ensureEngine } from "../../lib/terraform/engine/ensure-engine";
import { readBundle } from "../../lib/terraform/review/bundle";
import { changesSince, describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

// The first build of OpenTofu takes 6–11 min on 2 cores; later runs find it in the cache.
jest.setTimeout(1_500_000);

describeAsRoot("a full upgrade with OpenTofu, chosen while terraform is on PATH", () => {
  let sandbox: SandboxFixture;
  let tofu: Engine;
  let planDir: string;
  let cdktfOut: string;
  const onefed = (argv: string[], env: NodeJS.ProcessEnv = {}) => runOnefed(argv, sandbox.dir, { ONEFED_ENGINE: "", ...env });

  beforeAll(async () => {
    // Builds OpenTofu once (or waits on the engine lock for the build .ci/run started).
    tofu = await ensureEngine({ preferBuild: true, log: (l) => console.log(l) });
    sandbox = await SandboxFixture.up("127.0.155.1");
    planDir = path.join(sandbox.dir, "plan-review");
    cdktfOut = path.join(sandbox.dir, "cdktf.out");
  });
  afterAll(async () => sandbox?.down());

  it("has terraform on PATH and onefed's OpenTofu in its cache, so that the choice matters", () => {
    expect(findOnPath("terraform", process.env.PATH)).toBeDefined();
    expect(tofu).toMatchObject({ kind: "tofu", source: "built", version: "1.12.6" });
  });

  it("plans with --engine tofu: the bundle records OpenTofu", async () => {
    const r = await onefed(["plan", "--engine", "tofu", "--config", sandbox.configPath, "--out", planDir, "--cdktf-out", cdktfOut, "--no-check"]);
    expect({ code: r.code, output: r.output }).toMatchObject({ code: 0 });
    expect(r.output).toContain(`engine: tofu 1.12.6 (built by onefed; chosen: tofu (--engine)): ${tofu.binary}`);
    expect(readBundle(planDir).engine).toMatchObject({ kind: "tofu", version: "1.12.6", binary: tofu.binary });
  });

  it("applies the reviewed plan with OpenTofu when nothing chooses, and upgrades every zone", async () => {
    const r = await onefed(["apply", "--plan", planDir]);
    expect({ code: r.code, output: r.output }).toMatchObject({ code: 0 });
    expect(r.output).toContain("chosen: tofu (plan bundle)");
    expect(r.output).toMatch(/Apply complete! Resources: 24 added, 0 changed, 0 destroyed/);
    const status = await sandbox.status();
    for (const zone of status.zones) for (const fe of zone.frontends) expect({ fe: fe.name, pkg: fe.packageVersion }).toEqual({ fe: fe.name, pkg: "7.0.0" });
    // OpenTofu wrote the state (it records its own version there).
    const state = JSON.parse(fs.readFileSync(readBundle(planDir).state.location, "utf8")) as { terraform_version: string; resources: unknown[] };
    expect(state.terraform_version).toBe("1.12.6");
    // Every resource of the plan: 24 (the steps in chains, the two barriers).
    expect(state.resources.length).toBe(24);
  });

  it("deploys again with ONEFED_ENGINE=tofu and runs nothing on any zone", async () => {
    const before = sandbox.log().length;
    const r = await onefed(["deploy", "--config", sandbox.configPath, "--out", cdktfOut], { ONEFED_ENGINE: "tofu" });
    expect({ code: r.code, output: r.output }).toMatchObject({ code: 0 });
    expect(r.output).toContain(`engine: tofu 1.12.6 (built by onefed; chosen: tofu (ONEFED_ENGINE)): ${tofu.binary}`);
    expect(r.output).toMatch(/No changes\.|Resources: 0 added, 0 changed, 0 destroyed/);
    expect(changesSince(sandbox.log(), before)).toEqual([]);
  });

  it("refuses terraform when it is not on PATH: exit 6, one paragraph, nothing run", async () => {
    const before = sandbox.log().length;
    const r = await onefed(["deploy", "--engine", "terraform", "--config", sandbox.configPath, "--out", cdktfOut], { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
    expect(r.code).toBe(ExitCode.EngineUnavailable);
    expect(r.output).toContain(
      "EngineUnavailableError: the engine terraform (--engine) is not available: no terraform on PATH, and onefed builds only OpenTofu. Nothing was run.",
    );
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(sandbox.log().length).toBe(before);
  });

  it("refuses to apply a plan made with OpenTofu with terraform: stale, exit 4, nothing run", async () => {
    const again = path.join(sandbox.dir, "plan-again");
    expect(
      (await onefed(["plan", "--config", sandbox.configPath, "--out", again, "--cdktf-out", cdktfOut, "--no-check"], { ONEFED_ENGINE: "tofu" })).code,
    ).toBe(0);
    const before = sandbox.log().length;
    const r = await onefed(["apply", "--plan", again, "--engine", "terraform"]);
    expect(r.code).toBe(ExitCode.StalePlan);
    expect(r.output).toMatch(/the engine is now terraform \d+\.\d+\.\d+, the plan was made with tofu 1\.12\.6/);
    expect(changesSince(sandbox.log(), before)).toEqual([]);
  });
});
