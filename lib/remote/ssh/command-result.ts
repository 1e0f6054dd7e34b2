/** What one remote command did. A null exit code (killed by a signal, link lost) is a failure. */
export interface CommandResult {
  readonly host: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Receives a running command's output, one complete line at a time (no newline), as it arrives. */
export type OutputLineListener = (stream: "stdout" | "stderr", line: string) => void;
