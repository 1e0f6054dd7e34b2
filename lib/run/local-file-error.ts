/**
 * A file on the automation host (the federated backup, its checksum, a record) could not be
 * written or read: one paragraph naming the zone, the file, what happened ("no space left on the
 * automation host", never a bare ENOSPC), what was left, and what to do.
 */
import * as path from "path";
import { OnefedError } from "../model/errors";
import { describeFileError } from "../model/file-errors";
import { ZoneConfig, zoneLabel } from "../model/federation";

export interface LocalFileFacts {
  /** The zone the step works on. @default none named */
  readonly zone?: ZoneConfig;
  /** What was being done, naming the file: "writing the federated backup's checksum /srv/a/x.sql.sha256". */
  readonly action: string;
  /** The file (its directory is what the operator frees or fixes). */
  readonly file: string;
  /** What the failure left, truthfully: "Nothing was changed on any front-end by this." */
  readonly left: string;
}

export class LocalFileError extends OnefedError {
  constructor(
    public readonly facts: LocalFileFacts,
    public readonly cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const dir = path.dirname(facts.file);
    const next =
      code === "ENOSPC" || code === "EDQUOT"
        ? `Free space in ${dir} (df -h ${dir}) or point backup.localDirectory elsewhere, then run the deploy again to resume at this step.`
        : `Make ${dir} writable and readable for this user, then run the deploy again to resume at this step.`;
    super(`${facts.zone ? `${zoneLabel(facts.zone)}: ` : ""}${facts.action} failed: ${describeFileError(cause, "the automation host")}. ${facts.left} ${next}`);
  }
}

/** Runs a local file operation, turning a file-system error into a LocalFileError with these facts. */
export function onLocalFile<T>(facts: LocalFileFacts, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof OnefedError) throw err;
    throw new LocalFileError(facts, err);
  }
}
