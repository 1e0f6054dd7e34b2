/**
 * What an SFTP copy's error means. ssh2 fails a transfer with one of three kinds of error: an SFTP
 * status from the front-end's server (numeric `code`), a local file-system error from the
 * automation host's side of the copy (errno `code`), or "No response from server" when the link
 * dropped. SFTP v3 has no "disk full" status: OpenSSH's sftp-server answers a write that hit
 * ENOSPC with SSH_FX_FAILURE.
 */
import * as path from "path";
import { describeFileError } from "../../model/file-errors";

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02, section 7), as ssh2 puts them in `err.code`. */
const SFTP_STATUS = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8 } as const;

export interface SftpFailure {
  /** What happened, naming the side it happened on. */
  readonly what: string;
  /** What the operator does before running the deploy again. */
  readonly next: string;
}

const RESUME = "then run the deploy again to resume at this step.";

/** Describes a failed `direction` copy between `localPath` and `remotePath`. */
export function describeSftpFailure(err: unknown, direction: "upload" | "download", localPath: string, remotePath: string): SftpFailure {
  const e = err as { readonly code?: unknown; readonly message?: unknown } | undefined;
  const message = typeof e?.message === "string" ? e.message : String(err);
  const remoteDir = path.posix.dirname(remotePath);
  const localDir = path.dirname(localPath);
  if (typeof e?.code === "string") {
    const what = describeFileError(err, "the automation host");
    const next =
      e.code === "ENOSPC" || e.code === "EDQUOT"
        ? `Free space in ${localDir} on the automation host (df -h ${localDir}) or point backup.localDirectory elsewhere, ${RESUME}`
        : direction === "upload"
          ? `Check ${localPath} on the automation host (it must exist and be readable for this user), ${RESUME}`
          : `Make ${localDir} on the automation host writable for this user, ${RESUME}`;
    return { what, next };
  }
  switch (e?.code) {
    case SFTP_STATUS.FAILURE:
      return direction === "upload"
        ? {
            what: `the front-end's SFTP server could not write it (SSH_FX_FAILURE, which OpenSSH answers when the disk is full): most likely no space left on the front-end's file system`,
            next: `Free space in ${remoteDir} on the front-end (df -h ${remoteDir}), ${RESUME}`,
          }
        : { what: `the front-end's SFTP server could not read it (SSH_FX_FAILURE: ${message})`, next: `Check ${remotePath} on the front-end, ${RESUME}` };
    case SFTP_STATUS.NO_SUCH_FILE:
      return {
        what: `no such file or directory on the front-end (${direction === "upload" ? remoteDir : remotePath})`,
        next: `Check ${remoteDir} on the front-end, ${RESUME}`,
      };
    case SFTP_STATUS.PERMISSION_DENIED:
      return { what: "permission denied on the front-end", next: `Make ${remoteDir} on the front-end writable and readable for the SSH user, ${RESUME}` };
    case SFTP_STATUS.NO_CONNECTION:
    case SFTP_STATUS.CONNECTION_LOST:
      return { what: `the connection to the front-end was lost mid-copy (${message})`, next: `Check that the front-end is up and reachable, ${RESUME}` };
    case SFTP_STATUS.OP_UNSUPPORTED:
      return { what: "the front-end's SFTP server does not support the operation", next: `Check the front-end's sshd SFTP subsystem, ${RESUME}` };
  }
  if (/no response from server|not connected|connection/i.test(message)) {
    return { what: `the connection to the front-end was lost mid-copy (${message})`, next: `Check that the front-end is up and reachable, ${RESUME}` };
  }
  return {
    what: typeof e?.code === "number" ? `the front-end's SFTP server answered "${message}" (status ${e.code})` : message,
    next: `Fix the cause, ${RESUME}`,
  };
}
