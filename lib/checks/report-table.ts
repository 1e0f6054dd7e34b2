/** The drift report as a readable table: findings first, with what to do. */
import { printable } from "../model/printable";
import { DriftReport } from "./drift-report";

export function renderDriftTable(report: DriftReport): string {
  const verdict = report.couldNotCheck ? "COULD NOT CHECK" : report.ready ? "READY" : "NOT READY (drift)";
  const lines = [`Federation ${report.federation}, ${report.fromVersion} → ${report.toVersion}: ${verdict}`, ""];
  const rows = [["STATUS", "CHECK", "ZONE", "FRONT-END", "DETAIL"]];
  const order = { finding: 0, ok: 1, "not-applicable": 2 } as const;
  for (const r of [...report.results].sort((a, b) => order[a.status] - order[b.status])) {
    const detail = r.status === "finding" ? `expected ${r.expected}, found ${r.found}` : r.summary;
    // Escaped here as well as in runPack: a report read back from JSON prints as safely.
    const cells = [
      r.status === "finding" ? "FINDING" : r.status === "ok" ? "ok" : "n/a",
      r.check,
      r.zone ? `${r.zone.id} ${r.zone.name}` : "-",
      r.frontend ?? "-",
      detail,
    ];
    rows.push(cells.map((c) => printable(c)));
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  lines.push(...rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")));
  const findings = report.results.filter((r) => r.status === "finding");
  if (findings.length > 0) {
    lines.push("", "What to do:");
    for (const f of findings) lines.push(`  - ${printable(f.summary)}`);
  }
  return lines.join("\n");
}
