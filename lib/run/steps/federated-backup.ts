/**
 * On the upgraded master, with oned stopped (SQLite needs it): onedb backup -v --federated to an
 * explicit path, then fetch it to the automation host (0600) and prove the copy by sha256.
 */
import * as fs from "fs";
import { dbVersionOf } from "../../model/version";
import { recordedChecksum, sha256File, writeChecksum } from "../artifact";
import { fetchVerified } from "../transfer";
import { StepRefusal } from "../step-refusal";
import { assertStopped } from "../services";
import { StepRun } from "../step";
import { Evidence } from "../../model/ledger";
import { ArtifactPaths } from "../../model/paths";

export const federatedBackup: StepRun = {
  name: "backup",
  async run(ctx) {
    const { zone, config, artifact } = ctx;
    const recorded = recordedChecksum(artifact);
    if (recorded && fs.existsSync(artifact.localPath) && sha256File(artifact.localPath) === recorded) {
      return { status: "already-done", summary: `${artifact.localPath} present, sha256 ${recorded}`, evidence: artifactEvidence(artifact, recorded) };
    }
    if (zone.role !== "master") throw new Error(`backup runs on the master only, not ${zone.name}`);
    const fe = await ctx.frontend();
    const frontend = fe.target;
    const db = await fe.dbVersion();
    const target = dbVersionOf(config.toVersion);
    if (db.status !== "up-to-date" || db.shared !== target) {
      throw new StepRefusal("backup", {
        zone,
        frontend,
        expected: `the master's DB upgraded (onedb version exit 0, shared ${target}) before its federated tables are exported`,
        found: `${db.status}, shared ${db.shared}`,
        next: "Finish the master's upgrade step first (run the deploy again).",
      });
    }
    await assertStopped(fe, config, zone, "backup", "A SQLite federated backup must be taken with oned stopped: stop it, then run the deploy again.");
    await fe.makePrivateDir(config.backup.remoteDirectory);
    await fe.backupFederated(artifact.remotePath);
    await fe.makePrivate(artifact.remotePath);
    const localDigest = await fetchVerified(fe, artifact.remotePath, artifact.localPath, "backup", zone);
    writeChecksum(artifact, localDigest, zone);
    ctx.log(`  artifact ${artifact.localPath} (${fs.statSync(artifact.localPath).size} bytes) sha256 ${localDigest}`);
    return { status: "done", summary: `federated backup sha256 ${localDigest}`, evidence: artifactEvidence(artifact, localDigest) };
  },
};

/** What the ledger keeps of the artifact: enough for any runner to fetch it again from the master and prove it. */
function artifactEvidence(artifact: ArtifactPaths, sha256: string): Evidence {
  return { artifact_sha256: sha256, artifact_remote_path: artifact.remotePath, artifact_file: artifact.fileName };
}
