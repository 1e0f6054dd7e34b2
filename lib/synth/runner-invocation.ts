import { shellJoin } from "../remote/ssh/shell-quote";

/** How a step resource calls the runner on the automation host (synthesize() uses defaultRunner()). */
export interface RunnerInvocation {
  /** Program and leading arguments, e.g. ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"]; required. */
  readonly command: readonly string[];
  /** Absolute path of the federation file the runner loads (the one the stack was built from); required. */
  readonly configPath: string;
}

/** The local-exec command line: every part quoted, no secret in it (the runner reads the key itself). */
export function stepCommandLine(runner: RunnerInvocation, step: string, zoneId: number): string {
  return shellJoin([...runner.command, "step", step, "--zone", String(zoneId), "--config", runner.configPath]);
}
