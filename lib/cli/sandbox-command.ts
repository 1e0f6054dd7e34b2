/**
 * `onefed sandbox up|status|down|inject|hold|held|release|diskfull|rekey|lag|raft|auth|hang|endpoint|migrator|log`: the local
 * federation of real sshd front-ends with emulated OpenNebula commands (docs/sandbox.md).
 */
import * as path from "path";
import {
  advanceFederation,
  injectFailure,
  readCommandLog,
  rekeyFrontend,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
  setRaftLeader,
  setRaftNextLeader,
  setRaftSplitBrain,
  setReplicationBlocked,
  SANDBOX_DB_PASSWORD_ENV,
  SANDBOX_HOST_KEY_TYPES,
} from "../../sandbox";
import { isExpectedFailure } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import { Command, defineCommand, Output, renderExitCodes, renderRows, usageError } from "./command";
import { sandboxDirOption } from "./common-options";
import { flag, integer, oneOf, text, zoneId, zoneIds } from "./options";
import { diskfull, frontendName, frontendOption, held, hold, release } from "./sandbox-fault-commands";
import { statusTable } from "./sandbox-status-table";
import { sandboxTiming, timingOptions } from "./timing-options";
import { auth, endpoint, hang, migrator } from "./sandbox-situation-commands";

const up = defineCommand(
  {
    name: "onefed sandbox up",
    summary: "create (or restart) the sandbox and write DIR/federation.yaml",
    description: `Creates the sandbox in DIR (or restarts the sshd of a stopped one) and prints where things are.
Needs root. A sandbox keeps the shape it was created with.`,
    options: {
      dir: sandboxDirOption,
      slaves: integer({ value: "N", min: 0, max: 250, help: "number of slave zones: 100, 101, ...", defaultNote: "2" }),
      from: text({ value: "V", help: "release the front-ends run", defaultNote: "6.10.0" }),
      to: text({ value: "V", help: "release the federation file upgrades to", defaultNote: "7.0.0" }),
      "address-base": text({
        value: "A",
        help: "first front-end's loopback address; every front-end takes the\nnext, in zone order",
        defaultNote: "127.0.50.1",
      }),
      port: integer({ value: "P", min: 1, max: 65535, help: "sshd port of every machine", defaultNote: "22" }),
      name: text({ value: "NAME", help: "federation name", defaultNote: "sandbox" }),
      ha: zoneIds({
        value: "ZONES",
        help: "make these zones (ids: 0, 100, 101, ...) HA (Raft) zones of --servers\nfront-ends each; each gets a floating IP after all front-ends' addresses\nas its endpoint",
      }),
      servers: integer({ value: "N", min: 2, max: 7, help: "front-ends per HA zone", defaultNote: "3" }),
      nodes: integer({
        value: "N",
        min: 0,
        max: 8,
        help: "KVM hypervisor nodes per zone: machines zone<id>-node<n> with their own\nsshd on the addresses after those (zone order), host names kvm-<id>-<n>",
        defaultNote: "0",
      }),
      dnf: zoneIds({
        value: "ZONES",
        help: "zones whose machines are RHEL-like with rpm and dnf (and yum),\n/etc/yum.repos.d/opennebula.repo, no apt-get or dpkg-query",
      }),
      yum: zoneIds({ value: "ZONES", help: "the same with yum only" }),
      mysql: zoneIds({
        value: "ZONES",
        help: `zones whose front-ends are MySQL-configured, each on a real MariaDB server of its own\n(its address, port 3306; needs mariadb-server and mariadb-client): oned.conf DB BACKEND\n"mysql" with a random password kept in DIR/mysql-password (0600); onedb runs the real\nmysqldump/mysql; federation.yaml reads the password from ${SANDBOX_DB_PASSWORD_ENV}`,
      }),
      "jump-host": flag({
        help: "also start a jump host: an sshd on the address after all machines that only\nforwards TCP to them (its log records each forwarded connection);\nfederation.yaml reaches every machine through it (ssh.jump)",
      }),
      ...timingOptions,
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const timing = sandboxTiming("onefed sandbox up", a);
    const info = await sandboxUp({
      dir: path.resolve(a.dir),
      slaves: a.slaves,
      from: a.from,
      to: a.to,
      addressBase: a["address-base"],
      port: a.port,
      federationName: a.name,
      ha: a.ha,
      servers: a.servers,
      nodes: a.nodes,
      dnfZones: a.dnf,
      yumZones: a.yum,
      mysqlZones: a.mysql,
      // Not given is "whatever the sandbox has", so that `up` on an existing sandbox restarts it.
      jumpHost: a["jump-host"] || undefined,
      ...timing,
      log: out,
    });
    const m = info.zones[0].frontends[0];
    out(`federation file: ${info.federationFile}`);
    if (info.timing.scale !== undefined) out(`timing profile: ${info.timing.profile}, ${info.timing.scale} × real time (docs/sandbox.md, Timing profile)`);
    // The password itself is never printed: it would end up in terminals and CI logs.
    if (info.mysqlPasswordFile) out(`MySQL zones: before a deploy, export ${SANDBOX_DB_PASSWORD_ENV}="$(cat ${info.mysqlPasswordFile})"`);
    const jump = info.jumpHost ? ` -J ${info.user}@${info.jumpHost.host}:${info.jumpHost.port}` : "";
    out(`try: ssh -i ${info.privateKeyPath} -o UserKnownHostsFile=${info.knownHostsPath}${jump} -p ${m.port} ${info.user}@${m.host} onezone list`);
    return ExitCode.Done;
  },
);

const status = defineCommand(
  {
    name: "onefed sandbox status",
    summary: "show every front-end and node: sshd, packages, DB versions, services, zone states, FED_INDEX",
    description: "One row per front-end (then one per node); --json prints the full status object.",
    options: { dir: sandboxDirOption, json: flag({ help: "the full status as JSON" }) },
    exitCodes: [ExitCode.Failed],
  },
  async ({ dir, json }, out) => {
    const st = await sandboxStatus(path.resolve(dir));
    out(json ? JSON.stringify(st, null, 2) : statusTable(st));
    return ExitCode.Done;
  },
);

const down = defineCommand(
  {
    name: "onefed sandbox down",
    summary: "stop every sshd and remove the directory (--keep keeps it)",
    description: "Stops every sshd (and open sessions) and removes DIR.",
    options: { dir: sandboxDirOption, keep: flag({ help: "leave the files for inspection" }) },
    exitCodes: [ExitCode.Failed],
  },
  async ({ dir, keep }, out) => {
    await sandboxDown(path.resolve(dir), { keep });
    out(keep ? `sandbox stopped; files kept in ${path.resolve(dir)}` : `sandbox stopped and ${path.resolve(dir)} removed`);
    return ExitCode.Done;
  },
);

const inject = defineCommand(
  {
    name: "onefed sandbox inject",
    summary: "make the next matching command on a front-end fail",
    description: `The next N commands on FE whose command line contains TEXT fail with CODE and a message on stderr.
With --partial F they run instead and die part-way as if killed (exit 137): \`onedb restore\` feeds
that fraction of its statements to the database first.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      match: text({ value: "TEXT", help: "text the command line contains", required: true }),
      times: integer({ value: "N", min: 1, max: 1_000_000, help: "how many matching commands fail", default: 1 }),
      exit: integer({ value: "CODE", min: 0, max: 255, help: "their exit code", defaultNote: "255" }),
      stderr: text({ value: "TEXT", help: "what they print on stderr", defaultNote: '"Injected failure"' }),
      partial: text({ value: "F", help: "run, and die after this fraction (0..1) of the work" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    const partial = a.partial === undefined ? undefined : Number(a.partial);
    if (partial !== undefined && !(a.partial!.trim() !== "" && partial >= 0 && partial <= 1)) {
      throw usageError("onefed sandbox inject", `--partial must be a fraction from 0 to 1 like 0.5 (got ${JSON.stringify(a.partial)})`);
    }
    injectFailure(path.resolve(a.dir), { frontend: fe, match: a.match, times: a.times, exitCode: a.exit, stderr: a.stderr, partial });
    out(
      `the next ${a.times} command(s) on ${fe} containing ${JSON.stringify(a.match)} will ${partial === undefined ? "fail" : `die after ${partial} of their work`}`,
    );
    return ExitCode.Done;
  },
);

const rekey = defineCommand(
  {
    name: "onefed sandbox rekey",
    summary: "give a front-end a new host key (known_hosts keeps the old one)",
    description: `Replaces FE's host key of one type (every sandbox sshd offers ed25519, ECDSA and RSA keys) and
restarts its sshd; DIR/known_hosts keeps the old key.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      type: oneOf(SANDBOX_HOST_KEY_TYPES, { help: "which of its host keys to replace (known_hosts pins ed25519)", default: "ed25519" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    await rekeyFrontend(path.resolve(a.dir), fe, a.type);
    out(`${fe} has a new ${a.type} host key; known_hosts still pins the old one`);
    return ExitCode.Done;
  },
);

const lag = defineCommand(
  {
    name: "onefed sandbox lag",
    summary: "stop (or resume) replication to a slave so that its FED_INDEX falls behind",
    description: `Stops replication from the master to slave FE, then writes N federated records on the master so
that FE's FED_INDEX falls behind. --off resumes replication and lets FE catch up.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      records: integer({ value: "N", min: 0, max: 1_000_000, help: "federated records the master writes meanwhile", default: 1 }),
      off: flag({ help: "resume replication instead" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const dir = path.resolve(a.dir);
    const fe = frontendName(a.frontend);
    if (a.off) {
      setReplicationBlocked(dir, fe, false);
      out(`replication to ${fe} resumed`);
      return ExitCode.Done;
    }
    setReplicationBlocked(dir, fe, true);
    advanceFederation(dir, a.records);
    out(`replication to ${fe} blocked; the master wrote ${a.records} federated record(s) since`);
    return ExitCode.Done;
  },
);

const raft = defineCommand(
  {
    name: "onefed sandbox raft",
    summary: "force an HA zone's leader, its next election's winner, or a split brain",
    description: "Changes the Raft state of HA zone ID; give --leader, --next-leader, --split-brain or several.",
    options: {
      dir: sandboxDirOption,
      zone: zoneId({ value: "ID", help: "the HA zone", required: true }),
      leader: integer({ value: "N", min: 0, max: 6, help: "make server N the leader (a new term; N must be running, with a quorum)" }),
      "split-brain": oneOf(["on", "off"], { help: "on: the zone's lowest-id running follower reports itself leader too" }),
      "next-leader": integer({
        value: "N",
        min: 0,
        max: 6,
        help: "server N wins the zone's next election if it is running then\n(default: the lowest running id)",
      }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const dir = path.resolve(a.dir);
    const split = a["split-brain"];
    const next = a["next-leader"];
    if (a.leader === undefined && split === undefined && next === undefined) {
      throw usageError("onefed sandbox raft", "give --leader N, --next-leader N and/or --split-brain on|off");
    }
    if (a.leader !== undefined) {
      setRaftLeader(dir, a.zone, a.leader);
      out(`server ${a.leader} leads zone ${a.zone}`);
    }
    if (next !== undefined) {
      setRaftNextLeader(dir, a.zone, next);
      out(`server ${next} wins zone ${a.zone}'s next election (if it runs then)`);
    }
    if (split !== undefined) {
      setRaftSplitBrain(dir, a.zone, split === "on");
      out(`split brain in zone ${a.zone} ${split}`);
    }
    return ExitCode.Done;
  },
);

const log = defineCommand(
  {
    name: "onefed sandbox log",
    summary: "print the commands the front-ends ran",
    description: "Prints the commands run over SSH, all front-ends merged in time order.",
    options: {
      dir: sandboxDirOption,
      frontend: text({ value: "FE", help: "only this front-end or node (a zone id: its first front-end)", defaultNote: "all" }),
      json: flag({ help: "the entries as JSON" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const entries = readCommandLog(path.resolve(a.dir), a.frontend && frontendName(a.frontend));
    out(a.json ? JSON.stringify(entries, null, 2) : entries.map((e) => `${e.ts}  ${e.frontend}  ${e.command}`).join("\n"));
    return ExitCode.Done;
  },
);

const SUBCOMMANDS: Readonly<Record<string, Command<unknown>>> = {
  up,
  status,
  down,
  inject,
  hold,
  held,
  release,
  diskfull,
  rekey,
  lag,
  raft,
  auth,
  hang,
  endpoint,
  migrator,
  log,
};

export const SANDBOX_HELP = `Usage: onefed sandbox <command> [options]

A local OpenNebula federation for the runner and the tests: one real sshd per front-end (and per
hypervisor node) on its own loopback address, in its own mount namespace, with emulated
onezone/onehost/onedb/onecfg/systemctl/apt-get (dnf/yum/rpm on RHEL-like zones).

Commands:
${renderRows(Object.entries(SUBCOMMANDS).map(([name, c]) => [name, c.summary]))}

Run \`onefed sandbox <command> --help\` for its options. DIR defaults to ./.sandbox.

Exit codes:
${renderExitCodes([ExitCode.Done, ExitCode.Failed, ExitCode.Usage])}
`;

const stderr: Output = (s) => void process.stderr.write(s.endsWith("\n") ? s : `${s}\n`);

/** Entry point of `onefed sandbox`; expected failures print one line and return their exit code. */
export async function runSandboxCommand(argv: readonly string[], out: Output, err: Output = stderr): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(SANDBOX_HELP);
    return name ? ExitCode.Done : ExitCode.Usage;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) {
    err(`onefed sandbox: unknown command ${JSON.stringify(name)} (see onefed sandbox --help)`);
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest, out);
  } catch (e) {
    if (!isExpectedFailure(e)) throw e;
    err(e.message.startsWith("onefed sandbox") ? e.message : `${command.name}: ${e.message}`);
    return e.exitCode;
  }
}
