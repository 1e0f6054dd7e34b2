/**
 * Reads the federation file, and only a federation file: a regular file (a symbolic link to one is
 * fine) of at most MAX_FEDERATION_FILE_BYTES. `--config /dev/zero` would otherwise read without
 * bound and a FIFO block for ever; both are refused with a UsageError before a byte is read, and
 * the read itself stops at the cap whatever the file claims its size is.
 */
import * as fs from "fs";
import { UsageError } from "../model/errors";
import { ConfigError } from "./config-error";

/** A federation file is a few KiB; anything past 1 MiB is not one. */
export const MAX_FEDERATION_FILE_BYTES = 1024 * 1024;

/** What a non-regular file is, for the refusal. */
function kindOf(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The file's text. `from` says where the path came from ("--config", "$FEDERATION_CONFIG"), and
 * `remedy` how to name another file, for the messages.
 */
export function readFederationFile(file: string, from: string, remedy: string): string {
  const refuse = (what: string) =>
    new UsageError(
      `the federation file ${file} (from ${from}) ${what}; expected a regular file (or a symbolic link to one) of at most 1 MiB holding the federation's YAML. Nothing was read and no zone was touched; ${remedy}.`,
    );
  const check = (st: fs.Stats) => {
    const kind = kindOf(st);
    if (kind) throw refuse(`is ${kind}`);
    if (st.size > MAX_FEDERATION_FILE_BYTES) throw refuse(`is ${st.size} bytes`);
  };
  let fd: number;
  try {
    check(fs.statSync(file));
    // O_NONBLOCK: should the path turn into a FIFO after the stat, opening it still returns at once (and fstat refuses it).
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new ConfigError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); ${remedy}`]);
  }
  try {
    check(fs.fstatSync(fd));
    const buffer = Buffer.alloc(MAX_FEDERATION_FILE_BYTES + 1);
    let length = 0;
    // One byte past the cap tells a file at the cap from a larger one (a /proc file reports size 0).
    while (length < buffer.length) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_FEDERATION_FILE_BYTES) throw refuse(`holds more than ${MAX_FEDERATION_FILE_BYTES} bytes`);
    return buffer.subarray(0, length).toString("utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new ConfigError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); ${remedy}`]);
  } finally {
    fs.closeSync(fd);
  }
}
