/**
 * Synchronous stdout/stderr writes: emulated commands interleave their own output with that of
 * child tools (sqlite3) exactly like the real ones, so nothing may sit in a buffer.
 */
import * as fs from "fs";

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, "utf8");
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      // A non-blocking pipe that is full: wait for the reader.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(sleepCell, 0, 0, 2);
    }
  }
}

/** Writes to stdout. */
export function out(text: string): void {
  writeAll(1, text);
}

/** Writes to stderr. */
export function err(text: string): void {
  writeAll(2, text);
}

/** Writes lines to stdout, each followed by a newline (Ruby `puts`). */
export function puts(...lines: string[]): void {
  out(lines.map((l) => `${l}\n`).join(""));
}
