/**
 * The sandbox's expected failures. Each prints as one paragraph (its message, never a stack) and
 * carries the exit code its process ends with. The sandbox imports nothing from the product, so
 * the product's CLI recognises them by their shape — a numeric `exitCode` and `paragraph: true`
 * (lib/model/errors.ts) — not by class. Dependency-free: the emulator loads it.
 */

/** The sandbox cannot be brought up, inspected or changed as asked; the message says what to do. */
export class SandboxError extends Error {
  /** Exit code of the process this failure ends. @default 1 */
  public readonly exitCode: number;
  /** Marks an expected failure: print the message as one paragraph, exit with `exitCode`. */
  public readonly paragraph = true;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/**
 * A tool the sandbox runs or emulates failed the way the real one does (sqlite3, onedb): the
 * emulated command prints the message on stderr and exits with that tool's own code.
 */
export class ToolFailure extends SandboxError {
  constructor(message: string, exitCode: number) {
    super(message, exitCode);
  }
}

/** An address:port a front-end needs is taken by another listener. */
export class SandboxPortInUseError extends SandboxError {
  /** The address:port that is taken. */
  public readonly endpoint: string;

  constructor(host: string, port: number) {
    super(`${host}:${port} is already in use (another sshd?). Pick a free port with --port 2222, or another --address-base.`);
    this.endpoint = `${host}:${port}`;
  }
}

/** A tool the sandbox needs (sshd, sqlite3, unshare) is missing and could not be installed. */
export class SandboxPrerequisiteError extends SandboxError {}
