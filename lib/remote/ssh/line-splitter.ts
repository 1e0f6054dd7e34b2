/**
 * Cuts a stream of chunks into complete lines. A remote command's output arrives in chunks that
 * split lines (and UTF-8 characters) anywhere; whatever reads it line by line — the console, the
 * redaction of secrets — must see whole lines, or a password split across two chunks would pass.
 */
import { StringDecoder } from "string_decoder";

export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  /** Takes a chunk; every line it completes is passed on (without its `\n`, and without a `\r` before it). */
  push(chunk: Buffer | string): void {
    const text = this.pending + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.onLine(text.slice(start, text[nl - 1] === "\r" && nl > start ? nl - 1 : nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  /** The stream ended: an unterminated last line is passed on too. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    if (rest) this.onLine(rest);
  }
}
