/**
 * Text from the front-ends (zone and host names, command output) is data, not terminal input: a
 * name holding `ESC ] 0 ; … BEL` would retitle the operator's terminal, `ESC [ 2 J` clear it, a
 * `\r` overwrite the line before it. Every message and log line that quotes remote text passes it
 * through `printable`, which shows each control character as visible `\x1b`-style text instead.
 */

export interface PrintableOptions {
  /** Keep `\n` and `\t`: the text is a block of lines (an error paragraph, command output). @default false */
  readonly multiline?: boolean;
}

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: U+009B is a one-character CSI), and the Unicode
 * controls that reorder or break lines on a terminal (bidi overrides and isolates, U+2028/U+2029).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this file's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

/** `s` with every control character escaped (`\x1b`, `\r`, `\u009b`); `\n` and `\t` kept in a multiline block. */
export function printable(s: string, options: PrintableOptions = {}): string {
  return s.replace(CONTROL, (c) => {
    if (options.multiline && (c === "\n" || c === "\t")) return c;
    if (NAMED[c]) return NAMED[c];
    const code = c.charCodeAt(0);
    return code <= 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Control characters but `\n`: a block without any has lines that `printable` leaves as they are. */
// eslint-disable-next-line no-control-regex -- matching control characters is this file's purpose
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/;

/** Whether every line of `block` (split at `\n`) is printable as it is: `printable(line)` would return it unchanged. */
export function printableLines(block: string): boolean {
  return !CONTROL_BUT_NEWLINE.test(block);
}
