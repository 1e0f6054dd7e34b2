/** `onefed deploy`: synthesize and apply with the prepared engine. */
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { configOption, engineOption, parallelismOption } from "./common-options";
import { consoleOption, eventsOption, ignoreWindowOption, noWarmRunnerOption } from "./run-options";
import { oneOf, text } from "./options";
import { runConsole } from "../terraform/console/run-console";

export const deployCommand = defineCommand(
  {
    name: "onefed deploy",
    summary: "synthesize and apply with the prepared engine (real terraform apply)",
    description: `Synthesizes the stack and applies it with a real engine (terraform/OpenTofu from PATH, or the one
\`onefed engine\` builds), using our generated CLI config for the offline null provider mirror.
Finished steps never run again; after a failure, deploy again to resume at the failed step.
Every run leaves a run directory next to the artifacts (<backup.localDirectory>/runs/<run id>/):
engine.log (terraform's whole output, the plan included), steps/<step>-zone<id>.log (every
command, its output, exit code and duration) and events.jsonl (docs/events.md). On a terminal
the console shows a progress view (with an ETA from the duration history); elsewhere timestamped
lines, remote output as it arrives. Every finished run appends the durations of the steps that ran
to the duration history (<backup.localDirectory>/history.jsonl, or $ONEFED_HISTORY_FILE).
With \`window\` in the federation file, the deploy refuses to start (exit 7, before any SSH
command) when now is outside the maintenance window or the estimated end falls after it closes
(docs/estimates.md); --ignore-window runs anyway.
With notify: in the federation file, run start, step failures and run end are also POSTed as
those JSON events to a webhook; a failing webhook is one warning line (docs/notify.md).`,
    options: {
      config: configOption,
      out: text({ value: "DIR", help: "cdktf output directory", default: "cdktf.out" }),
      parallelism: parallelismOption("number of zones + 2, at least 10, at most 16 per CPU with the warm runner, 8 without"),
      engine: engineOption,
      via: oneOf(["engine", "cdktf"], {
        help: "engine: terraform init/apply in the stack directory;\ncdktf: `cdktf deploy --auto-approve` instead",
        default: "engine",
      }),
      events: eventsOption,
      console: consoleOption,
      "ignore-window": ignoreWindowOption,
      "no-warm-runner": noWarmRunnerOption,
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked, ExitCode.EngineUnavailable, ExitCode.OutsideWindow],
  },
  async ({ config, out: outdir, parallelism, engine, via, events, console: mode, "ignore-window": ignoreWindow, "no-warm-runner": noWarmRunner }, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine).
    const { deploy } = await import("../terraform/deploy");
    const view = runConsole(mode, process.stdout, out);
    try {
      await deploy({
        configPath: config,
        outdir,
        parallelism,
        engine,
        via,
        events,
        ignoreWindow,
        warmRunner: noWarmRunner ? false : undefined,
        log: (l) => view.line(l),
        onRun: (p) => view.attach(p),
      });
    } finally {
      view.stop();
    }
    return ExitCode.Done;
  },
);
