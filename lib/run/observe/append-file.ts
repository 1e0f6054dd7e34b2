/**
 * A file onefed only appends to (an events file, a step log): opened once with O_APPEND, one
 * write() per call, and never a reason to fail the upgrade — a full disk or a removed run
 * directory loses log lines, not the step (the console still shows everything).
 */
import * as fs from "fs";
import * as path from "path";

export class AppendFile {
  private fd: number | undefined;
  private broken = false;

  /** `file` and its directory are created on the first append. */
  constructor(public readonly file: string) {}

  /** Appends `text` in one write(); whole lines from concurrent writers never interleave. */
  append(text: string): void {
    if (this.broken) return;
    try {
      if (this.fd === undefined) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
      }
      fs.writeSync(this.fd, text);
    } catch {
      // Once failed, stays quiet: one failed open is not retried for every line.
      this.broken = true;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
