/**
 * `onefed runner --fifo PATH`: the warm runner that `onefed deploy` and `onefed apply` start
 * before the engine runs and stop after it (docs/warm-runner.md). It keeps the code loaded and one
 * SSH connection per machine, and runs each step its resources' `onefed step` asks for.
 */
import * as fs from "fs";
import { loadConfig, resolveConfigPath } from "../config/load-config";
import { describeError, forTerminal, isExpectedFailure, UsageError } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import { FederationConfig } from "../model/federation";
import { printable } from "../model/printable";
import { runStep } from "../run/run-step";
import { RunnerServer, StepHandler } from "../run/warm/runner-server";
import { defineCommand } from "./command";
import { text } from "./options";
import { stepCommand, stepTarget } from "./step-command";

/** What the deploy waits for on the runner's stdout before it starts the engine. */
export const RUNNER_READY = "onefed-runner ready";

export const runnerCommand = defineCommand(
  {
    name: "onefed runner",
    summary: "the warm runner a deploy or apply starts for its steps (not for use by hand)",
    description: `Takes requests on a FIFO in the run directory (mode 0600 in a 0700 directory) and runs each
step that a resource's launcher (bin/onefed-step) asks for, several at once, over one SSH
connection per machine. \`onefed deploy\` and \`onefed apply\` start it before the engine runs and stop it after
(its standard input closing stops it too); --no-warm-runner or ONEFED_WARM_RUNNER=0 runs every
step in its own process instead. See docs/warm-runner.md.`,
    options: { fifo: text({ value: "PATH", help: "the request FIFO to make and read; its directory must be this user's alone", required: true }) },
    exitCodes: [ExitCode.Failed],
  },
  async ({ fifo }) => {
    const server = await RunnerServer.listen({ fifoPath: fifo, handle: handleStep(new ConfigCache()) });
    // A failed step's stray promise is that step's failure, never the end of the others.
    process.on("unhandledRejection", (reason) => process.stderr.write(`onefed runner: ${describeError(reason)}\n`));
    // Ctrl-C reaches the whole foreground group: terraform's graceful stop, and the clients it stops, decide.
    process.on("SIGINT", () => undefined);
    process.stdout.write(`${RUNNER_READY} ${process.pid}\n`);
    const reason = await new Promise<string>((resolve) => {
      process.stdin.on("end", () => resolve("the deploy that started the warm runner ended"));
      process.stdin.on("error", () => resolve("the deploy that started the warm runner ended"));
      process.stdin.resume();
      process.on("SIGTERM", () => resolve("the warm runner received SIGTERM"));
    });
    await server.close(reason);
    return ExitCode.Done;
  },
);

/** Runs one request as `onefed step` would, with the runner's connections; errors print as the CLI prints them. */
function handleStep(configs: ConfigCache): StepHandler {
  const asText = (s: string) => printable(s, { multiline: true });
  return async (request, out, err, lease) => {
    try {
      const args = stepCommand.parse(request.argv);
      if (args === "help") {
        out(stepCommand.help);
        return ExitCode.Done;
      }
      const env = { ...process.env, ...request.env };
      const { config, zone, step } = stepTarget(args, (p) => configs.load(p ?? env.FEDERATION_CONFIG));
      await runStep({ config, step, zone, log: (l) => out(asText(l)), env, machines: lease.machines(config) });
      return ExitCode.Done;
    } catch (e) {
      err(e instanceof UsageError ? forTerminal(e.message) : describeError(e));
      return isExpectedFailure(e) ? e.exitCode : ExitCode.Failed;
    }
  };
}

/**
 * The federation file, parsed once per content: every step of a run loads the same file. A file
 * changed meanwhile (its size or time) is read again, as a new step process would read it.
 */
class ConfigCache {
  private readonly loaded = new Map<string, { readonly stamp: string; readonly config: FederationConfig }>();

  load(explicit?: string): FederationConfig {
    const file = resolveConfigPath(explicit);
    let stamp: string;
    try {
      const st = fs.statSync(file);
      stamp = `${st.size}/${st.mtimeMs}/${st.ino}`;
    } catch {
      return loadConfig(explicit); // its own refusal names the file
    }
    const hit = this.loaded.get(file);
    if (hit?.stamp === stamp) return hit.config;
    const config = loadConfig(explicit);
    this.loaded.set(file, { stamp, config });
    return config;
  }
}
