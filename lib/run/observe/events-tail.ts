/**
 * Reads what an events file gained since the last read: the deploy process follows the events the
 * steps append (the progress view redraws from them, the webhook posts their failures) without
 * holding the file open. Only a
 * regular file is followed: reading a pipe or FIFO (`--events /dev/stderr`) would take the lines
 * from whoever collects them.
 */
import * as fs from "fs";
import { RunEvent } from "../../model/run-events";
import { parseEventLines } from "./event-writer";

export class EventsTail {
  private offset = 0;
  /** Bytes after the last newline: kept as bytes, so a character cut by a read is not garbled. */
  private rest = Buffer.alloc(0);

  constructor(public readonly file: string) {}

  /** Whether the file can be followed (a regular file, or none yet: the first event creates it). */
  get followable(): boolean {
    try {
      return fs.statSync(this.file).isFile();
    } catch {
      return true;
    }
  }

  /** The complete events appended since the last call (a line still being written waits for its end). */
  readNew(): RunEvent[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, "r");
    } catch {
      return [];
    }
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(64 * 1024);
      for (let n = fs.readSync(fd, buf, 0, buf.length, this.offset); n > 0; n = fs.readSync(fd, buf, 0, buf.length, this.offset)) {
        chunks.push(Buffer.from(buf.subarray(0, n)));
        this.offset += n;
      }
      const bytes = Buffer.concat([this.rest, ...chunks]);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.rest = Buffer.from(bytes.subarray(end));
      return parseEventLines(bytes.subarray(0, end).toString("utf8")).events;
    } catch {
      return [];
    } finally {
      fs.closeSync(fd);
    }
  }
}
