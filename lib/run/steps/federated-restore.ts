/**
 * On one slave, oned stopped, old packages still installed: upload the master's federated backup,
 * prove it by sha256 on both ends, then onedb restore --federated (docs/opennebula.md §4.4 step 5).
 */
import * as fs from "fs";
import { dbVersionOf } from "../../model/version";
import { recordedChecksum, sha256File } from "../artifact";
import { StepRefusal } from "../step-refusal";
import { pushVerified } from "../transfer";
import { assertStopped } from "../services";
import { StepRun } from "../step";

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
        next: "A federated restore only ever goes to slaves; check the roles in federation.yaml.",
      });
    }
    // HA slave: the leader recorded at stop; the followers get it through its full backup (§4.4).
    const fe = await ctx.frontend();
    const frontend = fe.target;
    const target = dbVersionOf(config.toVersion);
    const before = await fe.dbVersion();
    if (before.shared === target) return { status: "already-done", summary: `shared DB already ${target}` };

    const recorded = recordedChecksum(artifact);
    const actual = fs.existsSync(artifact.localPath) ? sha256File(artifact.localPath) : undefined;
    if (!recorded || actual !== recorded) {
      throw new StepRefusal("restore", {
        zone,
        frontend,
        expected: `the artifact ${artifact.localPath} with the sha256 recorded at backup time (${recorded ?? "none recorded"})`,
        found: actual ? `sha256 ${actual}` : "no artifact file",
        next: `Do not restore an unverified backup. Remove ${artifact.localPath} and ${artifact.localChecksumPath} and re-run the master's backup step (terraform apply -replace on the backup resource).`,
      });
    }
    await assertStopped(fe, config, zone, "restore", "onedb restore refuses while oned runs: stop the zone's services, then run the deploy again.");
    await pushVerified(fe, artifact.localPath, artifact.remotePath, recorded, "restore", zone, config.backup.remoteDirectory);
    const result = await fe.restoreFederated(artifact.remotePath);
    // The SQLite path ignores sqlite3's exit status (§5.4): errors show only on stderr.
    const after = await fe.dbVersion();
    if (result.stderr.trim() !== "" || after.shared !== target) {
      throw new StepRefusal("restore", {
        zone,
        frontend,
        expected: `a clean restore (nothing on stderr) leaving shared DB version ${target}`,
        found: `shared ${after.shared ?? "unknown"}${result.stderr.trim() ? `, stderr: ${result.stderr.trim().split("\n")[0]}` : ""}`,
        next: "Inspect the slave's DB (onedb version -v); restore again from the verified artifact by running the deploy again.",
      });
    }
    return { status: "done", summary: `shared DB ${after.shared} restored from sha256 ${recorded.slice(0, 12)}…` };
  },
};
