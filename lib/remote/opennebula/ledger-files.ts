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

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The upgrade ledger's files on the master (lib/model/ledger.ts). Each record is one line of JSON
 * that travels on stdin, never in argv; writes are atomic (temp file in the same directory, synced,
 * renamed), so a killed runner leaves the old record or the new one, never half of one.
 */
/**
 * Prints every record of the directory `$d`, one a line. Steps of other zones remove their runner
 * records while this one reads, so a file listed by the glob may be gone by the time it is opened:
 * that is skipped, any other failure to read is not.
 */
const PRINT_ALL =
  'for f in "$d"/*.json; do [ -f "$f" ] || continue; ' + 'if cat "$f" 2>/dev/null; then echo; elif [ -e "$f" ]; then cat "$f" >/dev/null; exit 1; fi; done';

/**
 * One ledger transaction (`ledgerFiles.transaction`): receives every record at once on stdin (proven
 * whole by one sha256, $2, "-" when none travels), applies the operations in order — `w NAME LEN`
 * replaces, `c NAME LEN` creates only if absent (else stops with exit 3), `r NAME` removes — each
 * record cut from the received bytes by its length, then prints every record when $3 is 1 (also
 * after an exit 3, so the caller judges again without another round trip).
 */
const TRANSACTION = [
  'umask 077; d=$1; sum=$2; rd=$3; shift 3; mkdir -p "$d" || exit 1; t=; ',
  'if [ "$sum" != - ]; then t=$(mktemp "$d/.tmp.XXXXXX") || exit 1; ',
  'if ! { cat > "$t" && printf "%s  %s\\n" "$sum" "$t" | sha256sum -c --status; }; then rm -f "$t"; exit 1; fi; fi; ',
  "o=0; r=0; ",
  "while [ $# -gt 0 ] && [ $r -eq 0 ]; do op=$1; n=$2; ",
  'case $op in r) rm -f "$d/$n" || r=1; shift 2 ;; ',
  'w|c) len=$3; shift 3; p=$(mktemp "$d/.tmp.XXXXXX") || { r=1; break; }; ',
  'if ! { tail -c +$((o+1)) "$t" | head -c "$len" > "$p" && sync "$p"; }; then rm -f "$p"; r=1; break; fi; o=$((o+len)); ',
  'if [ "$op" = w ]; then mv -f "$p" "$d/$n" || r=1; else ln "$p" "$d/$n" 2>/dev/null || r=3; rm -f "$p"; fi ;; ',
  "*) r=1 ;; esac; done; ",
  '[ -n "$t" ] && rm -f "$t"; ',
  `if [ "$rd" = 1 ] && [ $r -ne 1 ]; then ${PRINT_ALL}; fi; exit $r`,
].join("");

/** One operation of a ledger transaction, on a record file of the ledger directory. */
export type LedgerOperation =
  | { readonly op: "write"; readonly name: string; readonly content: string }
  | { readonly op: "create"; readonly name: string; readonly content: string }
  | { readonly op: "remove"; readonly name: string };

/**
 * Every ledger command `keepsFacts`: it reads, or writes only `*.json` records (and their temp
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
    argv: [
      "sh",
      "-c",
      '[ -d "$1" ] || exit 0; for f in "$1"/*.json; do [ -f "$f" ] || continue; ' +
        'if cat "$f" 2>/dev/null; then echo; elif [ -e "$f" ]; then cat "$f" >/dev/null; exit 1; fi; done',
      "sh",
      dir,
    ],
    keepsFacts: true,
  }),
  /** Replaces (or creates) one record. */
  write: (dir: string, name: string, content: string): RemoteCommand => ({
    argv: ["sh", "-c", `${RECEIVE_RECORD} && mv -f "$t" "$1/$2"`, "sh", dir, name, sha256Hex(content)],
    stdin: content,
    keepsFacts: true,
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
    keepsFacts: true,
  }),
  /** Removes records (a missing one is no error). */
  remove: (dir: string, names: readonly string[]): RemoteCommand => ({
    argv: ["sh", "-c", 'd=$1; shift; for n; do rm -f "$d/$n" || exit 1; done', "sh", dir, ...names],
    keepsFacts: true,
  }),
  /**
   * Several operations in ONE round trip (docs/round-trips.md), in order; with `readAfter`, every
   * record as it is afterwards. Exit 3: a `create` found its record there (nothing after it ran).
   */
  transaction: (dir: string, ops: readonly LedgerOperation[], readAfter: boolean): RemoteCommand => {
    const payload = ops.map((o) => (o.op === "remove" ? "" : o.content)).join("");
    const args = ops.flatMap((o) => (o.op === "remove" ? ["r", o.name] : [o.op === "write" ? "w" : "c", o.name, String(Buffer.byteLength(o.content))]));
    return {
      argv: ["sh", "-c", TRANSACTION, "sh", dir, payload === "" ? "-" : sha256Hex(payload), readAfter ? "1" : "0", ...args],
      ...(payload === "" ? {} : { stdin: payload }),
      okExitCodes: [0, 3],
      keepsFacts: true,
    };
  },
};
