/**
 * On the upgraded master, with oned stopped (SQLite needs it): onedb backup -v --federated to an
 * explicit path, then fetch it to the automation host (0600) and prove the copy by sha256.
 *
 * Taken anew when reconcile found the recorded artifact lost everywhere while a slave still needs
 * it (lib/run/lost-artifact.ts): by then the master usually runs again, so a master whose start the
 * ledger records is stopped for the export (the stop step's own proof that the federation is still
 * frozen comes first) and started again after it; the new export must hold exactly the content
 * every slave already restored, else nothing is recorded.
 */
import * as fs from "fs";
import { dbVersionOf } from "../../model/version";
import { recordedChecksum, sha256File, writeChecksum } from "../artifact";
import { fetchVerified } from "../transfer";
import { StepRefusal } from "../step-refusal";
import { assertStopped } from "../services";
import { StepContext, StepRun } from "../step";
import { Evidence, findEntry } from "../../model/ledger";
import { ArtifactPaths } from "../../model/paths";
import { zoneLabel } from "../../model/federation";
import { dumpDigest } from "../../remote/opennebula/dump-digest";
import { ONED_UNIT } from "../../remote/opennebula/services";
import { start } from "./start";
import { stop } from "./stop";

export const federatedBackup: StepRun = {
  name: "backup",
  async run(ctx) {
    const { zone, config, artifact } = ctx;
    const recorded = recordedChecksum(artifact);
    if (recorded && fs.existsSync(artifact.localPath) && sha256File(artifact.localPath) === recorded) {
      const content = dumpDigest(fs.readFileSync(artifact.localPath, "utf8"));
      return { status: "already-done", summary: `${artifact.localPath} present, sha256 ${recorded}`, evidence: artifactEvidence(artifact, recorded, content) };
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
    const stoppedForRetake = await stopRunningMasterForRetake(ctx);
    let localDigest: string;
    try {
      await assertStopped(fe, config, zone, "backup", "A SQLite federated backup must be taken with oned stopped: stop it, then run the deploy again.");
      await fe.makePrivateDir(config.backup.remoteDirectory);
      await fe.backupFederated(artifact.remotePath);
      await fe.makePrivate(artifact.remotePath);
      localDigest = await fetchVerified(fe, artifact.remotePath, artifact.localPath, "backup", zone);
    } finally {
      // The master was running when this step found it: it runs again, whatever the export did.
      if (stoppedForRetake) await start.run(ctx);
    }
    writeChecksum(artifact, localDigest, zone);
    const content = dumpDigest(fs.readFileSync(artifact.localPath, "utf8"));
    proveSameContentAsRestored(ctx, content);
    ctx.log(`  artifact ${artifact.localPath} (${fs.statSync(artifact.localPath).size} bytes) sha256 ${localDigest}, statement digest ${content}`);
    return { status: "done", summary: `federated backup sha256 ${localDigest}`, evidence: artifactEvidence(artifact, localDigest, content) };
  },
};

/**
 * A re-take finds the master running again (its start is recorded): stopped here, through the stop
 * step itself, which first proves the federation still frozen. False when the master is down, or
 * runs without onefed having started it (then assertStopped refuses, as for a first backup).
 */
async function stopRunningMasterForRetake(ctx: StepContext): Promise<boolean> {
  const { config } = ctx;
  if (!findEntry(ctx.ledger, "start", config.master.id)) return false;
  const servers = await ctx.servers();
  const running = await Promise.all(servers.map(async (s) => (await s.frontend.unitStates([ONED_UNIT]))[ONED_UNIT] === "active"));
  if (!running.some(Boolean)) return false;
  ctx.log("the master runs again since the federated backup was first taken: it is stopped for the export (the federation stays frozen) and started after it");
  await stop.run(ctx);
  return true;
}

/** Slaves restored from an earlier export of this upgrade must hold what the new one holds. */
function proveSameContentAsRestored(ctx: StepContext, content: string): void {
  const { config } = ctx;
  const differing = ctx.ledger.entries.filter(
    (e) => e.step === "restore" && typeof e.evidence.content_digest === "string" && e.evidence.content_digest !== content,
  );
  if (differing.length === 0) return;
  const zones = differing.map((e) => config.zones.find((z) => z.id === e.zone_id)).map((z, i) => (z ? zoneLabel(z) : `zone ${differing[i].zone_id}`));
  throw new StepRefusal("backup", {
    zone: config.master,
    expected: `the new federated export to hold exactly what ${zones.join(", ")} restored (statement digest ${String(differing[0].evidence.content_digest)})`,
    found: `statement digest ${content}: the master's federated tables changed since the first export, although the federation was to stay frozen`,
    next:
      "The new export is on the master and this host, but it is not recorded: no slave restores it. Find what wrote to the federated tables " +
      "(a freeze lifted by hand?). The slaves restored from the first export hold other federated content than the master now: roll them back " +
      "(README, Rolling a zone back) or restore them by hand from the new export before going on.",
  });
}

/** What the ledger keeps of the artifact: enough for any runner to fetch it again from the master and prove it, and to compare a re-take with. */
function artifactEvidence(artifact: ArtifactPaths, sha256: string, contentDigest: string): Evidence {
  return { artifact_sha256: sha256, artifact_remote_path: artifact.remotePath, artifact_file: artifact.fileName, content_digest: contentDigest };
}
