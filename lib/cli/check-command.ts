/** `onefed check`: the read-only drift check before a maintenance window. */
import { runDriftCheck } from "../run/drift-check";
import { READINESS_PACK } from "../checks/packs";
import { renderDriftTable } from "../checks/report-table";
import { loadConfig } from "../config/load-config";
import { flag, parseArgs } from "./args";

export const CHECK_HELP = `Usage: onefed check [--config FILE] [--json]

Read-only drift check: connects to every front-end (pinned host keys, keepalive, deadline), gathers
the live facts (zones the master knows, FED_INDEX, installed and DB versions, services, zone state,
free disk; for HA zones each server's SERVER_ID and the Raft roles) and compares them with the federation file and what an upgrade needs. Changes nothing.
The preflight step of every deploy runs the same checks.

Checks:
${READINESS_PACK.map((c) => `  ${c.id.padEnd(20)} ${c.description}`).join("\n")}

Options:
  --config FILE  federation file (default: $FEDERATION_CONFIG or ./federation.yaml)
  --json         the full report (facts and results) as JSON on stdout

Exit codes: 0 ready, 2 drift or not ready, 1 could not check (unreachable, auth, host key).
`;

export async function runCheckCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(CHECK_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["config"], booleans: ["json"] }, "onefed check");
  const config = loadConfig(flag(args, "config"));
  const report = await runDriftCheck(config);
  out(args.flags.json ? JSON.stringify(report, null, 2) : renderDriftTable(report));
  return report.exitCode;
}
