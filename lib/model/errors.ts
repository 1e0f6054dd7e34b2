/**
 * Expected failures. Each prints as one readable paragraph (never a stack trace) and maps to an
 * exit code. Unexpected errors (bugs) keep their stack.
 */
import { ExitCode } from "./exit-codes";

export class OnefedError extends Error {
  /** Process exit code for this failure (exit-codes.ts). @default ExitCode.Failed */
  public readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.Failed) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input: configuration file, command-line arguments. Nothing was touched. */
export class UsageError extends OnefedError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** Formats any thrown value for a terminal: expected errors as their paragraph, bugs with their stack. */
export function describeError(err: unknown): string {
  if (err instanceof OnefedError) return `${err.name}: ${err.message}`;
  if (err instanceof Error) return err.stack ?? String(err);
  return String(err);
}
