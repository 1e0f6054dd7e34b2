/**
 * Where the federated backup lives: on the master (where onedb writes it), on the automation host
 * (mode 0600, with its sha256 beside it), and on each slave (where it is restored from).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { ZoneConfig } from "../model/federation";
import { ArtifactPaths } from "../model/paths";
import { onLocalFile } from "./local-file-error";

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

/** Writes the artifact's checksum beside it; a file-system failure is a LocalFileError for `zone`'s step. */
export function writeChecksum(paths: ArtifactPaths, digest: string, zone?: ZoneConfig): void {
  onLocalFile(
    {
      zone,
      action: `writing the federated backup's checksum ${paths.localChecksumPath}`,
      file: paths.localChecksumPath,
      // Without its checksum the local copy is not trusted: the next run proves or fetches it anew.
      left: `The verified artifact ${paths.localPath} stays, but without a checksum beside it the next run proves it against the ledger or fetches it anew.`,
    },
    () => fs.writeFileSync(paths.localChecksumPath, `${digest}  ${paths.fileName}\n`, { mode: 0o600 }),
  );
}
