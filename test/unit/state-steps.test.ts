/**
 * What the reconcile reads from the state: step resources only. A stage barrier (a `barrier`
 * trigger, no `step`) is no step: the ledger never records one, so it is never held against the
 * ledger and never tainted.
 */
import { EMPTY_LEDGER, unprovenSteps } from "../../lib/model/ledger";
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
});
