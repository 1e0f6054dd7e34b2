/**
 * A federated backup's content digest: the sha256 of its statements, without the comment lines a
 * dump tool stamps with times and versions (lines starting with `--` or `/*!`). The artifact restored into a slave
 * and the slave's own federated export after the restore have the same digest exactly when the
 * slave holds every federated table and every federated log entry of the artifact: the proof that
 * a restore is complete, by content and not by the version number it set first.
 */
import { createHash } from "crypto";
import { RemoteCommand } from "./remote-command";

const STAMP = /^(--|\/\*!)/;

export function dumpDigest(text: string): string {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const statements = lines.filter((l) => !STAMP.test(l));
  return createHash("sha256")
    .update(statements.map((l) => `${l}\n`).join(""))
    .digest("hex");
}

/** The same digest computed on the front-end (grep prints each kept line with its newline, as above). */
export function dumpDigestCommand(path: string): RemoteCommand {
  return { argv: ["sh", "-c", "grep -v -e '^--' -e '^/\\*!' \"$1\" | sha256sum", "sh", path], readOnly: true };
}
