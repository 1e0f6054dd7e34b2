/**
 * Every command line the runner sends to a front-end. Nothing outside lib/opennebula builds one,
 * so review of what the tool does to a zone starts and ends here.
 */
import { factsChangedByWriting } from "./fact-paths";
import { RemoteCommand } from "./remote-command";

/** oned's lock: present while oned runs; onedb refuses to touch the DB while it exists (§5.4). */
export const ONED_LOCK_FILE = "/var/lock/one/one";

export const onezone = {
  /** The only parseable source of FED_INDEX (§5.1): CSV is never truncated. */
  listCsv: (): RemoteCommand => ({ argv: ["onezone", "list", "--csv"], readOnly: true }),
  showJson: (zoneId: number): RemoteCommand => ({ argv: ["onezone", "show", String(zoneId), "-j"], readOnly: true }),
  /** Every zone's STATE from the serving oned's zone pool in one local call: asks no zone for FED_INDEX, no server for Raft (§5.1). */
  listJson: (): RemoteCommand => ({ argv: ["onezone", "list", "-j"], readOnly: true }),
  /** Must go through the zone's own endpoint (§4.5), hence --endpoint. */
  // Zone state lives in oned's database: no package, unit file or configuration file changes.
  disable: (zoneId: number, endpoint: string): RemoteCommand => ({
    argv: ["onezone", "disable", String(zoneId), "--endpoint", endpoint, "-v"],
    echo: true,
    changes: [],
  }),
  enable: (zoneId: number, endpoint: string): RemoteCommand => ({
    argv: ["onezone", "enable", String(zoneId), "--endpoint", endpoint, "-v"],
    echo: true,
    changes: [],
  }),
};

/** Every onedb command that writes a database or a backup is `exclusive` (RemoteCommand, commandGuard). */
export const onedb = {
  /** 0 up to date, 1 not bootstrapped, 2 upgrade needed, 3 DB newer than the software (§5.4). */
  version: (): RemoteCommand => ({ argv: ["onedb", "version"], okExitCodes: [0, 1, 2, 3], readOnly: true }),
  /** Explicit backup path: the default name contains ':' and unpadded dates. */
  // onedb writes the database and the backup file it is given: it reads oned.conf, never writes it.
  upgrade: (backupFile: string): RemoteCommand => ({
    argv: ["onedb", "upgrade", "-v", "-b", backupFile],
    exclusive: true,
    echo: true,
    changes: factsChangedByWriting(backupFile),
  }),
  fsck: (backupFile: string): RemoteCommand => ({
    argv: ["onedb", "fsck", "-b", backupFile],
    exclusive: true,
    echo: true,
    changes: factsChangedByWriting(backupFile),
  }),
  backupFederated: (file: string): RemoteCommand => ({
    argv: ["onedb", "backup", "-v", "--federated", "-f", file],
    exclusive: true,
    echo: true,
    changes: factsChangedByWriting(file),
  }),
  backupFull: (file: string): RemoteCommand => ({
    argv: ["onedb", "backup", "-v", "-f", file],
    exclusive: true,
    echo: true,
    changes: factsChangedByWriting(file),
  }),
  /** HA: a follower takes the leader's full backup over its own DB (docs/opennebula.md §3.2 step 5). */
  restoreFull: (file: string): RemoteCommand => ({ argv: ["onedb", "restore", "-v", "-f", file], exclusive: true, echo: true, changes: [] }),
  /** `--federated` skips the "DB exists" check, so no -f (§4.4 step 5). */
  restoreFederated: (file: string): RemoteCommand => ({ argv: ["onedb", "restore", file, "-v", "--federated"], exclusive: true, echo: true, changes: [] }),
};

/**
 * Keeps an `exclusive` command from running twice at once on one machine. The machine's lock file
 * is held (flock) by a shell that waits for the command; the command itself gets the descriptor
 * closed, so a daemon it starts never holds the lock. A second copy finds the lock taken and exits
 * with `busyExitCode` at once, printing the note the first one left (when, from where, what).
 * Lock and note live in the login user's OpenNebula home, which exists on front-ends and hosts alike.
 */
