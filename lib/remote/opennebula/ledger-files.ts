/**
 * The upgrade ledger's files on a master server (lib/model/ledger.ts), as remote scripts: each
 * record is one line of JSON that travels on stdin, never in argv; writes are atomic (temp file in
 * the same directory, synced, renamed), so a killed runner leaves the old record or the new one.
 */
import { createHash } from "crypto";
import { RemoteCommand } from "./remote-command";

/**
 * Receives a ledger record on stdin into a temp file in the ledger directory ($1) and proves it whole
 * against its sha256 ($3) before anything renames it: without a terminal, a lost SSH session only
 * closes the command's stdin, and a truncated record must never replace a good one.
 */
const RECEIVE_RECORD =
  'umask 077; mkdir -p "$1" && t=$(mktemp "$1/.tmp.XXXXXX") || exit 1; ' +
  'if ! { cat > "$t" && printf "%s  %s\\n" "$3" "$t" | sha256sum -c --status && sync "$t"; }; then rm -f "$t"; exit 1; fi';

/**
 * Takes the ledger directory's `flock` (held until the script exits): every command that writes or
 * removes a record takes it, so a transaction's guards and the writes they allow see no other
 * command's change in between (docs/ledger.md, "Begin: one compare-and-swap").
 */
const LOCK_DIR = (dir: string) => `{ exec 9<${dir} && flock 9; }`;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Prints every record of the directory `$d`, one a line, with ONE process: a `cat` per record cost a
 * fork each, and with 16 steps beginning at once on a ledger of a few hundred records those forks
 * were most of every step's begin (docs/ledger.md, "Reading the records"). `grep -h -e ''` prints
 * each file's lines and ends a last line that has no newline; its output is held until it succeeded,
 * because when it fails (a record removed between the glob and its open: other zones' steps remove
 * their runner records while this one reads; a grep without `-a`) the records are read once more
 * one by one, as before: a file gone by then is skipped, any other failure to read is not.
 */
const PRINT_ALL =
  'set -- "$d"/*.json; if [ -e "$1" ] || [ $# -gt 1 ]; then ' +
  'if out=$(grep -a -s -h -e "" -- "$@"); then printf "%s\\n" "$out"; elif [ $? -ne 1 ]; then ' +
  'for f; do [ -f "$f" ] || continue; if cat "$f" 2>/dev/null; then echo; elif [ -e "$f" ]; then exit 1; fi; done; fi; fi';

/**
 * One ledger transaction (`ledgerFiles.transaction`): receives every record at once on stdin (proven
 * whole by one sha256, $2, "-" when none travels), applies the operations in order — `w NAME LEN`
 * replaces, `c NAME LEN` creates only if absent (else stops with exit 3), `r NAME` removes — each
 * record cut from the received bytes by its length, then prints every record when $3 is 1 (also
 * after an exit 3 or 4, so the caller judges again without another round trip).
 *
 * The compare-and-swap of a step's begin (docs/ledger.md, "Begin: one compare-and-swap") adds
 * guards, each stopping the transaction with exit 4 when it does not hold, before anything after it
 * runs: `a NAME` the record must be absent, `e NAME` present, `s K NAME…` at least one of the K
 * absent; `l NAME LENC LENW PREFIX` takes the lock: absent, it is created exclusively from the first
 * record (`ln`: of two creators one wins, the other stops with exit 4); present, it is replaced by
 * the second record only if its content starts with PREFIX (this run's own lock, as it wrote it),
 * else exit 4. With an `e` guard and no ledger directory, it stops with exit 4 before creating
 * anything (a leading `E`). Guards and writes run under `flock` on the ledger directory, which every transaction
 * takes: no other transaction changes a record between a guard and the write it allows.
 */
