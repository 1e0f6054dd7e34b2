/** `onefed apply --plan DIR`: apply exactly the reviewed plan, or refuse when it went stale. */
import { ENGINE_ENV } from "../model/engine-choice";
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { engineOption, parallelismOption } from "./common-options";
import { consoleOption, eventsOption, ignoreWindowOption, noWarmRunnerOption } from "./run-options";
import { runConsole } from "../terraform/console/run-console";
import { text } from "./options";

export const applyCommand = defineCommand(
  {
    name: "onefed apply",
    summary: "apply exactly a reviewed plan (onefed plan --out DIR), or refuse if stale",
    description: `Applies exactly the plan that \`onefed plan --out DIR\` made and that was reviewed:
\`terraform apply <DIR/plan.tfplan>\` in the stack directory recorded in DIR/bundle.json.
Before touching anything it proves that the plan still holds, and refuses otherwise (exit 4):
  - the federation file has the sha256 it had at plan time;
  - re-synthesizing it (into a temporary directory) gives the cdk.tf.json that was planned;
  - the state (any backend, read with \`state pull\`) has the serial and lineage it had at plan time;
  - the engine is the same kind and version, and plan.tfplan is the file that was reviewed
    (without --engine, $ONEFED_ENGINE or \`engine:\` in the file, the kind recorded at plan time is used).
When the stack directory is gone (a pipeline job that only restored DIR from an artifact), the
planned stack is synthesized there again and initialized, once the checks above passed; plan and
apply must still run on the same automation host, checkout path and state (terraform.backend).
Terraform's own refusal of a stale plan ("Saved plan is stale") is reported the same way. When
refused, run \`onefed plan\` again and have the new review approved.
Like deploy, the run leaves a run directory (<backup.localDirectory>/runs/<run id>/) with
engine.log, one log per step and zone, and events.jsonl (docs/events.md), and appends the steps'
durations to the duration history. With \`window\` in the federation file it refuses to start
(exit 7, before any SSH command) outside the maintenance window or when the estimated end falls
after it closes (docs/estimates.md); --ignore-window runs anyway. notify: in the federation
file POSTs run start, step failures and run end to a webhook (docs/notify.md).`,
    options: {
      plan: text({ value: "DIR", help: "the bundle directory written by `onefed plan --out DIR`", required: true }),
      config: text({ value: "FILE", help: "federation file", defaultNote: "the one recorded in the bundle" }),
      parallelism: parallelismOption("the one recorded at plan time"),
      events: eventsOption,
      console: consoleOption,
      "ignore-window": ignoreWindowOption,
      "no-warm-runner": noWarmRunnerOption,
      engine: { ...engineOption, defaultText: `$${ENGINE_ENV}, else the federation file's engine, else the engine the plan was made with` },
    },
    exitCodes: [ExitCode.Failed, ExitCode.StalePlan, ExitCode.Locked, ExitCode.EngineUnavailable, ExitCode.OutsideWindow],
  },
  async ({ plan: planDir, config, parallelism, engine, events, console: mode, "ignore-window": ignoreWindow, "no-warm-runner": noWarmRunner }, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine).
    const { applyReviewedPlan } = await import("../terraform/review/apply-plan");
    const view = runConsole(mode, process.stdout, out);
    try {
      await applyReviewedPlan({
        planDir,
        configPath: config,
        parallelism,
        engine,
        events,
        ignoreWindow,
        warmRunner: noWarmRunner ? false : undefined,
        log: (l) => view.line(l),
        onRun: (p) => view.attach(p),
      });
    } finally {
      view.stop();
    }
    out(`apply: the reviewed plan in ${planDir} was applied`);
    return ExitCode.Done;
  },
);

export const APPLY_HELP = applyCommand.help;
export const runApplyCommand = applyCommand.run;
