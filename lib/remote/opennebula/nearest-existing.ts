/**
 * The deepest existing directory on a path: where `df` reads the free space of a directory that
 * may not exist yet (the backup directory before the first backup). One probe walks up on the
 * machine, instead of one `test -e` per ancestor (docs/round-trips.md): the same answer, the same
 * rule (the path itself, else each parent in turn, `/` last).
 */
import { ParseError } from "./parsers";
import { RemoteCommand } from "./remote-command";

/** Prints the path itself when it exists, else its nearest existing ancestor; `/` always exists. */
const WALK = 'p=$1; while [ "$p" != / ] && [ ! -e "$p" ]; do case $p in */*) p=${p%/*}; [ -n "$p" ] || p=/ ;; *) p=/ ;; esac; done; printf "%s\\n" "$p"';

export function nearestExistingCommand(path: string): RemoteCommand {
  return { argv: ["sh", "-c", WALK, "sh", path], readOnly: true };
}

/** The walk's answer: one absolute path, which must be `path` or one of its ancestors. */
export function parseNearestExisting(path: string, stdout: string): string {
  const found = stdout.replace(/\n$/, "");
  const ancestorOrSelf = found === "/" || found === path || path.startsWith(`${found}/`);
  if (found === "" || found.includes("\n") || !ancestorOrSelf) throw new ParseError("the nearest existing directory probe", `no ancestor of ${path}`, stdout);
  return found;
}
