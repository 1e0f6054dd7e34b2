/**
 * `onefed`: one CLI, subcommands loaded on demand so that `onefed step` (on every resource's hot
 * path) never loads cdktf, the engine or the sandbox.
 */
import { describeError, isExpectedFailure } from "../model/errors";

type Subcommand = (argv: string[], out: (s: string) => void) => Promise<number>;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Subcommand }> = {
  step: { summary: "run one upgrade step on one zone (what each resource calls)", load: () => require("./step-command").runStepCommand },
  check: { summary: "read-only drift check: is the federation as the file says, and ready?", load: () => require("./check-command").runCheckCommand },
  verify: { summary: "post-upgrade checks on every zone (versions, services, zone enabled, FED_INDEX)", load: () => require("./zones-command").runVerifyCommand },
  unfreeze: { summary: "lift the freeze by hand after a failed run (onezone enable, master first)", load: () => require("./zones-command").runUnfreezeCommand },
  plan: { summary: "plan with the engine and write a review bundle for a pull request", load: () => require("./plan-command").runPlanCommand },
  apply: { summary: "apply exactly a reviewed plan (onefed plan --out DIR), or refuse if stale", load: () => require("./apply-command").runApplyCommand },
  synth: { summary: "validate the federation file and synthesize the stack", load: () => require("./synth-command").runSynthCommand },
  deploy: { summary: "synthesize and apply with the prepared engine (real terraform apply)", load: () => require("./deploy-command").runDeployCommand },
  engine: { summary: "find or build terraform/OpenTofu and the null provider mirror", load: () => require("./engine-command").runEngineCommand },
  sandbox: { summary: "a local federation of real sshd front-ends with emulated OpenNebula", load: () => require("./sandbox-command").runSandboxCommand },
  schema: { summary: "print the JSON Schema of the federation file", load: () => require("./schema-command").runSchemaCommand },
  demo: { summary: "the main job: sandbox up, engine, deploy, before/after table", load: () => require("./demo-command").runDemoCommand },
};

export const HELP = `Usage: onefed <command> [options]

Coordinated OpenNebula federation upgrades (type B) as infrastructure as code: cdktf builds one
resource per (step, zone), terraform or OpenTofu plans and applies, this runner does each step over SSH.

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join("\n")}

Run \`onefed <command> --help\` for a command's options.
`;

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(HELP);
    return name ? 0 : 2;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`onefed: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await sub.load()(rest, out);
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return isExpectedFailure(err) ? err.exitCode : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${describeError(err)}\n`);
      process.exit(1);
    },
  );
}
