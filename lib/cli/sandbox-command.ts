/**
 * `onefed sandbox up|status|down|inject|rekey|lag|log`: the local federation of real sshd
 * front-ends with emulated OpenNebula commands (docs/sandbox.md).
 */
import * as path from "path";
import { isExpectedFailure, UsageError } from "../model/errors";
import {
  advanceFederation,
  injectFailure,
  readCommandLog,
  rekeyFrontend,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  setRaftLeader,
  setRaftSplitBrain,
  setReplicationBlocked,
  SANDBOX_DB_PASSWORD_ENV,
  SandboxStatus,
} from "../../sandbox";
import { ParsedArgs, flag, parseArgs } from "./args";

const HELP: Record<string, string> = {
  sandbox: `Usage: onefed sandbox <command> [options]

A local OpenNebula federation for the runner and the tests: one real sshd per front-end (and per
hypervisor node) on its own loopback address, in its own mount namespace, with emulated
onezone/onehost/onedb/onecfg/systemctl/apt-get (dnf/yum/rpm on RHEL-like zones).

Commands:
  up       create (or restart) the sandbox and write DIR/federation.yaml
  status   show every front-end and node: sshd, packages, DB versions, services, zone states, FED_INDEX
  down     stop every sshd and remove the directory (--keep keeps it)
  inject   make the next matching command on a front-end fail
  rekey    give a front-end a new host key (known_hosts keeps the old one)
  lag      stop (or resume) replication to a slave so that its FED_INDEX falls behind
  raft     force an HA zone's leader, or a split brain
  log      print the commands the front-ends ran

Run \`onefed sandbox <command> --help\` for its options. DIR defaults to ./.sandbox.
`,
  up: `Usage: onefed sandbox up [--dir DIR] [--slaves N] [--from V] [--to V] [--address-base A] [--port P] [--name NAME]
                         [--ha ZONE,ZONE,...] [--servers N] [--nodes N] [--dnf ZONE,...] [--yum ZONE,...]
                         [--mysql ZONE,...]

Creates the sandbox in DIR (or restarts the sshd of a stopped one) and prints where things are.
Needs root. Defaults: --slaves 2, --from 6.10.0, --to 7.0.0, --address-base 127.0.50.1 (every
front-end takes the next address, in zone order), --port 22, --name sandbox.
--ha makes the listed zones (ids: 0, 100, 101, ...) HA (Raft) zones of --servers front-ends each
(2 to 7, default 3); each gets a floating IP after all front-ends' addresses as its endpoint.
--nodes N gives every zone N KVM hypervisor nodes (0 to 8, default 0): machines zone<id>-node<n>
with their own sshd on the addresses after those (zone order), host names kvm-<id>-<n>.
--dnf / --yum make the listed zones' machines RHEL-like: rpm and dnf (with yum) / yum only,
/etc/yum.repos.d/opennebula.repo, no apt-get or dpkg-query.
--mysql makes the listed zones' front-ends MySQL-configured: oned.conf DB BACKEND "mysql" with a
random password kept in DIR/mysql-password (0600), onedb authenticating against it (the storage
underneath stays SQLite); federation.yaml reads the password from ONEFED_SANDBOX_DB_PASSWORD.
`,
  status: `Usage: onefed sandbox status [--dir DIR] [--json]

One row per front-end; --json prints the full status object.
`,
  down: `Usage: onefed sandbox down [--dir DIR] [--keep]

Stops every sshd (and open sessions) and removes DIR; --keep leaves the files for inspection.
`,
  inject: `Usage: onefed sandbox inject [--dir DIR] --frontend FE --match TEXT [--times N] [--exit CODE] [--stderr TEXT]

The next N commands (default 1) on FE whose command line contains TEXT fail with CODE (default 255)
and TEXT on stderr (default "Injected failure"). FE is a front-end or node name (zone100-node0),
or a zone id standing for its first front-end.
`,
  rekey: `Usage: onefed sandbox rekey [--dir DIR] --frontend FE

Replaces FE's host key and restarts its sshd; DIR/known_hosts keeps the old key.
`,
  lag: `Usage: onefed sandbox lag [--dir DIR] --frontend FE [--records N] [--off]

Stops replication from the master to slave FE, then writes N federated records on the master
(default 1) so that FE's FED_INDEX falls behind. --off resumes replication and lets FE catch up.
`,
  raft: `Usage: onefed sandbox raft [--dir DIR] --zone ID [--leader N] [--split-brain on|off]

--leader N makes server N of HA zone ID its leader (a new term; N must be running, with a quorum).
--split-brain on makes the zone's lowest-id running follower report itself leader too.
`,
  log: `Usage: onefed sandbox log [--dir DIR] [--frontend FE] [--json]

Prints the commands run over SSH, all front-ends merged in time order.
`,
};

