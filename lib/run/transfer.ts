/**
 * Files between a front-end and the automation host, proven by sha256 on both ends: the
 * federated backup (master → slaves) and an HA leader's database and configuration (→ followers).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ZoneConfig } from "../model/federation";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { sha256File } from "./artifact";
import { onLocalFile } from "./local-file-error";
import { StepRefusal } from "./step-refusal";

/**
 * Fetches `remote` to `local` (mode 0600, written through a .partial file of its own); returns the
 * digest. Two restores that both find the local artifact missing fetch it at once: each writes its
 * own partial file and renames it over `local` (atomic), so neither removes nor reads the other's.
 * A failure on either side is one paragraph (TransferError, LocalFileError) that never claims the
 * front-end unchanged by the step: only the copy changed nothing there.
 */
export async function fetchVerified(fe: OpenNebulaFrontend, remote: string, local: string, step: string, zone: ZoneConfig): Promise<string> {
  const remoteDigest = await fe.sha256(remote);
  const partial = `${local}.${process.pid}-${crypto.randomBytes(4).toString("hex")}.partial`;
  const left = `The front-end's ${remote} was not touched by the copy and stays for the next run.`;
  onLocalFile({ zone, action: `creating the local copy ${partial}`, file: partial, left }, () => {
    fs.mkdirSync(path.dirname(local), { recursive: true, mode: 0o700 });
    fs.writeFileSync(partial, "", { mode: 0o600 });
  });
  try {
    await fe.download(remote, partial);
  } catch (err) {
    discard(partial);
    throw err;
  }
  const localDigest = onLocalFile({ zone, action: `reading back the local copy ${partial}`, file: partial, left }, () => {
    fs.chmodSync(partial, 0o600);
    return sha256File(partial);
  });
  if (localDigest !== remoteDigest) {
    discard(partial);
    throw new StepRefusal(step, {
      zone,
      frontend: fe.target,
      expected: `the fetched copy of ${remote} to have sha256 ${remoteDigest}`,
      found: `sha256 ${localDigest}`,
      next: "The transfer was corrupted; run the deploy again to fetch it anew.",
    });
  }
  onLocalFile({ zone, action: `renaming the verified copy ${partial} to ${local}`, file: local, left }, () => fs.renameSync(partial, local));
  return localDigest;
}

/** Uploads `local` to `remote` (0600) and refuses unless the front-end's copy has `digest`. */
export async function pushVerified(
  fe: OpenNebulaFrontend,
  local: string,
  remote: string,
  digest: string,
  step: string,
  zone: ZoneConfig,
  dir: string,
): Promise<void> {
  await fe.makePrivateDir(dir);
  await fe.upload(local, remote);
  await fe.makePrivate(remote);
  const remoteDigest = await fe.sha256(remote);
  if (remoteDigest !== digest) {
    throw new StepRefusal(step, {
      zone,
      frontend: fe.target,
      expected: `the uploaded ${remote} to have sha256 ${digest}`,
      found: `sha256 ${remoteDigest}`,
      next: "The upload was corrupted or the file was changed on the front-end; run the deploy again to upload it anew.",
    });
  }
}

/** Removes an incomplete local copy, best effort: the error that made it incomplete is the one to report. */
function discard(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Left behind, it is only a stray .partial file: no fetch reads another's.
  }
}
