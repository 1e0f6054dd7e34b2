/** A plain table of the sandbox's zones, for the before/after view of the main job. */
import type { SandboxStatus } from "../sandbox";

export function zoneTable(status: SandboxStatus): string {
  const rows: string[][] = [["ZONE", "NAME", "ROLE", "FRONT-END", "PACKAGE", "DB SHARED/LOCAL", "ONED", "STATE", "FED_INDEX"]];
  for (const z of status.zones) {
    for (const fe of z.frontends) {
      rows.push([
        String(z.id),
        z.name,
        z.role,
        `${fe.host}:${fe.port}`,
        fe.packageVersion,
        `${fe.db.shared}/${fe.db.local}`,
        fe.services["opennebula"] ?? "-",
        fe.zoneStates[String(z.id)] ?? "-",
        String(fe.fedIndex),
      ]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
