/** The federation is in sync: every zone's FED_INDEX, read on the master, is equal and stable. */
import { FederationConfig, zoneLabel } from "../../model/federation";
import { ZoneListRow } from "../../remote/opennebula/parsers";
import { OpenNebulaFrontend } from "../../remote/opennebula/frontend";
import { proveFrozen } from "../frozen";
import { StepRefusal } from "../step-refusal";
import { StepRun } from "../step";

const POLL_MS = 2000;

export interface SyncVerdict {
  readonly inSync: boolean;
  readonly index?: number;
  /** Zones that could not be asked (`-`) or are missing from the master's list. */
  readonly unreachable: readonly string[];
  readonly indexes: string;
}

function judgeSync(rows: readonly ZoneListRow[], config: FederationConfig): SyncVerdict {
  const unreachable: string[] = [];
  const values = new Set<number>();
  for (const z of config.zones) {
    const row = rows.find((r) => r.id === z.id);
    if (!row || row.fedIndex === null) unreachable.push(zoneLabel(z));
    else values.add(row.fedIndex);
  }
  const indexes = config.zones.map((z) => `${z.id}=${rows.find((r) => r.id === z.id)?.fedIndex ?? "-"}`).join(", ");
  return { inSync: unreachable.length === 0 && values.size === 1, index: values.size === 1 ? [...values][0] : undefined, unreachable, indexes };
}

/** Polls until two consecutive reads agree on one index, or the wait runs out. */
export async function waitForSync(fe: OpenNebulaFrontend, config: FederationConfig, log: (l: string) => void): Promise<SyncVerdict> {
  const until = Date.now() + config.timeouts.syncWaitSeconds * 1000;
  let previous: SyncVerdict | undefined;
  for (;;) {
    const verdict = judgeSync(await fe.zoneList(), config);
    if (verdict.inSync && previous?.inSync && previous.index === verdict.index) return verdict;
    if (Date.now() + POLL_MS > until) return verdict;
    if (!verdict.inSync) log(`  FED_INDEX not equal yet (${verdict.indexes}); waiting`);
    previous = verdict;
    await new Promise((r) => setTimeout(r, verdict.inSync ? 200 : POLL_MS));
  }
}

export const fedSync: StepRun = {
  name: "sync",
  async run(ctx) {
    const { zone, config } = ctx;
    await proveFrozen(ctx, "sync");
    const fe = await ctx.frontend();
    const verdict = await waitForSync(fe, config, (l) => ctx.log(l));
    if (verdict.unreachable.length > 0) {
      throw new StepRefusal("sync", {
        zone,
        frontend: fe.target,
        expected: "a FED_INDEX for every zone in the master's onezone list",
        found: `no answer from ${verdict.unreachable.join(", ")} (${verdict.indexes})`,
        next: "Make those zones reachable from the master (oned running, network), then run the deploy again. Zones stay frozen until then; \`onefed unfreeze\` lifts the freeze by hand.",
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