const TRANSACTION = [
  // E: a guard needs a record present, and without the directory there is none: nothing to create.
  'umask 077; d=$1; sum=$2; rd=$3; shift 3; if [ "$1" = E ]; then [ -d "$d" ] || exit 4; shift; fi; mkdir -p "$d" || exit 1; t=; ',
  'if [ "$sum" != - ]; then t=$(mktemp "$d/.tmp.XXXXXX") || exit 1; ',
  'if ! { cat > "$t" && printf "%s  %s\\n" "$sum" "$t" | sha256sum -c --status; }; then rm -f "$t"; exit 1; fi; fi; ',
  // One transaction at a time on this directory: a guard and the write it allows see the same records.
  `${LOCK_DIR('"$d"')} || { [ -n "$t" ] && rm -f "$t"; exit 1; }; `,
  // put LEN: the next LEN received bytes into a synced temp file $p; skip LEN: past them.
  'put() { p=$(mktemp "$d/.tmp.XXXXXX") || return 1; if ! { tail -c +$((o+1)) "$t" | head -c "$1" > "$p" && sync "$p"; }; then rm -f "$p"; return 1; fi; o=$((o+$1)); }; ',
  "o=0; r=0; ",
  "while [ $# -gt 0 ] && [ $r -eq 0 ]; do op=$1; n=$2; ",
  'case $op in r) rm -f "$d/$n" || r=1; shift 2 ;; ',
  'w|c) len=$3; shift 3; put "$len" || { r=1; break; }; ',
  'if [ "$op" = w ]; then mv -f "$p" "$d/$n" || r=1; else ln "$p" "$d/$n" 2>/dev/null || r=3; rm -f "$p"; fi ;; ',
  'a) [ ! -e "$d/$n" ] || r=4; shift 2 ;; ',
  'e) [ -e "$d/$n" ] || r=4; shift 2 ;; ',
  's) k=$2; shift 2; g=4; while [ "$k" -gt 0 ]; do [ -e "$d/$1" ] || g=0; shift; k=$((k-1)); done; r=$g ;; ',
  "l) lc=$3; lw=$4; pre=$5; shift 5; ",
  'if [ -e "$d/$n" ]; then cur=$(cat "$d/$n") || { r=1; break; }; ',
  'case $cur in "$pre"*) [ "$pre" != - ] || r=4 ;; *) r=4 ;; esac; ',
  '[ $r -eq 0 ] || break; o=$((o+lc)); put "$lw" || { r=1; break; }; mv -f "$p" "$d/$n" || r=1; ',
  'else put "$lc" || { r=1; break; }; ln "$p" "$d/$n" 2>/dev/null || r=4; rm -f "$p"; o=$((o+lw)); fi ;; ',
  "*) r=1 ;; esac; done; ",
  '[ -n "$t" ] && rm -f "$t"; ',
  // The guards and writes are done: the lock goes before the records are printed, so that the
  // transactions of many steps at once wait for each other's writes only, not for each other's reads.
  // Every record is replaced whole (rename, link), so a read without the lock sees each one whole.
  "exec 9<&-; ",
  `if [ "$rd" = 1 ] && [ $r -ne 1 ]; then ${PRINT_ALL}; fi; exit $r`,
].join("");

/** One operation of a ledger transaction, on a record file of the ledger directory. */
export type LedgerOperation =
  | { readonly op: "write"; readonly name: string; readonly content: string }
  | { readonly op: "create"; readonly name: string; readonly content: string }
  | { readonly op: "remove"; readonly name: string }
  /** Guard: the record must not exist (else exit 4). */
  | { readonly op: "absent"; readonly name: string }
  /** Guard: the record must exist (else exit 4). */
  | { readonly op: "present"; readonly name: string }
  /** Guard: at least one of the records must not exist (else exit 4). */
  | { readonly op: "some-absent"; readonly names: readonly string[] }
  /**
   * The lock, compare-and-swap: absent, created exclusively with `create`; present and starting with
   * `ours.prefix`, replaced by `ours.content`; otherwise (or present without `ours`) exit 4.
   */
  | {
      readonly op: "lock";
      readonly name: string;
      readonly create: string;
      readonly ours?: { readonly prefix: string; readonly content: string };
    };

