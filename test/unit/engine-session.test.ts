/**
 * The engine session against a fake engine (a shell script with canned output): what it runs,
 * where and with which environment, and how each failure reads.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineRunEnv, EngineSession } from "../../lib/terraform/engine-session";
import { EngineRunError, StalePlanError } from "../../lib/terraform/errors";
import { OnefedError } from "../../lib/model/errors";
import { FakeEngine, type FakeScript } from "../support/fake-engine";

const CONFIG = "/etc/onefed/federation.yaml";
const FROZEN = "Zones may still be frozen.";
const RERUN = "it runs again every step the federation's ledger does not prove complete, and only those.";
const UNFREEZE = "To give the federation back to its users before that, `onefed unfreeze --force` lifts the freeze (the next deploy freezes it again).";

describe("EngineSession", () => {
  let root: string;
  let n = 0;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-session-"));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A fresh fake engine and a session on a fresh stack directory. */
  function setup(script: FakeScript): { fake: FakeEngine; session: EngineSession; stackDir: string; lines: string[] } {
    const dir = path.join(root, `case-${++n}`);
    const stackDir = path.join(dir, "cdktf.out", "stacks", "federation-test");
    fs.mkdirSync(stackDir, { recursive: true });
    const fake = new FakeEngine(dir, script);
    const lines: string[] = [];
    return { fake, session: new EngineSession({ engine: fake.engine, stackDir, configPath: CONFIG, log: (l) => lines.push(l) }), stackDir, lines };
  }

  /** The rejection of `p`, which must reject. */
  async function failure(p: Promise<unknown>): Promise<Error> {
    return p.then(
      () => {
        throw new Error("expected a failure");
      },
      (err: Error) => err,
    );
  }

  it("runs every phase in the stack directory with the engine environment and the federation file", async () => {
    const { fake, session, stackDir, lines } = setup({
      init: { stdout: ["Initializing the backend...", "Terraform has been successfully initialized!"] },
      plan: { stdout: ["Plan: 3 to add, 0 to change, 0 to destroy."] },
      show: { stdout: ['{"format_version":"1.2"}'], stderr: ["Warning: a warning on stderr"] },
      apply: { stdout: ["Apply complete! Resources: 3 added, 0 changed, 0 destroyed."] },
    });
    const init = await session.init();
    await session.plan("/plans/plan.tfplan", 12);
    expect(await session.showJson("/plans/plan.tfplan")).toBe('{"format_version":"1.2"}\n');
    await session.apply(12);
    await session.applyPlan("/plans/plan.tfplan", 7, "/plans");

    expect(init.output).toBe("Initializing the backend...\nTerraform has been successfully initialized!\n");
    expect(lines).toEqual([
      "Initializing the backend...",
      "Terraform has been successfully initialized!",
      "Plan: 3 to add, 0 to change, 0 to destroy.",
      // show is not streamed: its JSON is data, not progress.
      "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.",
      "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.",
    ]);
    const calls = fake.calls();
    expect(calls.map((c) => c.args)).toEqual([
      ["init", "-input=false", "-no-color", "-reconfigure"],
      ["plan", "-out=/plans/plan.tfplan", "-input=false", "-no-color", "-parallelism=12"],
      ["show", "-json", "-no-color", "/plans/plan.tfplan"],
      ["apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=12"],
      ["apply", "-input=false", "-no-color", "-parallelism=7", "/plans/plan.tfplan"],
    ]);
    for (const call of calls) {
      expect(call).toMatchObject({ cwd: fs.realpathSync(stackDir), federationConfig: CONFIG, cliConfigFile: fake.engine.cliConfigFile, inAutomation: "1" });
    }
  });

  it("reports a failed init as one paragraph quoting the end of the engine's output", async () => {
    const { session, stackDir } = setup({
      init: { stdout: ["Initializing provider plugins..."], stderr: ["Error: Failed to query available provider packages"], exit: 1 },
    });
    const err = await failure(session.init());
    expect(err).toBeInstanceOf(EngineRunError);
    expect(err).toBeInstanceOf(OnefedError);
    expect(err).toMatchObject({ phase: "init", commandExitCode: 1, exitCode: 1 });
    expect((err as EngineRunError).command).toMatch(/\/terraform init -input=false -no-color -reconfigure$/);
    expect(err.message).toBe(
      `terraform init failed in ${stackDir} (exit 1); nothing was planned or applied. Last lines of its output:\n` +
        "    Initializing provider plugins...\n    Error: Failed to query available provider packages",
    );
  });

  it("runs init again when it lost the pg backend's race to create the schema (two runs' first init at once), and only for that", async () => {
    const race = {
      stdout: ["Initializing the backend..."],
      stderr: ['Error: pq: duplicate key value violates unique constraint "pg_type_typname_nsp_index"'],
      exit: 1,
    };
    const { fake, session, lines } = setup({ init: [race, { stdout: ["Terraform has been successfully initialized!"] }] });
    expect((await session.init()).exitCode).toBe(0);
    expect(fake.calls().map((c) => c.args[0])).toEqual(["init", "init"]);
    expect(lines.filter((l) => /init again/.test(l))).toEqual([
      expect.stringMatching(
        /^terraform init met another run creating the pg backend's schema at the same moment .*; nothing was planned or applied: init again in \d+ ms$/,
      ),
    ]);

    // Three lost races in a row: the last one is reported like any failed init.
    const always = setup({ init: race });
    const err = await failure(always.session.init());
    expect(err).toMatchObject({ phase: "init", commandExitCode: 1 });
    expect(always.fake.calls()).toHaveLength(3);

    // Any other failure of init is reported at once.
    const other = setup({ init: { stderr: ['Error: pq: duplicate key value violates unique constraint "states_by_name"'], exit: 1 } });
    await failure(other.session.init());
    expect(other.fake.calls()).toHaveLength(1);
  });

  it("reports a failed plan: no plan was written", async () => {
    const { session, stackDir } = setup({ plan: { stderr: ["Error: Unsupported argument"], exit: 1 } });
    const err = await failure(session.plan("/plans/plan.tfplan", 10));
    expect(err).toMatchObject({ phase: "plan", commandExitCode: 1 });
    expect(err.message).toBe(`terraform plan failed in ${stackDir} (exit 1); no plan was written. Last lines of its output:\n    Error: Unsupported argument`);
  });

  it("reports a failed show with its stderr", async () => {
    const { session } = setup({ show: { stdout: ["{"], stderr: ["Error: plan file is corrupt"], exit: 1 } });
    const err = await failure(session.showJson("/plans/plan.tfplan"));
    expect(err).toMatchObject({ phase: "show" });
    expect(err.message).toBe("terraform show -json /plans/plan.tfplan failed (exit 1). Last lines of its output:\n    Error: plan file is corrupt");
  });

  it("reports a failed deploy apply: zones may be frozen, deploy again (or unfreeze --force)", async () => {
    const { session } = setup({ apply: { stderr: ["Error: local-exec provisioner error"], exit: 1 } });
    const err = await failure(session.apply(10));
    expect(err).toMatchObject({ phase: "apply", commandExitCode: 1 });
    expect(err.message).toBe(
      `terraform apply failed (exit 1); the failing step's message is above. ${FROZEN} ` + `Fix the cause and deploy again: ${RERUN} ${UNFREEZE}`,
    );
  });

  it("reports a failed apply of a reviewed plan with the same advice, retried through plan and apply --plan", async () => {
    const { session } = setup({ apply: { stderr: ["Error: local-exec provisioner error"], exit: 1 } });
    const err = await failure(session.applyPlan("/plans/plan.tfplan", 10, "/plans"));
    expect(err).toBeInstanceOf(EngineRunError);
    expect(err.message).toBe(
      `terraform apply of the reviewed plan failed (exit 1); the failing step's message is above. ${FROZEN} ` +
        `Fix the cause and run \`onefed plan\` and \`onefed apply --plan\` again (or \`onefed deploy\`): ${RERUN} ${UNFREEZE}`,
    );
  });

  it.each(["Saved plan is stale", "Saved plan does not match the given state"])(
    "turns the engine's own refusal %j into a StalePlanError that touched nothing",
    async (refusal) => {
      const { session } = setup({
        apply: { stderr: [`Error: ${refusal}`, "", "The given plan file can no longer be applied because the state was changed"], exit: 1 },
      });
      const err = await failure(session.applyPlan("/plans/plan.tfplan", 10, "/plans"));
      expect(err).toBeInstanceOf(StalePlanError);
      expect(err.message).toContain(
        `the plan in /plans is stale and was not applied; no zone was touched. Since it was reviewed, terraform found that the state changed after the plan was made ("${refusal}") and applied nothing.`,
      );
      expect(err.message).not.toContain("frozen");
    },
  );

  it("does not call a successful apply stale because its output quotes the words", async () => {
    const { session } = setup({ apply: { stdout: ["step says: Saved plan is stale", "Apply complete!"] } });
    await expect(session.applyPlan("/plans/plan.tfplan", 10, "/plans")).resolves.toMatchObject({ exitCode: 0 });
  });

  it("says when a signal ended the apply", async () => {
    const { session } = setup({ apply: { stdout: ["null_resource.zone_0_upgrade: Creating..."], signal: "KILL" } });
    const err = await failure(session.apply(10));
    expect(err).toMatchObject({ phase: "apply", commandExitCode: null });
    expect(err.message).toMatch(/^terraform apply failed \(killed by SIGKILL\); the failing step's message is above\. Zones may still be frozen/);
  });

  it("says that nothing was applied when the engine could not start", async () => {
    const { fake, session } = setup({});
    fs.rmSync(fake.engine.binary);
    const err = await failure(session.apply(10));
    expect(err).toMatchObject({ phase: "apply", commandExitCode: null });
    expect(err.message).toMatch(/^terraform apply could not start: spawn .*ENOENT; nothing was applied\.$/);
    const init = await failure(session.init());
    expect(init.message).toMatch(/^terraform init failed in .* \(could not start: spawn .*ENOENT\); nothing was planned or applied\.$/);
  });
});

describe("engineRunEnv", () => {
  it("adds the engine variables and the federation file, overriding what the machine sets", () => {
    const env = engineRunEnv({ env: { TF_CLI_CONFIG_FILE: "/c/terraform.tfrc", TF_IN_AUTOMATION: "1" } }, CONFIG, {
      PATH: "/bin",
      TF_CLI_CONFIG_FILE: "/root/.terraformrc",
      FEDERATION_CONFIG: "/elsewhere.yaml",
    });
    expect(env).toEqual({ PATH: "/bin", TF_CLI_CONFIG_FILE: "/c/terraform.tfrc", TF_IN_AUTOMATION: "1", FEDERATION_CONFIG: CONFIG });
  });
});
