/**
 * The sync wait against a zone that accepts and never answers (docs/opennebula.md §5.6): every read
 * of `onezone list` then takes the CLI's 5 s for that zone, so the wait names the silent zone and
 * how long the read took, counts that time against syncWaitSeconds, and succeeds once it answers.
 */
import { waitForSync } from "../../lib/run/steps/fed-sync";
import { FederationConfig } from "../../lib/model/federation";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { parseZoneListCsv } from "../../lib/remote/opennebula/parsers";
import { seedFederation } from "../support/federation-builder";

/** A master whose `onezone list --csv` takes `ms` per read and shows these FED_INDEX cells for zones 0, 100, 101, one read after another. */
function slowMaster(config: FederationConfig, reads: string[][], ms: number): { fe: OpenNebulaFrontend; count: () => number } {
  let n = 0;
  const zoneList = async () => {
    await new Promise((r) => setTimeout(r, ms));
    const cells = reads[Math.min(n++, reads.length - 1)];
    return parseZoneListCsv(
      "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" +
        config.zones.map((z, i) => `${i === 0 ? "*" : '""'},${z.id},${z.name},${z.endpoint},${cells[i]},on`).join("\n") +
        "\n",
    );
  };
  return { fe: { zoneList } as unknown as OpenNebulaFrontend, count: () => n };
}

describe("waitForSync with a hung zone", () => {
  it("waits while zone 100 gives no answer, says so with the read's duration, then proves sync once it answers", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 20 } })
      .parse();
    const hung = ["715438", "-", "715438"];
    const { fe, count } = slowMaster(config, [hung, hung, ["715438", "715438", "715438"]], 300);
    const log: string[] = [];
    const verdict = await waitForSync(fe, config, (l) => log.push(l));
    expect(verdict).toMatchObject({ inSync: true, index: 715438n });
    expect(count()).toBe(4);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(
      /^ {2}FED_INDEX not equal yet \(0=715438, 100=-, 101=715438\): no answer from zone 100 \(S-EU-GE\) \(onezone list took 0\.\d s\); waiting$/,
    );
  }, 20_000);

  it("stops before a read that would overrun syncWaitSeconds, with the silent zone in the verdict", async () => {
    const config = seedFederation()
      .with({ timeouts: { syncWaitSeconds: 3 } })
      .parse();
    const { fe, count } = slowMaster(config, [["715438", "-", "715438"]], 1200);
    const started = Date.now();
    const verdict = await waitForSync(fe, config, () => undefined);
    expect(Date.now() - started).toBeLessThan(3200);
    expect(count()).toBe(1);
    expect(verdict.inSync).toBe(false);
    expect(verdict.indexes).toBe("0=715438, 100=-, 101=715438");
  });
});