/** The bytes an operation receives on stdin, in the order the script cuts them. */
function received(o: LedgerOperation): string {
  if (o.op === "write" || o.op === "create") return o.content;
  if (o.op === "lock") return o.create + (o.ours?.content ?? "");
  return "";
}

/** An operation's words in the script's argv. */
function words(o: LedgerOperation): string[] {
  switch (o.op) {
    case "remove":
      return ["r", o.name];
    case "write":
    case "create":
      return [o.op === "write" ? "w" : "c", o.name, String(Buffer.byteLength(o.content))];
    case "absent":
      return ["a", o.name];
    case "present":
      return ["e", o.name];
    case "some-absent":
      return ["s", String(o.names.length), ...o.names];
    case "lock":
      return ["l", o.name, String(Buffer.byteLength(o.create)), String(Buffer.byteLength(o.ours?.content ?? "")), o.ours?.prefix ?? "-"];
  }
}

/**
 * Every ledger command changes no fact (`changes: []`): it reads, or writes only `*.json` records (and their temp
 * files and directory) under the ledger directory, none of which a fact cache's reads look at
 * (packages, unit files, oned.conf, monitord.conf): the master's facts survive its ledger traffic.
 */
export const ledgerFiles = {
  /**
   * Every record of the directory, one a line; nothing when the directory does not exist yet.
   * Steps of other zones remove their runner records while this one reads, so a file listed by the
   * glob may be gone by the time it is opened: that is skipped, any other failure to read is not.
   */
  readAll: (dir: string): RemoteCommand => ({
    argv: ["sh", "-c", `[ -d "$1" ] || exit 0; d=$1; ${PRINT_ALL}`, "sh", dir],
    changes: [],
  }),
  /** Replaces (or creates) one record. */
  write: (dir: string, name: string, content: string): RemoteCommand => ({
    argv: ["sh", "-c", `${RECEIVE_RECORD} && ${LOCK_DIR('"$1"')} && mv -f "$t" "$1/$2"`, "sh", dir, name, sha256Hex(content)],
    stdin: content,
    changes: [],
  }),
  /** Creates a record only if it does not exist (the lock); exit 3 when it exists already. */
  createExclusive: (dir: string, name: string, content: string): RemoteCommand => ({
    argv: [
      "sh",
      "-c",
      `${RECEIVE_RECORD} || exit 1; ln "$t" "$1/$2" 2>/dev/null; r=$?; rm -f "$t"; [ $r -eq 0 ] || exit 3`,
      "sh",
      dir,
      name,
      sha256Hex(content),
    ],
    stdin: content,
    okExitCodes: [0, 3],
    changes: [],
  }),
  /** Removes records (a missing one is no error). */
  remove: (dir: string, names: readonly string[]): RemoteCommand => ({
    argv: ["sh", "-c", `d=$1; shift; [ -d "$d" ] || exit 0; ${LOCK_DIR('"$d"')} || exit 1; for n; do rm -f "$d/$n" || exit 1; done`, "sh", dir, ...names],
    changes: [],
  }),
  /**
   * Several operations in ONE round trip (docs/round-trips.md), in order; with `readAfter`, every
   * record as it is afterwards. Exit 3: a `create` found its record there; exit 4: a guard did not
   * hold (nothing after it ran either way).
   */
  transaction: (dir: string, ops: readonly LedgerOperation[], readAfter: boolean): RemoteCommand => {
    const payload = ops.map(received).join("");
    return {
      argv: [
        "sh",
        "-c",
        TRANSACTION,
        "sh",
        dir,
        payload === "" ? "-" : sha256Hex(payload),
        readAfter ? "1" : "0",
        ...(ops.some((o) => o.op === "present") ? ["E"] : []),
        ...ops.flatMap(words),
      ],
      ...(payload === "" ? {} : { stdin: payload }),
      okExitCodes: [0, 3, 4],
      changes: [],
    };
  },
};
