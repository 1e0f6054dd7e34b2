/**
 * What the plan review says about drift: the report of `onefed check` when it ran, or why there
 * is none. The check itself lives in lib/checks; the review only renders its verdict.
 */
import type { DriftReport } from "../../checks/drift-report";
import { cell, cellCode, code, table } from "./markdown";

export type DriftOutcome =
  /** The drift check ran (its verdict may still be "could not check" for some front-ends). */
  | { readonly status: "report"; readonly report: DriftReport }
  /** `--no-check` was given. */
  | { readonly status: "skipped" }
  /** This build has no drift check module. */
  | { readonly status: "not-available" }
  /** The drift check itself failed before producing a report. */
  | { readonly status: "failed"; readonly message: string };

/** The "Drift check" section body (without its heading), capped at `maxRows` finding rows. */
export function renderDrift(outcome: DriftOutcome, maxRows = Infinity): string {
  switch (outcome.status) {
    case "skipped":
      return "Skipped (`--no-check`). Run `onefed check` before approving: the plan only knows the state file, not the zones.";
    case "not-available":
      return "Drift check not available in this build of onefed. Run `onefed check` before approving: the plan only knows the state file, not the zones.";
    case "failed":
      return `**Could not check:** ${cell(outcome.message)}\n\nRun \`onefed check\` and read its message before approving.`;
    case "report":
      return renderReport(outcome.report, maxRows);
  }
}

function renderReport(report: DriftReport, maxRows: number): string {
  const findings = report.results.filter((r) => r.status === "finding");
  const ok = report.results.filter((r) => r.status === "ok").length;
  const unreachable = report.facts.frontends.filter((f) => f.error !== undefined);
  const parts: string[] = [];
  if (report.ready)
    parts.push(
      `**Ready.** ${ok} check result${ok === 1 ? "" : "s"} passed on ${report.facts.frontends.length} front-end${report.facts.frontends.length === 1 ? "" : "s"}; no finding.`,
    );
  else if (findings.length > 0)
    parts.push(
      `**Not ready: ${findings.length} finding${findings.length === 1 ? "" : "s"}.** Resolve ${findings.length === 1 ? "it" : "them"} (or have the plan re-made) before approving.`,
    );
  if (report.couldNotCheck) {
    parts.push(`**Could not check** ${unreachable.length} front-end${unreachable.length === 1 ? "" : "s"}; the verdict is incomplete:`);
    // A front-end the findings table already explains is only named here, not explained twice.
    const explained = new Set(findings.map((f) => f.frontend));
    parts.push(
      unreachable
        .map((f) => `- zone ${f.zoneId}, ${code(f.frontend)}${explained.has(f.frontend) ? " (see the table)" : `: ${cell(f.error ?? "")}`}`)
        .join("\n"),
    );
  }
  if (report.facts.masterZoneListError) parts.push(`The master's zone list could not be read: ${cell(report.facts.masterZoneListError)}`);
  if (findings.length > 0) {
    const rows = findings.map((f) => [
      f.zone ? cell(`${f.zone.id} ${f.zone.name}`) : "—",
      f.frontend ? cellCode(f.frontend) : "—",
      cellCode(f.check),
      cell(f.expected ?? ""),
      cell(f.found ?? ""),
      cell(f.next ?? f.summary),
    ]);
    parts.push(table(["zone", "front-end", "check", "expected", "found", "what to do"], rows, maxRows, "the output of `onefed check`"));
  }
  if (parts.length === 0) parts.push("No verdict: the drift check returned no result.");
  parts.push(`Checked at ${report.facts.gatheredAt}, exit code ${report.exitCode}.`);
  return parts.join("\n\n");
}