export const commandGuard = {
  lockFile: "/var/lib/one/.onefed-command.lock",
  noteFile: "/var/lib/one/.onefed-command.note",
  /** EX_TEMPFAIL; none of the guarded tools exits with it (onedb 0–3/255, apt 0/100, dnf 0/1/3/100/200). */
  busyExitCode: 75,
  /** Printed first on stderr when busy, so a 75 of the command itself is never taken for the guard's. */
  busyMarker: "onefed-command-guard: busy",
  /** The command to send instead of `line` (run by `sh -c`); the command keeps its stdin and exit code. */
  wrap(line: string, note: string): RemoteCommand {
    const busy = `echo '${commandGuard.busyMarker}' >&2; cat "$2" >&2 2>/dev/null; exit ${commandGuard.busyExitCode}`;
    return {
      argv: [
        "sh",
        "-c",
        `exec 9>>"$1" || exit 1; flock -n 9 || { ${busy}; }; ` + 'printf "%s\\n" "$3" > "$2"; sh -c "$4" 9>&-; r=$?; rm -f "$2"; exit $r',
        "sh",
        commandGuard.lockFile,
        commandGuard.noteFile,
        note,
        line,
      ],
    };
  },
};

/** onedb's MySQL connection options (§5.4); without them onedb reads oned.conf's DB section. */
export interface OnedbConnection {
  readonly server: string;
  readonly port: number;
  readonly user: string;
  readonly name: string;
}

/** Puts `-t mysql -S … -P … -u … -d …` after onedb's subcommand; the password never goes here. */
export function withOnedbConnection(cmd: RemoteCommand, c: OnedbConnection | undefined): RemoteCommand {
  if (!c || cmd.argv[0] !== "onedb") return cmd;
  const options = ["-t", "mysql", "-S", c.server, "-P", String(c.port), "-u", c.user, "-d", c.name];
  return { ...cmd, argv: [cmd.argv[0], cmd.argv[1], ...options, ...cmd.argv.slice(2)] };
}

export const onehost = {
  listCsv: (): RemoteCommand => ({ argv: ["onehost", "list", "--csv"], readOnly: true }),
  // A host's state lives in oned's database.
  disable: (hostId: number): RemoteCommand => ({ argv: ["onehost", "disable", String(hostId)], changes: [] }),
  enable: (hostId: number): RemoteCommand => ({ argv: ["onehost", "enable", String(hostId)], changes: [] }),
  /** After the node packages (if any) are upgraded: push the new drivers to the hosts. */
  sync: (): RemoteCommand => ({ argv: ["onehost", "sync", "--force"], echo: true }),
};

export const onecfg = {
  /** Rewrites the configuration (/etc/one, the remotes' etc): installs no package and no unit file. */
  upgrade: (): RemoteCommand => ({ argv: ["onecfg", "upgrade"], exclusive: true, echo: true, changes: ["configuration"] }),
};

export const systemctl = {
  listUnitFiles: (): RemoteCommand => ({
    argv: ["systemctl", "list-unit-files", "--no-legend", "--no-pager", "opennebula*"],
    readOnly: true,
    fact: "packages",
  }),
  /** Exit 3 just means "not all active": the caller reads the per-unit lines. */
  isActive: (units: readonly string[]): RemoteCommand => ({ argv: ["systemctl", "is-active", ...units], okExitCodes: [0, 3], readOnly: true }),
  // Starting, stopping and reloading units change which run, not which unit files or packages are
  // installed, nor a configuration file (list-unit-files reports each file's enablement, which
  // only enable/disable change).
  stop: (units: readonly string[]): RemoteCommand => ({ argv: ["systemctl", "stop", ...units], echo: true, changes: [] }),
  start: (units: readonly string[]): RemoteCommand => ({ argv: ["systemctl", "start", ...units], echo: true, changes: [] }),
  restart: (units: readonly string[]): RemoteCommand => ({ argv: ["systemctl", "restart", ...units], echo: true, changes: [] }),
  daemonReload: (): RemoteCommand => ({ argv: ["systemctl", "daemon-reload"], changes: [] }),
};

