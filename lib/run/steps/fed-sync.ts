/** The federation is in sync: every zone's FED_INDEX, read on the master, is a real index, equal and stable. */
import { FederationConfig } from "../../model/federation";
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";
import { judgeFederationSync, NO_RECORD_MEANING, NO_RECORD_NEXT, STANDALONE_NEXT, SyncVerdict, zonesIn } from "../../checks/federation-sync";
import { proveFrozen } from "../frozen";
import { StepRefusal } from "../step-refusal";
import { StepRun } from "../step";

const POLL_MS = 2000;

/**
 * Polls until two consecutive reads agree on one index, or the wait runs out. A read is not
 * instant: `onezone list` asks every zone in turn and gives each up to 5 s (docs/opennebula.md
 * §5.6), so a zone that accepts and never answers makes every read take that long. The wait
 * therefore counts the last read's duration when it decides whether another fits, and each
 * waiting line names the zones that gave no index and how long the read took.
 */
export async function waitForSync(fe: OpenNebulaFrontend, config: FederationConfig, log: (l: string) => void): Promise<SyncVerdict> {
  const until = Date.now() + config.timeouts.syncWaitSeconds * 1000;
  let previous: SyncVerdict | undefined;
  for (;;) {
    const started = Date.now();
    const verdict = judgeFederationSync(await fe.zoneList(), config);
    const readMs = Date.now() - started;
    if (verdict.inSync && previous?.inSync && previous.index === verdict.index) return verdict;
    const pause = verdict.inSync ? 200 : POLL_MS;
    if (Date.now() + pause + readMs > until) return verdict;
    if (!verdict.inSync) log(`  FED_INDEX not equal yet (${verdict.indexes})${silentZones(verdict, readMs)}; waiting`);
    previous = verdict;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** ": no answer from zone 100 (S-EU-GE) (onezone list took 5.1 s)" for a waiting line; "" when every zone answered. */
function silentZones(verdict: SyncVerdict, readMs: number): string {
  const silent = zonesIn(verdict, "unreachable", "missing");
  return silent ? `: no answer from ${silent} (onezone list took ${(readMs / 1000).toFixed(1)} s)` : "";
}

/**
 * Why some zone has no index to compare (`-`, not listed, no federated record yet, -1), with what to
 * do; undefined when every zone has a real index.
 */
export function unprovable(verdict: SyncVerdict): { found: string; next: string } | undefined {
  const unreachable = zonesIn(verdict, "unreachable", "missing");
  const noRecord = zonesIn(verdict, "no-record");
  const standalone = zonesIn(verdict, "standalone");
  const found: string[] = [];
  const next: string[] = [];
  if (unreachable) {
    found.push(`no answer from ${unreachable}`);
    next.push(
      "Make those zones answer the master (oned running and answering within 5 s, network, their ENDPOINT ending in /RPC2, the master's oneadmin credential accepted there)",
    );
  }
  if (noRecord) {
    found.push(`${NO_RECORD_MEANING} on ${noRecord}`);
    next.push(NO_RECORD_NEXT);
  }
  if (standalone) {
    found.push(`FED_INDEX -1 (oned runs standalone) on ${standalone}`);
    next.push(STANDALONE_NEXT);
  }
  if (found.length === 0) return undefined;
  return { found: `${found.join("; ")} (${verdict.indexes})`, next: next.join(". ") };
}

export const fedSync: StepRun = {
  name: "sync",
  async run(ctx) {
    const { zone, config } = ctx;
    await proveFrozen(ctx, "sync");
    const fe = await ctx.frontend();
    const verdict = await waitForSync(fe, config, (l) => ctx.log(l));
    const missing = unprovable(verdict);
    if (missing) {
      throw new StepRefusal("sync", {
        zone,
        frontend: fe.target,
        expected: "a FED_INDEX for every zone in the master's onezone list",
        found: missing.found,
        next: `${missing.next}, then run the deploy again. Zones stay frozen until then; \`onefed unfreeze\` lifts the freeze by hand.`,
      });
    }
    if (!verdict.inSync) {
      throw new StepRefusal("sync", {
        zone,
        frontend: fe.target,
        expected: `one FED_INDEX on every zone within ${config.timeouts.syncWaitSeconds} s of the freeze`,
        found: verdict.indexes,
        next: "A lagging slave may need re-seeding (docs/opennebula.md §6 row 6); check oned.log on the master for replication errors, then run the deploy again.",
      });
    }
    return { status: "done", summary: `every zone at FED_INDEX ${verdict.index}` };
  },
};
