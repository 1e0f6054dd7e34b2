import * as path from "path";
import { shellJoin } from "../remote/ssh/shell-quote";

/** How a step resource calls the runner on the automation host (synthesize() uses defaultRunner()). */
export interface RunnerInvocation {
  /** Program and leading arguments, e.g. ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"]; required. */
  readonly command: readonly string[];
  /** Absolute path of the federation file the runner loads (the one the stack was built from); required. */
  readonly configPath: string;
  /**
   * The POSIX sh launcher the command runs under (bin/onefed-step): it is the command itself
   * unless a deploy's warm runner is there, which it then asks to run the step, starting no node
   * process (docs/warm-runner.md). @default none: the command runs directly
   */
  readonly launcher?: string;
}

/**
 * The local-exec command line: every part quoted, no secret in it (the runner reads the key itself).
 * With a launcher, terraform's `/bin/sh -c` execs it rather than waiting beside it: one shell per
 * running step, not two.
 */
export function stepCommandLine(runner: RunnerInvocation, step: string, zoneId: number): string {
  const command = shellJoin([...runner.command, "step", step, "--zone", String(zoneId), "--config", runner.configPath]);
  return runner.launcher !== undefined ? `exec /bin/sh ${shellJoin([runner.launcher])} ${command}` : command;
}

/**
 * The runner this build ships: the same node binary and our compiled CLI, under the package's
 * launcher bin/onefed-step (also when this module runs from source, as in tests).
 */
export function defaultRunner(configPath: string): RunnerInvocation {
  const root = path.resolve(__dirname, "..", "..");
  const dist = path.basename(root) === "dist" ? root : path.join(root, "dist");
  return {
    command: [process.execPath, path.join(dist, "lib", "cli", "onefed.js")],
    configPath,
    launcher: path.join(path.dirname(dist), "bin", "onefed-step"),
  };
}
