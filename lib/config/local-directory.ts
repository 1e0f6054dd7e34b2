/**
 * backup.localDirectory holds the federated backup and the records a run resumes from. Found
 * unwritable only when the first of them is written, every zone would already be frozen and
 * stopped; so it is proven writable at synth (a ConfigError, exit 2) and again by the preflight
 * step, before anything touches a zone.
 */
import * as fs from "fs";
import * as path from "path";
import { describeFileError } from "../model/file-errors";
import { FederationConfig } from "../model/federation";
import { ConfigError } from "./config-error";

/**
 * Creates the directory (0700) when missing and writes and removes a probe file in it. Returns
 * what is wrong, in words for "backup.localDirectory <dir>: …", or undefined when it is ready.
 */
export function prepareLocalDirectory(dir: string): string | undefined {
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(dir, { throwIfNoEntry: false });
  } catch (err) {
    // A file where a parent directory should be: mkdir below says so.
    if ((err as NodeJS.ErrnoException).code !== "ENOTDIR") return `cannot be reached (${describeFileError(err, "the automation host")})`;
  }
  if (existing && !existing.isDirectory()) return "exists but is not a directory";
  if (!existing) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      return `does not exist and cannot be created (${describeFileError(err, "the automation host")})`;
    }
  }
  const probe = path.join(dir, `.onefed-probe-${process.pid}`);
  try {
    // A byte, not an empty file: a full file system still creates empty files.
    fs.writeFileSync(probe, "probe\n", { mode: 0o600 });
  } catch (err) {
    return `cannot be written to (${describeFileError(err, "the automation host")})`;
  } finally {
    fs.rmSync(probe, { force: true });
  }
  return undefined;
}

/** Refuses, before the stack is written, a federation whose artifact directory cannot be written. */
export function assertLocalDirectoryWritable(config: FederationConfig): void {
  const problem = prepareLocalDirectory(config.backup.localDirectory);
  if (problem) {
    throw new ConfigError(config.sourcePath, [
      `backup.localDirectory: ${config.backup.localDirectory} ${problem}; the federated backup and the records a run resumes from are kept there. Make it writable for this user or point backup.localDirectory elsewhere`,
    ]);
  }
}