/** The configuration an HA leader hands to its followers (docs/opennebula.md §3.2 step 5), relative to /. */
export const HA_SYNCED_TREES = ["etc/one", "var/lib/one/remotes/etc"] as const;

/**
 * `sed -i -E` that replaces the value of `KEY = <old>` at the start of a line (comments untouched),
 * keeping the key and its spacing: the edits an HA upgrade makes to oned.conf and monitord.conf.
 */
function replaceConfValue(file: string, key: string, oldValue: string, newValue: string): RemoteCommand {
  return { argv: ["sed", "-i", "-E", `s/^([[:space:]]*${key}[[:space:]]*=[[:space:]]*)${oldValue}/\\1${newValue}/`, file] };
}

const ONED_CONF = "/etc/one/oned.conf";

/**
 * awk over oned.conf: finds the first uncommented `DB = [`, splits its attributes on commas outside
 * double quotes (a `#` outside quotes starts a comment, `]` outside quotes ends the section), and
 * prints only the allowed keys with their value unquoted.
 */
const READ_DB_SECTION = String.raw`
function emit(pair,  k, v) {
  if (pair !~ /^[ \t]*[A-Za-z_]+[ \t]*=/) return
  k = pair; sub(/=.*/, "", k); gsub(/[ \t]/, "", k); k = toupper(k)
  if (k != "BACKEND" && k != "SERVER" && k != "PORT" && k != "USER" && k != "DB_NAME") return
  v = pair; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
  if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
  print k "=" v
}
{
  line = $0
  if (!insec) {
    if (line !~ /^[ \t]*DB[ \t]*=[ \t]*\[/) next
    insec = 1; sub(/^[ \t]*DB[ \t]*=[ \t]*\[/, "", line)
  }
  for (i = 1; i <= length(line); i++) {
    c = substr(line, i, 1)
    if (inq) {
      if (c == "\\") { buf = buf c substr(line, i + 1, 1); i++; continue }
      if (c == "\"") inq = 0
      buf = buf c; continue
    }
    if (c == "\"") { inq = 1; buf = buf c; continue }
    if (c == "#") break
    if (c == "]") { emit(buf); exit }
    if (c == ",") { emit(buf); buf = ""; continue }
    buf = buf c
  }
  buf = buf " "
}`;

export const onedConf = {
  /**
   * Only the FEDERATION section leaves the front-end: a MySQL front-end's oned.conf also holds the
   * DB password (DB/PASSWD), which must not reach the automation host's logs or errors.
   */
  readFederation: (): RemoteCommand => ({
    argv: ["sed", "-n", "/^[[:space:]]*FEDERATION[[:space:]]*=/,/]/p", ONED_CONF],
    readOnly: true,
    fact: "configuration",
  }),
  /**
   * The DB section's connection settings, one `KEY=value` line each, and nothing else: the keys are
   * an allow-list (BACKEND, SERVER, PORT, USER, DB_NAME) applied on the front-end, so PASSWD never
   * leaves it whatever its value holds (quotes, commas, `#`). Read-only: `onefed discover`, and the checks (database-as-declared, ha-same-db-name).
   */
  readDatabase: (): RemoteCommand => ({ argv: ["awk", READ_DB_SECTION, ONED_CONF], readOnly: true, fact: "configuration" }),
  /** Puts a follower's own FEDERATION/SERVER_ID back after the leader's /etc/one was copied over it. */
  setServerId: (serverId: number): RemoteCommand => {
    if (!Number.isInteger(serverId) || serverId < -1) throw new RangeError(`SERVER_ID ${serverId} is not an integer ≥ -1`);
    return replaceConfValue(ONED_CONF, "SERVER_ID", "-?[0-9]+", String(serverId));
  },
};

