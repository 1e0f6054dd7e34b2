/** `onefed rehearse [FILE] --plan DIR`: the reviewed plan, step for step, on a sandbox twin of the federation. */
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { flag, text } from "./options";

export const rehearseCommand = defineCommand(
  {
    name: "onefed rehearse",
    summary: "apply a reviewed plan to a sandbox twin of the federation and measure it",
    description: `Builds a sandbox twin of the federation in FILE (the file the plan in DIR was made from): the same
zone ids, names and roles, HA servers per zone, hypervisor nodes, package manager and DB backend
per zone, the plan's from/to versions and one FED_INDEX everywhere, each machine a real sshd on a
loopback address from --address-base, in a new directory under the temp directory with its own
state and artifacts. Then it plans the twin from FILE with the twin's machines substituted and
proves that its step graph is the reviewed one (steps, zones, stages, order; exit 8 if not),
applies the twin's saved plan as \`onefed apply --plan\` would, and reports the result: done, or the
step and zone that failed with the step's own paragraph, and every stage's measured duration.
The durations go to the real federation's history (<backup.localDirectory>/history.jsonl, source
"rehearsal") for the next plan's estimates. The twin is taken down unless --keep. The real
federation is never connected to. Needs root and Linux, like \`onefed sandbox up\` (docs/rehearse.md).`,
    positionals: { file: text({ value: "FILE", help: "federation file (default: the one DIR/bundle.json records)" }) },
    options: {
      plan: text({ value: "DIR", help: "the bundle directory written by `onefed plan --out DIR`", required: true }),
      "address-base": text({ value: "A", help: "first loopback address of the twin's machines (127.x.y.z)", defaultNote: "127.0.240.1" }),
      keep: flag({ help: "leave the twin running (`onefed sandbox down --dir <twin>` takes it down)" }),
      inject: text({
        value: "STEP:ZONE[:TEXT]",
        help: "test option: the next command of STEP on ZONE's front-ends (or the one containing TEXT) fails in the twin",
        defaultNote: "none",
      }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.StalePlan, ExitCode.EngineUnavailable, ExitCode.RehearsalMismatch],
  },
  async (args, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no cdktf, no engine, no sandbox).
    const { parseInjection } = await import("../terraform/rehearse/injection");
    const inject = args.inject !== undefined ? parseInjection(args.inject) : undefined;
    const { rehearse } = await import("../terraform/rehearse/rehearse");
    const { renderStageTable } = await import("../terraform/rehearse/stage-durations");
    const { RehearsalFailedError } = await import("../terraform/rehearse/errors");
    const { sandboxTwin } = await import("./twin-sandbox");
    try {
      const result = await rehearse(
        { planDir: args.plan, configPath: args.file, addressBase: args["address-base"], keep: args.keep, inject, log: out, runLog: out },
        sandboxTwin,
      );
      out(`rehearse: done: every step of the reviewed plan ran on the twin. Stage durations:`);
      for (const line of renderStageTable(result.stages)) out(line);
      out(`rehearse: durations recorded for the next plan's estimates in ${result.historyFile}`);
      return ExitCode.Done;
    } catch (err) {
      if (err instanceof RehearsalFailedError && err.stages.length > 0) {
        out(`rehearse: failed. Stage durations until then:`);
        for (const line of renderStageTable(err.stages)) out(line);
      }
      throw err;
    }
  },
);

export const REHEARSE_HELP = rehearseCommand.help;
