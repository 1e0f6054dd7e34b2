/**
 * File-system failures in the operator's words: "no space left on the automation host" rather than
 * a bare `ENOSPC`, so that every error paragraph says what happened and where.
 */

/** The machine a file lives on, as messages name it. */
export type FileSide = "the automation host" | "the front-end";

/** What an error from a file operation means, said for the machine it happened on, its code after it: "no space left on the automation host (ENOSPC)". */
export function describeFileError(err: unknown, side: FileSide): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const meaning = meaningOf(code, side);
  if (meaning) return `${meaning} (${code})`;
  // Duck-typed: an error from another realm (a vm context) is no `instanceof Error` here.
  const message = (err as { readonly message?: unknown } | undefined)?.message;
  return `${typeof message === "string" ? message : String(err)} on ${side}`;
}

function meaningOf(code: string | undefined, side: FileSide): string | undefined {
  switch (code) {
    case "ENOSPC":
      return `no space left on ${side}${side === "the front-end" ? "'s file system" : ""}`;
    case "EDQUOT":
      return `this user's disk quota on ${side} is used up`;
    case "EROFS":
      return `the file system on ${side} is read-only`;
    case "EACCES":
    case "EPERM":
      return `permission denied on ${side}`;
    case "ENOENT":
      return `no such file or directory on ${side}`;
    case "ENOTDIR":
      return `a part of the path on ${side} is not a directory`;
    case "EEXIST":
      return `a file that is not a directory is in the way on ${side}`;
    case "EISDIR":
      return `the path on ${side} is a directory`;
    case "EIO":
      return `an I/O error on ${side} (a failing disk or file system)`;
    case "EMFILE":
    case "ENFILE":
      return `too many open files on ${side}`;
    default:
      return undefined;
  }
}
