/** `onefed sandbox status` (and `onefed demo`) as a readable table: one row per front-end, then the nodes. */
import { SANDBOX_DB_PASSWORD_ENV, SandboxStatus } from "../../sandbox";

/** An HA server's Raft column: `leader`, `follower (lagging)`, … */
function raftCell(fe: SandboxStatus["zones"][number]["frontends"][number]): string {
  return fe.raft === "solo" ? "-" : `${fe.serverId} ${fe.raft}${fe.raftLagging ? " (lagging)" : ""}`;
}

/** Rows padded to their widest cell, two spaces apart. */
function align(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** One row per hypervisor node, or "" when the federation has none. */
function nodeTable(st: SandboxStatus): string {
  const rows = st.zones.flatMap((z) =>
    z.nodes.map((n) => [
      String(z.id),
      n.name,
      n.hostName,
      `${n.host}:${n.port}`,
      n.sshdRunning ? "up" : "down",
      n.packageManager,
      n.packageVersion || "-",
      n.libvirt,
      String(n.commandCount),
    ]),
  );
  return rows.length === 0 ? "" : align([["ZONE", "NODE", "HOST NAME", "SSH", "SSHD", "PKG", "PACKAGE", "LIBVIRTD", "CMDS"], ...rows]);
}

/** MySQL zones: where the password is, how many onedb runs got it from their caller, and any leaks. */
function mysqlLine(st: SandboxStatus): string {
  const fes = st.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends);
  const auths = fes.reduce((n, fe) => n + fe.onedbPasswordAuths, 0);
  const leaks = fes.filter((fe) => fe.passwordLeaks > 0).map((fe) => `${fe.name} ${fe.passwordLeaks}`);
  const exposures = fes.reduce((n, fe) => n + fe.onedbPasswordExposures, 0);
  return (
    `MySQL password in ${st.mysqlPasswordFile} (${SANDBOX_DB_PASSWORD_ENV}); onedb runs with a caller's password: ${auths}; ` +
    `password leaks: ${leaks.length > 0 ? leaks.join(", ") : "none"}; onedb's own mysqldump/mysql command lines showing it: ${exposures}`
  );
}

/**
 * The readable status table (a RAFT column, `<server id> <role>`, when the federation has HA
 * zones; PKG when some zone is RHEL-like; DB when some zone is MySQL-configured), then the nodes'
 * table when there are nodes, then a line per HA zone and one for the MySQL zones.
 */
export function statusTable(st: SandboxStatus): string {
  const zoneIds = st.zones.map((z) => String(z.id));
  const ha = st.zones.some((z) => z.ha);
  const rhel = st.zones.some((z) => z.frontends.some((fe) => fe.packageManager !== "apt"));
  const mysql = st.zones.some((z) => z.dbBackend === "mysql");
  const head = [
    "ZONE",
    "NAME",
    "ROLE",
    "FRONT-END",
    "SSH",
    "SSHD",
    ...(ha ? ["RAFT"] : []),
    ...(rhel ? ["PKG"] : []),
    ...(mysql ? ["DB"] : []),
    "PACKAGE",
    "CONFIG",
    "DB SHARED/LOCAL",
    "ONED",
    "LOCK",
    `STATES ${zoneIds.join("/")}`,
    "FED_INDEX",
    "CMDS",
  ];
  const rows: string[][] = [head];
  for (const z of st.zones) {
    for (const fe of z.frontends) {
      rows.push([
        String(z.id),
        z.name,
        z.role,
        fe.name,
        `${fe.host}:${fe.port}`,
        fe.sshdRunning ? "up" : "down",
        ...(ha ? [raftCell(fe)] : []),
        ...(rhel ? [fe.packageManager] : []),
        ...(mysql ? [z.dbBackend] : []),
        fe.packageVersion || "-",
        fe.configVersion,
        `${fe.db.shared || "?"}/${fe.db.local || "?"}${fe.db.isSlave ? " (slave)" : ""}`,
        (fe.services["opennebula"] ?? "-") + (fe.reachable ? "" : " (unreachable)") + (fe.hung ? " (hung)" : ""),
        fe.lockFile ? "yes" : "no",
        zoneIds.map((id) => (fe.zoneStates[id] === "ENABLED" ? "on" : fe.zoneStates[id] === "DISABLED" ? "off" : "?")).join("/") +
          (fe.replicationBlocked ? " (lagging)" : ""),
        String(fe.fedIndex),
        String(fe.commandCount),
      ]);
    }
  }
  const table = align(rows);
  const nodes = nodeTable(st);
  const raft = st.zones
    .filter((z) => z.ha && z.raft)
    .map(
      (z) =>
        `zone ${z.id}: floating IP ${z.vip}, term ${z.raft!.term}, ${z.raft!.leader === null ? "no leader" : `leader server ${z.raft!.leader}`}${z.raft!.splitBrain ? ", split brain" : ""}`,
    );
  // What a test changed on a front-end that the table does not show: credentials and migrators.
  const situations = st.zones.flatMap((z) =>
    z.frontends.flatMap((fe) => [
      ...(fe.credential !== "valid" ? [`${fe.name}: oneadmin credential ${fe.credential}`] : []),
      ...(fe.missingMigrators.length > 0 ? [`${fe.name}: migrators missing: ${fe.missingMigrators.join(", ")}`] : []),
    ]),
  );
  const jump = st.jumpHost
    ? [`jump host ${st.jumpHost.host}:${st.jumpHost.port}: sshd ${st.jumpHost.sshdPid === null ? "down" : "up"}, ${st.jumpHost.forwards} connections forwarded`]
    : [];
  const footer = [...raft, ...(mysql ? [mysqlLine(st)] : []), ...situations, ...jump];
  const timing = st.timing.profile === "realistic" ? `, timing realistic × ${st.timing.scale}` : "";
  return `Sandbox ${st.dir}: federation ${st.federation.name}, ${st.federation.fromVersion} → ${st.federation.toVersion}${timing}\n\n${table}${nodes ? `\n\n${nodes}` : ""}${footer.length > 0 ? `\n\n${footer.join("\n")}` : ""}`;
}
