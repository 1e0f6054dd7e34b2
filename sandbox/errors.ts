import { OnefedError } from "../lib/model/errors";

/** The sandbox cannot be brought up, inspected or changed as asked; the message says what to do. */
export class SandboxError extends OnefedError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** An address:port a front-end needs is taken by another listener. */
export class SandboxPortInUseError extends SandboxError {
  /** The address:port that is taken. */
  public readonly endpoint: string;

  constructor(host: string, port: number) {
    super(
      `${host}:${port} is already in use (another sshd?). ` +
        `Pick a free port with --port 2222, or another --address-base.`,
    );
    this.endpoint = `${host}:${port}`;
  }
}

/** A tool the sandbox needs (sshd, sqlite3, unshare) is missing and could not be installed. */
export class SandboxPrerequisiteError extends SandboxError {}
