/**
 * Files between a front-end and the automation host, proven by sha256 on both ends: the
 * federated backup (master → slaves) and an HA leader's database and configuration (→ followers).
 */
import * as fs from "fs";
import * as path from "path";
import { ZoneConfig } from "../model/federation";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { sha256File } from "./artifact";
import { StepRefusal } from "./step-refusal";

/** Fetches `remote` to `local` (mode 0600, written through a .partial file); returns the digest. */
export async function fetchVerified(fe: OpenNebulaFrontend, remote: string, local: string, step: string, zone: ZoneConfig): Promise<string> {
  const remoteDigest = await fe.sha256(remote);
  fs.mkdirSync(path.dirname(local), { recursive: true, mode: 0o700 });
  const partial = `${local}.partial`;
  fs.rmSync(partial, { force: true });
  fs.writeFileSync(partial, "", { mode: 0o600 });
  await fe.download(remote, partial);
  fs.chmodSync(partial, 0o600);
  const localDigest = sha256File(partial);
  if (localDigest !== remoteDigest) {
    fs.rmSync(partial, { force: true });
    throw new StepRefusal(step, {
      zone,
      frontend: fe.target,
      expected: `the fetched copy of ${remote} to have sha256 ${remoteDigest}`,
      found: `sha256 ${localDigest}`,
      next: "The transfer was corrupted; run the deploy again to fetch it anew.",
    });
  }
  fs.renameSync(partial, local);
  return localDigest;
}

/** Uploads `local` to `remote` (0600) and refuses unless the front-end's copy has `digest`. */
export async function pushVerified(fe: OpenNebulaFrontend, local: string, remote: string, digest: string, step: string, zone: ZoneConfig, dir: string): Promise<void> {
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
