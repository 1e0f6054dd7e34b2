/** No upgrade of this federation holds the lock: a second one must not start (docs/ledger.md). */
import { describeLock } from "../model/ledger";
import { Check } from "./check";
import { finding, ok } from "./check-helpers";

export const noUpgradeUnderWay: Check = {
  id: "no-upgrade-under-way",
  description: "no upgrade of the federation holds its lock in the master's upgrade ledger",
  run: (facts, config) =>
    facts.upgradeLock
      ? [
          finding("no-upgrade-under-way", {
            zone: config.master,
            expected: "no upgrade holding the federation lock",
            found: describeLock(facts.upgradeLock),
            next:
              "Wait for that run to finish, or resume it from the same terraform state (onefed deploy), " +
              `or, if it is abandoned, release it with \`onefed unlock --run-id ${facts.upgradeLock.run_id}\` (onefed lock status shows it).`,
          }),
        ]
      : [ok("no-upgrade-under-way", "no upgrade holds the federation lock", config.master)],
};
