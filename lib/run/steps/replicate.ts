/**
 * HA zones only, after the leader's upgrade and before anything starts (docs/opennebula.md §3.2 step 5):
 * the leader's full backup restored with `onedb restore -f` on every follower, and the leader's
 * /etc/one and remotes' etc copied over each follower's while the follower keeps its own
 * FEDERATION/SERVER_ID. Everything travels through the automation host, proven by sha256: the
 * front-ends need no SSH trust between each other.
 */
import * as fs from "fs";
import * as path from "path";
import { dbVersionOf } from "../../model/version";
import { hostPort } from "../../model/federation";
import { ConnectedServer, serverIds } from "../raft";
import { haRecord } from "../records/ha-record";
import { StepRefusal } from "../step-refusal";
import { assertStopped } from "../services";
import { StepContext, StepRun } from "../step";
import { fetchVerified, pushVerified } from "../transfer";
import { leaderCopyPaths } from "../../model/paths";

export const replicate: StepRun = {
  name: "replicate",
  async run(ctx) {
    const { zone, config } = ctx;
    const leaderFe = await ctx.frontend();
    const all = await ctx.servers();
    const leader = all.find((s) => s.frontend === leaderFe)!;
    const followers = all.filter((s) => s !== leader);
    const ids = await serverIds(config, zone, all, "replicate");
    const target = dbVersionOf(config.toVersion);
    const leaderDb = await leaderFe.dbVersion();
    if (leaderDb.status !== "up-to-date" || leaderDb.shared !== target || leaderDb.local !== target) {
      throw new StepRefusal("replicate", {
        zone,
        frontend: leader.config,
        expected: `the leader's DB upgraded (onedb version exit 0, ${target}/${target}) before it is copied to the followers`,
        found: `${leaderDb.status}, shared ${leaderDb.shared}, local ${leaderDb.local}`,
        next: "Finish this zone's upgrade step first (run the deploy again).",
      });
    }
    const pending = [];
    const store = haRecord(config, zone);
    const done = store.read()?.replicated?.followers ?? [];
    for (const f of followers) {
      if (done.includes(hostPort(f.config)) && (await inStep(f, ids.get(f.index)!, target))) continue;
      pending.push(f);
    }
    if (pending.length === 0)
      return { status: "already-done", summary: `${followers.length} followers hold the leader's DB ${target} and their own SERVER_ID` };

    for (const s of all)
      await assertStopped(
        s.frontend,
        config,
        zone,
        "replicate",
        "Every server of an HA zone stays down until the followers hold the leader's DB: stop them, then run the deploy again.",
      );
    const r = leaderCopyPaths(config, zone);
    // In transit beside the zone's HA record, on the automation host.
    const localDir = path.dirname(store.path);
    await leaderFe.makePrivateDir(config.backup.remoteDirectory);
    await leaderFe.backupFull(r.db);
    await leaderFe.makePrivate(r.db);
    await leaderFe.packConfiguration(r.conf);
    await leaderFe.makePrivate(r.conf);
    const dbLocal = path.join(localDir, path.basename(r.db));
    const confLocal = path.join(localDir, path.basename(r.conf));
    const dbDigest = await fetchVerified(leaderFe, r.db, dbLocal, "replicate", zone);
    const confDigest = await fetchVerified(leaderFe, r.conf, confLocal, "replicate", zone);
    ctx.log(`  leader ${hostPort(leader.config)}: DB sha256 ${dbDigest}, configuration sha256 ${confDigest}`);
    // One follower after the other: each is complete (DB, configuration, SERVER_ID) before the next.
    for (const f of pending) {
      await replicateTo(ctx, f, ids.get(f.index)!, { db: r.db, conf: r.conf, dbLocal, confLocal, dbDigest, confDigest }, target);
      const record = store.read()!;
      const followersDone = [...new Set([...(record.replicated?.followers ?? []), hostPort(f.config)])];
      store.write({ ...record, replicated: { db_sha256: dbDigest, config_sha256: confDigest, followers: followersDone } });
    }
    // The copies on the automation host were only in transit: the configuration carries oned.conf,
    // and with it a MySQL DB password. A resumed run fetches both anew from the leader.
    for (const f of [dbLocal, confLocal]) fs.rmSync(f, { force: true });
    return {
      status: "done",
      summary: `leader ${hostPort(leader.config)} → ${pending.map((f) => `${hostPort(f.config)} (SERVER_ID ${ids.get(f.index)})`).join(", ")}`,
    };
  },
};

/** Whether a follower already holds the upgraded DB and its own SERVER_ID. */
async function inStep(f: ConnectedServer, serverId: number, target: string): Promise<boolean> {
  const db = await f.frontend.dbVersion();
  return db.status === "up-to-date" && db.shared === target && db.local === target && (await f.frontend.federationSettings()).serverId === serverId;
}

interface Payload {
  readonly db: string;
  readonly conf: string;
  readonly dbLocal: string;
  readonly confLocal: string;
  readonly dbDigest: string;
  readonly confDigest: string;
}

async function replicateTo(ctx: StepContext, f: ConnectedServer, serverId: number, p: Payload, target: string): Promise<void> {
  const { zone, config } = ctx;
  const fe = f.frontend;
  await pushVerified(fe, p.dbLocal, p.db, p.dbDigest, "replicate", zone, config.backup.remoteDirectory);
  await pushVerified(fe, p.confLocal, p.conf, p.confDigest, "replicate", zone, config.backup.remoteDirectory);
  const restored = await fe.restoreFull(p.db);
  await fe.unpackConfiguration(p.conf);
  await fe.setServerId(serverId);
  const db = await fe.dbVersion();
  const own = (await fe.federationSettings()).serverId;
  if (restored.stderr.trim() !== "" || db.status !== "up-to-date" || db.shared !== target || db.local !== target || own !== serverId) {
    throw new StepRefusal("replicate", {
      zone,
      frontend: f.config,
      expected: `the leader's DB (onedb version exit 0, ${target}/${target}) restored cleanly and FEDERATION/SERVER_ID ${serverId} kept`,
      found: `${db.status}, shared ${db.shared}, local ${db.local}, SERVER_ID ${own}${restored.stderr.trim() ? `, stderr: ${restored.stderr.trim().split("\n")[0]}` : ""}`,
      next: `Set SERVER_ID = ${serverId} in this follower's /etc/one/oned.conf if it differs, then run the deploy again (the restore is repeated from the leader's verified backup).`,
    });
  }
  ctx.log(`  follower ${hostPort(f.config)}: DB ${db.shared}/${db.local}, SERVER_ID ${own}`);
}
