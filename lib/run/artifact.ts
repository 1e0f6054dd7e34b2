/**
 * Where the federated backup lives: on the master (where onedb writes it), on the automation host
 * (mode 0600, with its sha256 beside it), and on each slave (where it is restored from).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FederationConfig } from "../model/federation";

export interface ArtifactPaths {
  readonly fileName: string;
  /** Path on the master and on every slave. */
  readonly remotePath: string;
  readonly localPath: string;
  /** `sha256sum` format: "<hex>  <fileName>". */
  readonly localChecksumPath: string;
}

export function artifactPaths(config: FederationConfig): ArtifactPaths {
  const fileName = `${config.name}-zone${config.master.id}-federated-${config.fromVersion}-to-${config.toVersion}.sql`;
  const localPath = path.join(config.backup.localDirectory, fileName);
  return {
    fileName,
    remotePath: `${config.backup.remoteDirectory}/${fileName}`,
    localPath,
    localChecksumPath: `${localPath}.sha256`,
  };
}

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