function dirOf(args: ParsedArgs): string {
  return path.resolve(flag(args, "dir") ?? ".sandbox");
}

export function integer(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`onefed sandbox: --${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return Number(v);
}

function required(args: ParsedArgs, name: string, command: string): string {
  const v = flag(args, name);
  if (!v) throw new UsageError(`onefed sandbox ${command}: --${name} is required (see onefed sandbox ${command} --help)`);
  return v;
}

/** A front-end name, or a zone id standing for that zone's front-end. */
function frontendArg(args: ParsedArgs, command: string): string {
  const v = required(args, "frontend", command);
  return /^\d+$/.test(v) ? `zone${v}-server0` : v;
}

/** `--ha 0,101`: zone ids (which exist is checked by the sandbox). */
export function zoneList(args: ParsedArgs, name: string): number[] | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const parts = v.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`onefed sandbox: --${name} must be a comma-separated list of zone ids like 0,101 (got ${JSON.stringify(v)})`);
  return parts.map(Number);
}

/** An HA server's Raft column: `leader`, `follower (lagging)`, … */
function raftCell(fe: SandboxStatus["zones"][number]["frontends"][number]): string {
  return fe.raft === "solo" ? "-" : `${fe.serverId} ${fe.raft}${fe.raftLagging ? " (lagging)" : ""}`;
}

/** Rows padded to their widest cell, two spaces apart. */
function align(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** One row per hypervisor node, or "" when the federation has none. */
function nodeTable(st: SandboxStatus): string {
  const rows = st.zones.flatMap((z) =>
    z.nodes.map((n) => [String(z.id), n.name, n.hostName, `${n.host}:${n.port}`, n.sshdRunning ? "up" : "down", n.packageManager, n.packageVersion || "-", n.libvirt, String(n.commandCount)]),
  );
  return rows.length === 0 ? "" : align([["ZONE", "NODE", "HOST NAME", "SSH", "SSHD", "PKG", "PACKAGE", "LIBVIRTD", "CMDS"], ...rows]);
}

/** MySQL zones: where the password is, how many onedb runs got it from their caller, and any leaks. */
function mysqlLine(st: SandboxStatus): string {
  const fes = st.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends);
  const auths = fes.reduce((n, fe) => n + fe.onedbPasswordAuths, 0);
  const leaks = fes.filter((fe) => fe.passwordLeaks > 0).map((fe) => `${fe.name} ${fe.passwordLeaks}`);
  return `MySQL password in ${st.mysqlPasswordFile} (${SANDBOX_DB_PASSWORD_ENV}); onedb runs with a caller's password: ${auths}; password leaks: ${leaks.length > 0 ? leaks.join(", ") : "none"}`;
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
  const head = ["ZONE", "NAME", "ROLE", "FRONT-END", "SSH", "SSHD", ...(ha ? ["RAFT"] : []), ...(rhel ? ["PKG"] : []), ...(mysql ? ["DB"] : []), "PACKAGE", "CONFIG", "DB SHARED/LOCAL", "ONED", "LOCK", `STATES ${zoneIds.join("/")}`, "FED_INDEX", "CMDS"];
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
        (fe.services["opennebula"] ?? "-") + (fe.reachable ? "" : " (unreachable)"),
        fe.lockFile ? "yes" : "no",
        zoneIds.map((id) => (fe.zoneStates[id] === "ENABLED" ? "on" : fe.zoneStates[id] === "DISABLED" ? "off" : "?")).join("/") + (fe.replicationBlocked ? " (lagging)" : ""),
        String(fe.fedIndex),
        String(fe.commandCount),
      ]);
    }
  }
  const table = align(rows);
  const nodes = nodeTable(st);
  const raft = st.zones
    .filter((z) => z.ha && z.raft)
    .map((z) => `zone ${z.id}: floating IP ${z.vip}, term ${z.raft!.term}, ${z.raft!.leader === null ? "no leader" : `leader server ${z.raft!.leader}`}${z.raft!.splitBrain ? ", split brain" : ""}`);
  const footer = [...raft, ...(mysql ? [mysqlLine(st)] : [])];
  return `Sandbox ${st.dir}: federation ${st.federation.name}, ${st.federation.fromVersion} → ${st.federation.toVersion}\n\n${table}${nodes ? `\n\n${nodes}` : ""}${footer.length > 0 ? `\n\n${footer.join("\n")}` : ""}`;
}

