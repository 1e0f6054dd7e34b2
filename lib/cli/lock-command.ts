/** `onefed lock status` and `onefed unlock --run-id ID`: the federation's upgrade lock, in its ledger on the master. */
import { loadConfig } from "../config/load-config";
import { ExitCode } from "../model/exit-codes";
import { describeLock, ledgerDirectory } from "../model/ledger";
import { lockStatus, unlock } from "../run/operator-actions";
import { defineCommand, usageError } from "./command";
import { configOption } from "./common-options";
import { flag, text } from "./options";

export const lockStatusCommand = defineCommand(
  {
    name: "onefed lock status",
    summary: "show who holds the federation's upgrade lock, since when and the step it reached",
    description: `Reads the upgrade ledger on the master (every server of an HA master) and shows the federation
lock: the run that holds it, its automation host, its terraform state lineage, since when, and the
step it reached; and what the ledger records complete. Read-only. Exit 0 when no upgrade holds the
lock, 5 when one does, 1 when the master could not be reached.`,
    options: { config: configOption, json: flag({ help: "print the ledger as JSON" }) },
    exitCodes: [ExitCode.Failed, ExitCode.Locked],
  },
  async ({ config: configPath, json }, out) => {
    const config = loadConfig(configPath);
    const ledger = await lockStatus(config);
    if (json) out(JSON.stringify(ledger, null, 2));
    else {
      out(`ledger: ${ledgerDirectory(config)} on ${config.master.frontends.map((f) => f.host).join(", ")}`);
      out(ledger.lock ? `locked: ${describeLock(ledger.lock)}` : "not locked: no upgrade of this federation is under way");
      for (const e of [...ledger.entries].sort((a, b) => a.completed_at.localeCompare(b.completed_at)))
        out(`  ${e.completed_at}  ${e.step} of zone ${e.zone_id} (run ${e.run_id})`);
      for (const e of ledger.events) out(`  ${e.at}  ${e.what} by ${e.by}: ${e.detail}`);
      for (const r of ledger.rollbacks ?? []) out(`  ${r.updated_at}  rollback of zone ${r.zone_id} ${r.phase} (run ${r.run_id}): ${r.summary}`);
    }
    return ledger.lock ? ExitCode.Locked : ExitCode.Done;
  },
);

export const unlockCommand = defineCommand(
  {
    name: "onefed unlock",
    summary: "release the federation's upgrade lock, naming the holder's run id",
    description: `Releases the federation lock of a run that died and will not be resumed. The run id must be the
holder's (\`onefed lock status\` shows it): a confirmation that you know which run you release.
Make sure nothing of that run still runs. A run of the same upgrade (same terraform state) does not
need this: it takes the lock over by itself.`,
    options: {
      config: configOption,
      "run-id": text({ value: "ID", help: "the run id of the lock's holder", required: true }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked],
  },
  async ({ config, "run-id": runId }, out) => {
    const released = await unlock(loadConfig(config), runId);
    out(`released the lock of ${describeLock(released)}`);
    return ExitCode.Done;
  },
);

const LOCK_HELP = `Usage: onefed lock status [--config FILE] [--json]

The federation's upgrade lock, kept in the upgrade ledger on the master.

Commands:
  status    ${lockStatusCommand.summary}

Run \`onefed lock status --help\` for its options. \`onefed unlock\` releases a lock.
`;

/** `onefed lock <sub>`: today only `status`. */
export async function runLockCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(LOCK_HELP);
    return name ? ExitCode.Done : ExitCode.Usage;
  }
  if (name !== "status") throw usageError("onefed lock", `unknown command ${JSON.stringify(name)} (see onefed lock --help)`);
  return lockStatusCommand.run(rest, out);
}
