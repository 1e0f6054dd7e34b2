/**
 * On one slave, oned stopped, old packages still installed: upload the master's federated backup,
 * prove it by sha256 on both ends, then onedb restore --federated (docs/opennebula.md §4.4 step 5).
 *
 * Done is proven by content, not by version: a SQLite dump restores db_versioning before logdb, so a
 * restore cut short already reports the new shared version. After the restore the slave exports its
 * own federated tables and their statement digest must equal the artifact's (dump-digest.ts); only
 * then does the ledger record the restore. A restore the ledger does not record is simply redone:
 * a federated restore replaces every federated table, so it is repeatable.
 */
import * as fs from "fs";
import { ConnectedServer } from "../raft";
import { findEntry } from "../../model/ledger";
import { dbVersionOf } from "../../model/version";
import { dumpDigest } from "../../remote/opennebula/dump-digest";
import { recordedChecksum, sha256File, writeChecksum } from "../artifact";
import { StepRefusal } from "../step-refusal";
import { fetchVerified, pushVerified } from "../transfer";
import { assertStopped } from "../services";
import { StepContext, StepRun } from "../step";
import { proveSafetyBackup } from "./safety-backup";

export const federatedRestore: StepRun = {
  name: "restore",
  async run(ctx) {
    const { zone, config, artifact } = ctx;
    // Never restore into the master: it is the source of the federated tables.
    if (zone.role !== "slave" || zone.id === config.master.id) {
      throw new StepRefusal("restore", {
        zone,
        expected: "a slave zone",
        found: `the ${zone.role} zone`,
        next: "Nothing was changed. A federated restore only ever goes to slaves; check the roles in federation.yaml.",
      });
    }
    // Decided from the ledger alone: a restore it records for this very artifact needs no local copy of it.
    const done = findEntry(ctx.ledger, "restore", zone.id);
    const backup = findEntry(ctx.ledger, "backup", config.master.id);
    // A re-taken backup (lost-artifact.ts) has another sha256 but, proven by the backup step, the same statements.
    const sameArtifact = (key: string) => typeof done?.evidence[key] === "string" && done?.evidence[key] === backup?.evidence[key];
    if (done && backup && (sameArtifact("artifact_sha256") || sameArtifact("content_digest"))) {
      return { status: "already-done", summary: `the ledger records this artifact restored and proven at ${done.completed_at}`, evidence: done.evidence };
    }
    const sha256 = await artifactOnThisHost(ctx);
    // HA slave: the leader recorded at stop; the followers get it through its full backup (§4.4).
    const fe = await ctx.frontend();
    const frontend = fe.target;
    // Both proofs only read: asked together (one round trip), judged in this order, so a refusal is
    // the one it would be with the proofs one after the other.
    const proofs = await Promise.allSettled([
      proveSafetyBackup(ctx, "restore"),
      assertStopped(
        fe,
        config,
        zone,
        "restore",
        "Nothing was changed. onedb restore refuses while oned runs: stop the zone's services, then run the deploy again.",
      ),
    ]);
    for (const proof of proofs) if (proof.status === "rejected") throw proof.reason;
    await pushVerified(fe, artifact.localPath, artifact.remotePath, sha256, "restore", zone, config.backup.remoteDirectory);
    const result = await fe.restoreFederated(artifact.remotePath);
    // The SQLite path ignores sqlite3's exit status (§5.4): errors show only on stderr.
    const target = dbVersionOf(config.toVersion);
    const after = await fe.dbVersion();
    if (result.stderr.trim() !== "" || after.shared !== target) {
      throw new StepRefusal("restore", {
        zone,
        frontend,
        expected: `a clean restore (nothing on stderr) leaving shared DB version ${target}`,
        found: `shared ${after.shared ?? "unknown"}${result.stderr.trim() ? `, stderr: ${result.stderr.trim().split("\n")[0]}` : ""}`,
        next: "The slave's federated tables may be half restored; its packages were not touched. Inspect its DB (onedb version -v), then run the deploy again: the restore is redone from the verified artifact.",
      });
    }
    const content = await proveRestoredContent(ctx, fe, fs.readFileSync(artifact.localPath, "utf8"));
    return {
      status: "done",
      summary: `shared DB ${after.shared} restored from sha256 ${sha256.slice(0, 12)}…, every federated table and log entry proven`,
      evidence: { artifact_sha256: sha256, content_digest: content, shared_version: after.shared ?? null },
    };
  },
};

/**
 * The artifact on the automation host, proven against the sha256 the ledger recorded at backup
 * time. A missing or corrupt local copy (a new CI runner, a deleted artifact directory) is fetched
 * again from the master, where the backup step left it, and proven the same way.
 */
async function artifactOnThisHost(ctx: StepContext): Promise<string> {
  const { zone, config, artifact } = ctx;
  const backup = findEntry(ctx.ledger, "backup", config.master.id);
  const recorded = typeof backup?.evidence.artifact_sha256 === "string" ? backup.evidence.artifact_sha256 : recordedChecksum(artifact);
  if (!recorded) {
    throw new StepRefusal("restore", {
      zone,
      expected: "the federated backup's sha256 recorded in the ledger by the master's backup step",
      found: "no record",
      next: "Nothing was changed. Run `onefed deploy`: the backup step runs first.",
    });
  }
  const local = fs.existsSync(artifact.localPath) ? sha256File(artifact.localPath) : undefined;
  if (local === recorded) return recorded;
  ctx.log(`artifact ${artifact.localPath} ${local ? `has sha256 ${local}, not the recorded ${recorded}` : "is missing"}: fetching it again from the master`);
  const master = await ctx.frontendOf(config.master);
  const onMaster = (await master.exists(artifact.remotePath)) ? await master.sha256(artifact.remotePath) : undefined;
  if (onMaster !== recorded) {
    throw new StepRefusal("restore", {
      zone,
      frontend: master.target,
      expected: `the federated backup ${artifact.remotePath} on the master with the sha256 the ledger recorded (${recorded})`,
      found: onMaster ? `sha256 ${onMaster}` : "no such file",
      next:
        "Nothing was changed on this slave: an unproven backup is never restored. Run `onefed deploy` again: its reconcile finds the " +
        "federated backup lost on both ends and the backup step takes it anew from the master (stopping it for the export while the " +
        "federation stays frozen, and starting it after), proven to hold what the slaves restored so far.",
    });
  }
  const fetched = await fetchVerified(master, artifact.remotePath, artifact.localPath, "restore", zone);
  writeChecksum(artifact, fetched, zone);
  return fetched;
}

/** The slave's own federated export must hold exactly the artifact's statements. */
async function proveRestoredContent(ctx: StepContext, fe: ConnectedServer["frontend"], artifactText: string): Promise<string> {
  const { config, zone } = ctx;
  const expected = dumpDigest(artifactText);
  const check = `${config.backup.remoteDirectory}/${config.name}-zone${zone.id}-restored-federated-check.sql`;
  await fe.backupFederated(check);
  let found: string;
  try {
    found = await fe.dumpDigest(check);
  } finally {
    await fe.remove(check);
  }
  if (found !== expected) {
    throw new StepRefusal("restore", {
      zone,
      frontend: fe.target,
      expected: `the slave's federated tables to hold exactly the artifact's content (statement digest ${expected})`,
      found: `digest ${found} in its own federated export: a table or log entry is missing or differs`,
      next: "The restore is incomplete; the zone's packages were not touched. Run the deploy again: the restore is redone from the verified artifact.",
    });
  }
  return found;
}