async function run(command: string, argv: string[], out: (s: string) => void): Promise<number> {
  const p = (values: string[], booleans: string[] = []): ParsedArgs => {
    const a = parseArgs(argv, { values: ["dir", ...values], booleans }, `onefed sandbox ${command}`);
    if (a.positional.length > 0) throw new UsageError(`onefed sandbox ${command}: unexpected argument ${JSON.stringify(a.positional[0])} (see onefed sandbox ${command} --help)`);
    return a;
  };
  switch (command) {
    case "up": {
      const a = p(["slaves", "from", "to", "address-base", "port", "name", "ha", "servers", "nodes", "dnf", "yum", "mysql"]);
      const info = await sandboxUp({
        dir: dirOf(a),
        slaves: integer(a, "slaves", 0, 250),
        from: flag(a, "from"),
        to: flag(a, "to"),
        addressBase: flag(a, "address-base"),
        port: integer(a, "port", 1, 65535),
        federationName: flag(a, "name"),
        ha: zoneList(a, "ha"),
        servers: integer(a, "servers", 2, 7),
        nodes: integer(a, "nodes", 0, 8),
        dnfZones: zoneList(a, "dnf"),
        yumZones: zoneList(a, "yum"),
        mysqlZones: zoneList(a, "mysql"),
        log: out,
      });
      const m = info.zones[0].frontends[0];
      out(`federation file: ${info.federationFile}`);
      // The password itself is never printed: it would end up in terminals and CI logs.
      if (info.mysqlPasswordFile) out(`MySQL zones: before a deploy, export ${SANDBOX_DB_PASSWORD_ENV}="$(cat ${info.mysqlPasswordFile})"`);
      out(`try: ssh -i ${info.privateKeyPath} -o UserKnownHostsFile=${info.knownHostsPath} -p ${m.port} ${info.user}@${m.host} onezone list`);
      return 0;
    }
    case "status": {
      const a = p([], ["json"]);
      const st = await sandboxStatus(dirOf(a));
      out(a.flags["json"] ? JSON.stringify(st, null, 2) : statusTable(st));
      return 0;
    }
    case "down": {
      const a = p([], ["keep"]);
      await sandboxDown(dirOf(a), { keep: a.flags["keep"] === true });
      out(a.flags["keep"] ? `sandbox stopped; files kept in ${dirOf(a)}` : `sandbox stopped and ${dirOf(a)} removed`);
      return 0;
    }
    case "inject": {
      const a = p(["frontend", "match", "times", "exit", "stderr"]);
      const fe = frontendArg(a, command);
      injectFailure(dirOf(a), { frontend: fe, match: required(a, "match", command), times: integer(a, "times", 1, 1000000), exitCode: integer(a, "exit", 0, 255), stderr: flag(a, "stderr") });
      out(`the next ${integer(a, "times", 1, 1000000) ?? 1} command(s) on ${fe} containing ${JSON.stringify(flag(a, "match"))} will fail`);
      return 0;
    }
    case "rekey": {
      const a = p(["frontend"]);
      const fe = frontendArg(a, command);
      await rekeyFrontend(dirOf(a), fe);
      out(`${fe} has a new host key; known_hosts still pins the old one`);
      return 0;
    }
    case "lag": {
      const a = p(["frontend", "records"], ["off"]);
      const fe = frontendArg(a, command);
      if (a.flags["off"]) {
        setReplicationBlocked(dirOf(a), fe, false);
        out(`replication to ${fe} resumed`);
        return 0;
      }
      setReplicationBlocked(dirOf(a), fe, true);
      const records = integer(a, "records", 0, 1000000) ?? 1;
      advanceFederation(dirOf(a), records);
      out(`replication to ${fe} blocked; the master wrote ${records} federated record(s) since`);
      return 0;
    }
    case "raft": {
      const a = p(["zone", "leader", "split-brain"]);
      const zone = Number(required(a, "zone", command));
      if (!Number.isInteger(zone)) throw new UsageError(`onefed sandbox raft: --zone must be a zone id (got ${JSON.stringify(flag(a, "zone"))})`);
      const leader = integer(a, "leader", 0, 6);
      const split = flag(a, "split-brain");
      if (split !== undefined && split !== "on" && split !== "off") throw new UsageError(`onefed sandbox raft: --split-brain must be on or off (got ${JSON.stringify(split)})`);
      if (leader === undefined && split === undefined) throw new UsageError("onefed sandbox raft: give --leader N and/or --split-brain on|off (see onefed sandbox raft --help)");
      if (leader !== undefined) {
        setRaftLeader(dirOf(a), zone, leader);
        out(`server ${leader} leads zone ${zone}`);
      }
      if (split !== undefined) {
        setRaftSplitBrain(dirOf(a), zone, split === "on");
        out(`split brain in zone ${zone} ${split}`);
      }
      return 0;
    }
    case "log": {
      const a = p(["frontend"], ["json"]);
      const fe = flag(a, "frontend");
      const entries = readCommandLog(dirOf(a), fe && /^\d+$/.test(fe) ? `zone${fe}-server0` : fe);
      out(a.flags["json"] ? JSON.stringify(entries, null, 2) : entries.map((e) => `${e.ts}  ${e.frontend}  ${e.command}`).join("\n"));
      return 0;
    }
    default:
      throw new UsageError(`onefed sandbox: unknown command ${JSON.stringify(command)} (one of: up, status, down, inject, rekey, lag, raft, log)`);
  }
}

/** Entry point of `onefed sandbox`; expected failures print one line and return their exit code. */
export async function runSandboxCommand(argv: string[], out: (s: string) => void, err: (s: string) => void = (s) => void process.stderr.write(s.endsWith("\n") ? s : `${s}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    out(HELP.sandbox);
    return command ? 0 : 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    if (!HELP[command] || command === "sandbox") {
      err(`onefed sandbox: unknown command ${JSON.stringify(command)} (see onefed sandbox --help)`);
      return 2;
    }
    out(HELP[command]);
    return 0;
  }
  try {
    return await run(command, rest, out);
  } catch (e) {
    if (!isExpectedFailure(e)) throw e;
    err(e.message.startsWith("onefed sandbox") ? e.message : `onefed sandbox ${command}: ${e.message}`);
    return e.exitCode;
  }
}
