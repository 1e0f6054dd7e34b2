/**
 * HA zones: exactly one Raft leader, every listed server a follower in sync (docs/opennebula.md §3.1):
 * its COMMIT within MAX_FOLLOWER_COMMIT_LAG of the leader's, after the gatherer's re-read.
 */
import { Check } from "./check";
import { finding, ok, zoneOf } from "./check-helpers";
import { judgeRaft, laggingAdvice, MAX_FOLLOWER_COMMIT_LAG } from "./raft-health";

export const raftHealthy: Check = {
  id: "raft-healthy",
  description: `HA zones: one Raft leader, every front-end in SERVER_POOL a follower within ${MAX_FOLLOWER_COMMIT_LAG} entries of the leader's COMMIT`,
  run: (facts, config) =>
    (facts.raft ?? []).map((r) => {
      const zone = zoneOf(config, r.zoneId);
      if (!r.servers) {
        return finding("raft-healthy", {
          zone,
          expected: "a running oned on some server to report the Raft cluster",
          found: "no server answered onezone show",
          next: "Start the zone's servers (or make them reachable), then check again.",
        });
      }
      const members = Object.entries(r.serverIds).map(([frontend, serverId]) => ({ frontend, serverId }));
      const health = judgeRaft(r.servers, members);
      return health.healthy
        ? ok("raft-healthy", `one leader, ${members.length - 1} followers in sync`, zone, r.askedAt)
        : finding("raft-healthy", {
            zone,
            frontend: r.askedAt,
            expected: "exactly one leader and every front-end a follower in sync",
            found: r.rereadSeconds === undefined ? health.problem : `${health.problem}, still after re-reading for ${r.rereadSeconds} s`,
            next: health.catchingUp
              ? `${laggingAdvice(health.lagging ?? [])}; then check again.`
              : "Wait for the election or the log to catch up, or repair the server (docs/opennebula.md §3.2 pitfalls: fresh leader backup, onedb restore -f, onezone server-reset), then check again.",
          });
    }),
};
