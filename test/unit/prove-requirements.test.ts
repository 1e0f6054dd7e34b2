/**
 * The runner refuses, before anything is touched, a step whose predecessors the federation's
 * ledger does not prove complete (run-step.ts proveRequirements): terraform's state may claim them
 * after a killed apply, a manual unfreeze or a step run by hand out of order.
 */
import { FederationConfig } from "../../lib/model/federation";
import { requirementsOf } from "../../lib/model/step-requirements";
import { STEP_NAMES } from "../../lib/model/steps";
import { proveRequirements } from "../../lib/run/run-step";
import { StepRefusal } from "../../lib/run/step-refusal";
import { seedFederation } from "../support/federation-builder";
import { FEDERATION_SHAPES } from "../support/federation-shapes";
import { ledgerWith, restoreEntry, safetyBackupEntry } from "../support/ledger-entries";

const config = seedFederation().parse();
const [s100] = config.slaves;

/** Every (step, zone) with at least one requirement in this federation. */
const withRequirements = (c: FederationConfig) =>
  STEP_NAMES.flatMap((step) => c.zones.map((zone) => ({ step, zone, reqs: requirementsOf(step, zone, c) }))).filter((x) => x.reqs.length > 0);

/** The message of the refusal `run` throws; fails the test when it throws none. */
function refusalOf(run: () => void): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(StepRefusal);
    return (e as Error).message;
  }
  throw new Error("expected a refusal, but the step was let through");
}

describe("proveRequirements", () => {
  it("refuses a stop the ledger does not prove in sync, naming the missing (step, zone), and says nothing was changed", () => {
    // A sync recorded for another zone proves nothing: the federation-wide sync is recorded under the master.
    const ledger = ledgerWith([
      { step: "sync", zoneId: 100 },
      { step: "freeze", zoneId: 0 },
    ]);
    const refuse = () => proveRequirements("stop", s100, config, ledger);
    expect(refuse).toThrow(StepRefusal);
    expect(refuse).toThrow(
      /^stop refused on zone 100 \(S-EU-GE\): expected the federation's upgrade ledger on the master to record sync of zone 0 \(M-EU-FR\) complete \(zones stop only once the federation is frozen and in sync\), but found no such record\. Nothing was changed\. .*Run `onefed deploy` again/,
    );
  });

  it("names only the missing requirements, every one of them", () => {
    const partly = refusalOf(() => proveRequirements("upgrade", s100, config, ledgerWith([safetyBackupEntry(config, s100, "5".repeat(64))])));
    expect(partly).toMatch(
      /record restore of zone 100 \(S-EU-GE\) complete \(a slave is never upgraded before its own federated restore\), but found no such record/,
    );
    expect(partly).not.toMatch(/safety-backup of zone/);
    const none = refusalOf(() => proveRequirements("upgrade", s100, config, ledgerWith([])));
    expect(none).toMatch(
      /record safety-backup of zone 100 \(S-EU-GE\) complete \(nothing is changed before the zone's full safety backup\); restore of zone 100 \(S-EU-GE\) complete/,
    );
  });

  it("passes a slave's upgrade once its safety backup and restore are recorded", () => {
    const ledger = ledgerWith([safetyBackupEntry(config, s100, "5".repeat(64)), restoreEntry(s100, "0".repeat(64))]);
    expect(() => proveRequirements("upgrade", s100, config, ledger)).not.toThrow();
  });

  it.each(FEDERATION_SHAPES)("on %s: passes every step with all its requirements recorded, and refuses it when any one is missing", (_shape, build) => {
    const c = build();
    const cases = withRequirements(c);
    expect(cases.length).toBeGreaterThan(0);
    for (const { step, zone, reqs } of cases) {
      const all = reqs.map((r) => ({ step: r.step, zoneId: r.zoneId }));
      expect(() => proveRequirements(step, zone, c, ledgerWith(all))).not.toThrow();
      for (const missing of reqs) {
        const name = c.zones.find((z) => z.id === missing.zoneId)!.name;
        const without = ledgerWith(all.filter((r) => !(r.step === missing.step && r.zoneId === missing.zoneId)));
        expect(() => proveRequirements(step, zone, c, without)).toThrow(`${missing.step} of zone ${missing.zoneId} (${name}) complete (${missing.why})`);
      }
    }
  });

  it("passes a step that relies on nothing, with an empty ledger", () => {
    expect(() => proveRequirements("preflight", config.master, config, ledgerWith([]))).not.toThrow();
  });
});
