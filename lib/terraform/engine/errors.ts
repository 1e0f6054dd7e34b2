import { OnefedError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import { outputTail } from "../local-process";

/** Building OpenTofu or the null provider with Go failed. */
export class EngineBuildError extends OnefedError {
  /** What was being built, e.g. "OpenTofu v1.12.6". */
  public readonly what: string;
  /** The go command line that failed. */
  public readonly command: string;
  /** Exit code of that command; null if it was killed by a signal or could not start. */
  public readonly commandExitCode: number | null;

  constructor(what: string, command: string, exitCode: number | null, output: string, hint: string) {
    super(
      `building ${what} failed: \`${command}\` ` +
        (exitCode === null ? "did not run to completion" : `exited with ${exitCode}`) +
        `. ${hint} Last lines of its output:\n${outputTail(output)}`,
    );
    this.what = what;
    this.command = command;
    this.commandExitCode = exitCode;
  }
}

/** Something must be built with Go and no go command was found. */
export class GoToolchainMissingError extends OnefedError {
  /** What needed building, e.g. "the null provider 3.2.4". */
  public readonly what: string;

  constructor(what: string, alternative: string) {
    super(
      `${what} must be built with Go, and no \`go\` command was found on PATH or at /usr/local/go/bin/go. ` +
        `Install Go (>= 1.26) and try again${alternative ? `, or ${alternative}` : ""}.`,
    );
    this.what = what;
  }
}

/** The engine binary exists but does not answer `version -json` as expected. */
export class EngineProbeError extends OnefedError {
  constructor(binary: string, detail: string) {
    super(
      `${binary} did not report its version (${detail}). Check that it runs by hand ` +
        `(\`${binary} version -json\`); remove it from PATH or from onefed's cache to use another one.`,
    );
  }
}

/** Another process held the engine lock for too long. */
export class EngineLockTimeoutError extends OnefedError {
  constructor(lockDir: string, holder: string, waitedMs: number) {
    super(
      `waited ${Math.round(waitedMs / 1000)} s for another onefed process (${holder}) to finish ` +
        `preparing the engine. If no such process is running, remove ${lockDir} and try again.`,
    );
  }
}

/** The engine that was asked for is not on PATH and cannot be built here; nothing ran. */
export class EngineUnavailableError extends OnefedError {
  /** What was asked for, e.g. "terraform (ONEFED_ENGINE)". */
  public readonly wanted: string;

  constructor(wanted: string, why: string, whatToDo: string) {
    super(`the engine ${wanted} is not available: ${why}. Nothing was run. ${whatToDo}`, ExitCode.EngineUnavailable);
    this.wanted = wanted;
  }
}
