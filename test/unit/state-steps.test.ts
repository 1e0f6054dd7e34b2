/**
 * What the reconcile reads from the state: step resources only. A stage barrier (a `barrier`
 * trigger, no `step`) is no step: the ledger never records one, so it is never held against the
 * ledger and never tainted. A chain claims each of its steps, under its one address.
 */
import { EMPTY_LEDGER, LEDGER_FORMAT, LedgerSnapshot, unprovenSteps } from "../../lib/model/ledger";
import { parseStateSteps } from "../../lib/terraform/engine-session";

const state = JSON.stringify({
  format_version: "1.0",
  values: {
    root_module: {
      resources: [
        {
          address: "null_resource.zone_100_download",
          type: "null_resource",
          values: { triggers: { step: "download", zone_id: "100", from_version: "6.10.0", to_version: "7.0.0" } },
        },
        {
          address: "null_resource.stage_every_zone_downloaded",
          type: "null_resource",
          values: { triggers: { barrier: "stage_every_zone_downloaded", does: "every zone holds the target's packages in its cache" } },
        },
      ],
    },
  },
});

describe("the state's steps", () => {
  it("are the step resources, without the stage barriers", () => {
    expect(parseStateSteps(state)).toEqual([
      { address: "null_resource.zone_100_download", step: "download", zoneId: 100, fromVersion: "6.10.0", toVersion: "7.0.0" },
    ]);
  });

  it("leave a barrier out of what the reconcile taints when the ledger proves nothing", () => {
    expect(unprovenSteps(parseStateSteps(state), EMPTY_LEDGER).map((s) => s.address)).toEqual(["null_resource.zone_100_download"]);
  });

  it("read a chain as each of its steps, in order, under the chain's address", () => {
    const chain = JSON.stringify({
      values: {
        root_module: {
          resources: [
            {
              address: "null_resource.zone_100_restore_to_start",
              type: "null_resource",
              values: { triggers: { steps: "restore,upgrade,start", zone_id: "100", from_version: "6.10.0", to_version: "7.0.0" } },
            },
            // Not ours: a `steps` trigger naming something that is no step of onefed's.
            { address: "null_resource.other", type: "null_resource", values: { triggers: { steps: "restore,reboot", zone_id: "100" } } },
          ],
        },
      },
    });
    const steps = parseStateSteps(chain);
    expect(steps.map((s) => `${s.step}@${s.zoneId} ${s.address}`)).toEqual([
      "restore@100 null_resource.zone_100_restore_to_start",
      "upgrade@100 null_resource.zone_100_restore_to_start",
      "start@100 null_resource.zone_100_restore_to_start",
    ]);
    // The ledger proves the restore only: the upgrade and the start are what make the chain run again.
    const ledger: LedgerSnapshot = {
      ...EMPTY_LEDGER,
      entries: [
        { kind: "entry", format: LEDGER_FORMAT, step: "restore", zone_id: 100, run_id: "r", lineage: null, completed_at: "2026-12-01T00:00:00Z", evidence: {} },
      ],
    };
    expect(unprovenSteps(steps, ledger).map((s) => s.step)).toEqual(["upgrade", "start"]);
  });
});
