/** `onefed rollback --zone ID | --all`: the documented rollback from the recorded safety backups (docs/rollback.md). */
import * as readline from "readline";
import { loadConfig } from "../config/load-config";
import { ExitCode } from "../model/exit-codes";
import { zoneLabel } from "../model/federation";
import { rollBack, RollbackCancelled } from "../run/rollback/run-rollback";
import { ACCEPT_SHARED_TABLES_FLAG } from "../run/rollback/rollback-scope";
import { defineCommand, Output, usageError } from "./command";
import { configOption } from "./common-options";
import { flag, zoneId } from "./options";

/** Asks on the terminal; only `yes` goes on. */
async function askOnTerminal(plan: readonly string[], out: Output): Promise<boolean> {
  out(["onefed rollback will:", ...plan.map((l) => `  - ${l}`)].join("\n"));
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => rl.question("Type yes to roll back: ", resolve));
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

export const rollbackCommand = defineCommand(
  {
    name: "onefed rollback",
    summary: "roll zones back to the version they ran before the upgrade, from the recorded safety backups",
    description: `Performs the documented rollback (README, Rollback) of this federation's upgrade, zone by zone,
from the safety backups the upgrade ledger records: proves every backup's sha256 on the front-ends
before anything stops (a tampered backup is refused, nothing changed), takes the federation lock,
freezes federated writes as the upgrade does, then per zone (the master first): stop, onedb restore
-f of the backup, the old packages reinstalled, /etc/one put back from the config backup, onedb
version at the old version, start. An HA zone: the leader's backup on every server, each keeping its
own SERVER_ID. Each zone's progress is recorded in the ledger: a re-run skips what is done. Once a
zone is rolled back its upgrade entries are forgotten, so \`onefed check\` is ready again and the
next \`onefed deploy\` runs the whole upgrade anew (docs/rollback.md).

Asks for confirmation on a terminal; --yes in automation. Without a terminal and without --yes it
refuses (exit 2).`,
    options: {
      config: configOption,
      zone: zoneId({ value: "ID", help: "roll back this zone only" }),
      all: flag({ help: "roll back every zone of the federation" }),
      yes: flag({ help: "do not ask for confirmation (automation)" }),
      "accept-shared-tables-mismatch": flag({
        help: "with --zone in a coordinated (type B) federation: roll back that zone alone although the master's shared tables are what the slaves were restored from",
      }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked],
  },
  async ({ config: configPath, zone, all, yes, "accept-shared-tables-mismatch": accept }, out) => {
    if ((zone === undefined) === !all) throw usageError("onefed rollback", "give exactly one of --zone ID or --all");
    if (accept && all) throw usageError("onefed rollback", `${ACCEPT_SHARED_TABLES_FLAG} goes with --zone, not --all`);
    if (!yes && !process.stdin.isTTY) throw usageError("onefed rollback", "no terminal to confirm on: give --yes to roll back without a confirmation");
    const config = loadConfig(configPath);
    const report = await rollBack({
      config,
      scope: { zones: all ? "all" : zone!, acceptSharedTablesMismatch: accept },
      log: out,
      confirm: yes ? async () => true : (plan) => askOnTerminal(plan, out),
    });
    if (report.outcome === "cancelled") throw new RollbackCancelled();
    out(
      `rollback: ${report.zones.map((z) => zoneLabel(z.zone)).join(", ")} back at ${config.fromVersion}` +
        (report.unfrozen ? "; the freeze is lifted" : "") +
        ". `onefed check` judges the federation ready for the upgrade again; `onefed deploy` runs it anew.",
    );
    return ExitCode.Done;
  },
);
