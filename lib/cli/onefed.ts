/**
 * `onefed`: one CLI, subcommands loaded on demand so that `onefed step` (on every resource's hot
 * path) never loads cdktf, the engine or the sandbox.
 */
import { describeError, forTerminal, isExpectedFailure, UsageError } from "../model/errors";
import { EXIT_CODE_TABLE, ExitCode } from "../model/exit-codes";
import { printable } from "../model/printable";
import type { Output } from "./command";

type Subcommand = (argv: readonly string[], out: Output, err: Output) => Promise<number>;

/**
 * Each command's one-line summary (the same as its declaration's, which a test holds it to) and
 * how to load it: only the command that runs is loaded.
 */
export const SUBCOMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Subcommand> }>> = {
  step: { summary: "run one upgrade step on one zone (what each resource calls)", load: () => import("./step-command").then((m) => m.stepCommand.run) },
  check: {
    summary: "read-only drift check: is the federation as the file says, and ready?",
    load: () => import("./check-command").then((m) => m.checkCommand.run),
  },
  discover: {
    summary: "read a running federation and write its federation.yaml and known_hosts (read-only)",
    load: () => import("./discover-command").then((m) => m.discoverCommand.run),
  },
  verify: {
    summary: "post-upgrade checks on every zone (versions, services, zone enabled, FED_INDEX)",
    load: () => import("./zones-command").then((m) => m.verifyCommand.run),
  },
  unfreeze: {
    summary: "lift the freeze by hand (onezone enable, master first); refused while an upgrade holds the lock",
    load: () => import("./zones-command").then((m) => m.unfreezeCommand.run),
  },
  lock: { summary: "show who holds the federation's upgrade lock (onefed lock status)", load: () => import("./lock-command").then((m) => m.runLockCommand) },
  unlock: {
    summary: "release the federation's upgrade lock, naming the holder's run id",
    load: () => import("./lock-command").then((m) => m.unlockCommand.run),
  },
  rollback: {
    summary: "roll zones back to the version they ran before the upgrade, from the recorded safety backups",
    load: () => import("./rollback-command").then((m) => m.rollbackCommand.run),
  },
  plan: { summary: "plan with the engine and write a review bundle for a pull request", load: () => import("./plan-command").then((m) => m.planCommand.run) },
  apply: {
    summary: "apply exactly a reviewed plan (onefed plan --out DIR), or refuse if stale",
    load: () => import("./apply-command").then((m) => m.applyCommand.run),
  },
  rehearse: {
    summary: "apply a reviewed plan to a sandbox twin of the federation and measure it",
    load: () => import("./rehearse-command").then((m) => m.rehearseCommand.run),
  },
  synth: { summary: "validate the federation file and synthesize the stack", load: () => import("./synth-command").then((m) => m.synthCommand.run) },
  deploy: {
    summary: "synthesize and apply with the prepared engine (real terraform apply)",
    load: () => import("./deploy-command").then((m) => m.deployCommand.run),
  },
  engine: { summary: "find or build terraform/OpenTofu and the null provider mirror", load: () => import("./engine-command").then((m) => m.engineCommand.run) },
  sandbox: {
    summary: "a local federation of real sshd front-ends with emulated OpenNebula",
    load: () => import("./sandbox-command").then((m) => m.runSandboxCommand),
  },
  schema: { summary: "print the JSON Schema of the federation file", load: () => import("./schema-command").then((m) => m.schemaCommand.run) },
  runner: {
    summary: "the warm runner a deploy or apply starts for its steps (not for use by hand)",
    load: () => import("./runner-command").then((m) => m.runnerCommand.run),
  },
  demo: { summary: "the main job: sandbox up, engine, deploy, before/after table", load: () => import("./demo-command").then((m) => m.demoCommand.run) },
};

export const HELP = `Usage: onefed <command> [options]

Coordinated OpenNebula federation upgrades (type B) as infrastructure as code: cdktf builds one
resource per (step, zone), terraform or OpenTofu plans and applies, this runner does each step over SSH.

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)}  ${c.summary}`)
  .join("\n")}

Run \`onefed <command> --help\` for a command's options; -h or --help anywhere prints help and
does nothing else.

Exit codes (every command; its --help lists those it can return):
${EXIT_CODE_TABLE.map((row) => `  ${row.code}  ${row.meaning}`).join("\n")}
`;

/** Where main writes: stdout for results and help, stderr for errors. */
export interface Io {
  readonly out: Output;
  readonly err: Output;
}

const line = (write: (s: string) => unknown) => (s: string) => void write(s.endsWith("\n") ? s : `${s}\n`);
/**
 * Whatever a command prints reaches the terminal as text: lines may quote the front-ends (the
 * ledger's holder in `lock status`, a zone's answer in `verify`), so control characters are shown
 * escaped here too, lines and tabs kept. Nothing onefed prints is meant to drive the terminal.
 */
const asText = (s: string) => printable(s, { multiline: true });
const PROCESS_IO: Io = { out: line((s) => process.stdout.write(asText(s))), err: line((s) => process.stderr.write(asText(s))) };

/** Runs `onefed <argv>` and resolves to the exit code (exit-codes.ts); expected failures print one paragraph. */
export async function main(argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(HELP);
    return name ? ExitCode.Done : ExitCode.Usage;
  }
  const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!sub) {
    io.err(`onefed: unknown command ${JSON.stringify(name)} (see onefed --help)`);
    return ExitCode.Usage;
  }
  try {
    const run = await sub.load();
    return await run(rest, io.out, io.err);
  } catch (err) {
    // A usage error already names the command and points at its help; anything else says what it is.
    // Either way known secrets are redacted and control characters escaped (describeError does both).
    io.err(err instanceof UsageError ? forTerminal(err.message) : describeError(err));
    return isExpectedFailure(err) ? err.exitCode : ExitCode.Failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${describeError(err)}\n`);
      process.exit(ExitCode.Failed);
    },
  );
}