/** monitord.conf: HA front-ends report to the floating IP, not `auto` (docs/opennebula.md §2.1 step 7, HA only). */
export const monitordConf = {
  path: "/etc/one/monitord.conf",
  read: (): RemoteCommand => ({ argv: ["cat", monitordConf.path], readOnly: true, fact: "configuration" }),
  /** Replaces only the value `"auto"`: an address the operator chose is kept. */
  setMonitorAddress: (address: string): RemoteCommand => {
    if (!/^[A-Za-z0-9.:-]+$/.test(address)) throw new RangeError(`${address} is not an address`);
    return replaceConfValue(monitordConf.path, "MONITOR_ADDRESS", '"auto"', `"${address}"`);
  },
};

/**
 * Which package tools the machine has, one name a line, in the order onefed prefers them (dpkg-query
 * means apt; dnf before yum, which is dnf's alias on RHEL 8+). Exit 0 also when none is found.
 */
export const packageTools = {
  probe: (): RemoteCommand => ({
    argv: ["sh", "-c", 'for t in dpkg-query dnf yum; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; exit 0'],
    readOnly: true,
    fact: "packages",
  }),
};

export const files = {
  /** Exit 1 means "absent", which is an answer, not a failure. */
  exists: (path: string): RemoteCommand => ({ argv: ["test", "-e", path], okExitCodes: [0, 1], readOnly: true }),
  sha256: (path: string): RemoteCommand => ({ argv: ["sha256sum", path], readOnly: true }),
  /** POSIX output in bytes: one header line, then "fs size used avail capacity mount". */
  size: (path: string): RemoteCommand => ({ argv: ["stat", "-c", "%s", path], readOnly: true }),
  freeSpace: (path: string): RemoteCommand => ({ argv: ["df", "-P", "-B1", path], readOnly: true }),
  makePrivateDir: (path: string): RemoteCommand => ({ argv: ["mkdir", "-p", "-m", "0700", path], changes: factsChangedByWriting(path) }),
  makePrivate: (path: string): RemoteCommand => ({ argv: ["chmod", "0600", path], changes: factsChangedByWriting(path) }),
  /** A missing file is no error. */
  remove: (path: string): RemoteCommand => ({ argv: ["rm", "-f", path], changes: factsChangedByWriting(path) }),
  /** `cp -a` keeps owners and modes, as the docs' config backup does. Writes only `to` (or inside it). */
  copyTree: (from: string, to: string): RemoteCommand => ({ argv: ["cp", "-a", from, to], changes: factsChangedByWriting(to) }),
  /** tar keeps owners and modes (as root, by name: oneadmin on the leader is oneadmin on the follower). */
  packTrees: (archive: string, trees: readonly string[]): RemoteCommand => ({ argv: ["tar", "-C", "/", "-czf", archive, ...trees] }),
  /** Unpacks over the existing trees like `rsync -r` does: files only the follower has are kept. */
  unpackTrees: (archive: string): RemoteCommand => ({ argv: ["tar", "-C", "/", "-xzf", archive] }),
  /**
   * A rollback puts a directory back from its copy: the current tree is kept once beside it
   * (`aside`, never overwritten: the first one is the upgraded configuration), then emptied and
   * filled from `copy` with `cp -a`. Emptied rather than replaced, so a directory that is a mount
   * point (containers, the sandbox) is put back too.
   */
  restoreTree: (copy: string, dir: string, aside: string): RemoteCommand => ({
    argv: [
      "sh",
      "-c",
      '[ -d "$1" ] || { echo "$1 is not a directory" >&2; exit 1; }; ' +
        '[ -e "$3" ] || cp -a "$2" "$3" || exit 1; ' +
        'find "$2" -mindepth 1 -delete && cp -a "$1/." "$2/"',
      "sh",
      copy,
      dir,
      aside,
    ],
    echo: true,
  }),
  /** Content travels as an argument of a fixed script, never spliced into the script itself. */
  write: (path: string, content: string): RemoteCommand => ({
    argv: ["sh", "-c", 'printf "%s" "$1" > "$2"', "sh", content, path],
    changes: factsChangedByWriting(path),
  }),
};

export { ledgerFiles } from "./ledger-files";
