/**
 * Which remote commands are read-only probes: they observe a machine and change nothing on it.
 * Judged from the command line as a front-end's command log records it (what the client sent), so
 * it holds for any runner. A command not recognised here counts as a change.
 */
import { LEDGER_TRANSACTION_PREFIX } from "../sandbox/contract";

/** The ledger's read of every record on the master (`ledgerFiles.readAll`), as its command line starts. */
export const LEDGER_READ = /^sh -c '\[ -d "\$1" \] \|\| exit 0; d=\$1; set -- /;

/**
 * A ledger transaction (`ledgerFiles.transaction`: a step's begin, finish, heartbeat), told by how its
 * command line starts (the sandbox's contract spells it: its front-end shell keeps such a command's
 * stdin for the replay): the events keep 1000 characters of a command, so its ledger directory may be cut off.
 */
export function isLedgerTransaction(command: string): boolean {
  return command.startsWith(LEDGER_TRANSACTION_PREFIX);
}

/** Read-only shapes, matched against the command line after leading `env NAME=value` words. */
const READ_ONLY: readonly RegExp[] = [
  /^test /,
  /^systemctl (is-active|is-enabled|is-failed|list-unit-files|status|show)\b/,
  /^onezone (show|list)\b/,
  /^onehost (show|list)\b/,
  /^onedb version\b/,
  /^onecfg (status|version)\b/,
  /^dpkg-query /,
  /^rpm -q/,
  /^(stat|df|sha256sum|cat|ls|awk|grep|command -v) /,
  /^sed -n /,
  /^iptables -S\b/,
  // A simulation: prints the download URIs, fetches and installs nothing.
  /^apt-get install --print-uris /,
  LEDGER_READ,
  // Which package tools exist; a dump's digest.
  /^sh -c 'for t in dpkg-query dnf yum;/,
  /^sh -c 'grep -v -e /,
  // The nearest existing directory of a path (where `df` reads the free space).
  /^sh -c 'p=\$1; while \[ /,
];

/** The command line without leading `env NAME=value` (and `env` itself). */
function withoutEnv(command: string): string {
  return command.replace(/^env( [A-Za-z_][A-Za-z0-9_]*=\S*)+ /, "");
}

/** Whether the command only reads (a probe). */
export function isReadOnlyCommand(command: string): boolean {
  const c = withoutEnv(command.trimStart());
  return READ_ONLY.some((re) => re.test(c));
}

/** How many of `commands` are probes. */
export function probeShare(commands: readonly string[]): { readonly probes: number; readonly total: number } {
  return { probes: commands.filter(isReadOnlyCommand).length, total: commands.length };
}

/** A command as the front-ends' logs hold it: the machine, the line, and the probe batch it came in. */
export interface RoundTripLine {
  readonly frontend: string;
  readonly command: string;
  /** The probe batch (one SSH session) it came in; absent: the command was its own session. */
  readonly batch?: string;
}

/**
 * How many of the round trips (SSH sessions) were probes only: a command alone is one round trip,
 * the commands of one probe batch on one machine are one together. The logged share (`probeShare`)
 * counts each command of a batch; this one counts what the link and the session start pay for.
 */
export function probeRoundTripShare(lines: readonly RoundTripLine[]): { readonly probes: number; readonly total: number } {
  const batches = new Map<string, boolean>();
  let probes = 0;
  let total = 0;
  for (const l of lines) {
    const readOnly = isReadOnlyCommand(l.command);
    if (l.batch === undefined) {
      total++;
      if (readOnly) probes++;
      continue;
    }
    const key = `${l.frontend}\0${l.batch}`;
    batches.set(key, (batches.get(key) ?? true) && readOnly);
  }
  for (const onlyProbes of batches.values()) {
    total++;
    if (onlyProbes) probes++;
  }
  return { probes, total };
}
