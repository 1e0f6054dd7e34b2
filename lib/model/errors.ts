/**
 * Expected failures. Each prints as one readable paragraph (never a stack trace) and maps to an
 * exit code. Unexpected errors (bugs) keep their stack.
 */
import { ExitCode } from "./exit-codes";
import { printable } from "./printable";
import { PROCESS_SECRETS } from "./secrets";

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

/**
 * Whether a thrown value is an expected failure: a OnefedError, or an error from outside the
 * product's classes (the sandbox, which imports nothing from lib/) that says so by its shape — a
 * numeric `exitCode` and `paragraph: true`.
 */
export function isExpectedFailure(err: unknown): err is Error & { readonly exitCode: number } {
  if (err instanceof OnefedError) return true;
  const marked = err as { readonly paragraph?: unknown; readonly exitCode?: unknown } | undefined;
  return err instanceof Error && marked?.paragraph === true && typeof marked.exitCode === "number";
}

/**
 * Formats any thrown value for a terminal: expected errors as their paragraph, bugs with their
 * stack. The last line of defence for what a message may quote: every secret the process knows is
 * redacted and control characters from remote text are shown escaped, whatever path the error took.
 */
export function describeError(err: unknown): string {
  return forTerminal(isExpectedFailure(err) ? `${err.name}: ${err.message}` : err instanceof Error ? (err.stack ?? String(err)) : String(err));
}

/** A block of text for the operator's terminal or log: known secrets redacted, control characters escaped (lines kept). */
export function forTerminal(text: string): string {
  return printable(PROCESS_SECRETS.redact(text), { multiline: true });
}
