/**
 * Where the federated backup lives: on the master (where onedb writes it), on the automation host
 * (mode 0600, with its sha256 beside it), and on each slave (where it is restored from).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { ArtifactPaths } from "../model/paths";

export function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The digest recorded when the artifact was fetched, or undefined when there is none. */
export function recordedChecksum(paths: ArtifactPaths): string | undefined {
  try {
    return /^([0-9a-f]{64})\s/.exec(fs.readFileSync(paths.localChecksumPath, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

export function writeChecksum(paths: ArtifactPaths, digest: string): void {
  fs.writeFileSync(paths.localChecksumPath, `${digest}  ${paths.fileName}\n`, { mode: 0o600 });
}
