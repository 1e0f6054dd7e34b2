/** `onefed check`: the read-only drift check before a maintenance window. */
import { driftReportJson } from "../checks/drift-report";
import { READINESS_PACK } from "../checks/packs";
import { renderDriftTable } from "../checks/report-table";
import { loadConfig } from "../config/load-config";
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { configOption } from "./common-options";
import { flag } from "./options";

export const checkCommand = defineCommand(
  {
    name: "onefed check",
    summary: "read-only drift check: is the federation as the file says, and ready?",
    description: `Read-only drift check: connects to every front-end (pinned host keys, keepalive, deadline), gathers
the live facts (zones the master knows, FED_INDEX, installed and DB versions, services, zone state,
free disk; for HA zones each server's SERVER_ID and the Raft roles) and compares them with the
federation file and what an upgrade needs. Changes nothing. The preflight step of every deploy
runs the same checks. Exit 3 means drift or not ready; 1 that some front-end could not be checked
(unreachable, authentication, host key), so the verdict is incomplete.`,
    sections: [{ title: "Checks", body: READINESS_PACK.map((c) => `  ${c.id.padEnd(20)} ${c.description}`).join("\n") }],
    options: {
      config: configOption,
      json: flag({ help: "the full report (facts and results) as JSON on stdout" }),
    },
    exitCodes: [ExitCode.Failed, ExitCode.NotReady],
  },
  async ({ config: configPath, json }, out) => {
    const config = loadConfig(configPath);
    // Loaded here: SSH is needed only once the arguments and the federation file are good.
    const { runDriftCheck } = await import("../run/drift-check");
    const report = await runDriftCheck(config);
    out(json ? driftReportJson(report) : renderDriftTable(report));
    return report.exitCode;
  },
);

export const runCheckCommand = checkCommand.run;
