/**
 * Expected failures. Each prints as one readable paragraph (never a stack trace) and maps to an
 * exit code. Unexpected errors (bugs) keep their stack.
 */
export class OnefedError extends Error {
  /** Process exit code for this failure. @default 1 */
  public readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input: configuration file, command-line arguments. Nothing was touched. */
export class UsageError extends OnefedError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Formats any thrown value for a terminal: expected errors as their paragraph, bugs with their stack. */
export function describeError(err: unknown): string {
  if (err instanceof OnefedError) return `${err.name}: ${err.message}`;
  if (err instanceof Error) return err.stack ?? String(err);
  return String(err);
}
