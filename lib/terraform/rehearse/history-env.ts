/**
 * The duration history's shared contract (issue 12/14): every finished deploy/apply appends its
 * steps' durations to `<backup.localDirectory>/history.jsonl` unless these variables say another
 * file and source. The rehearsal sets them for the twin's apply so that the twin's durations land
 * in the *real* federation's history, marked `rehearsal`; the writer and reader live elsewhere.
 */
import * as path from "path";
import type { FederationConfig } from "../../model/federation";

/** Path of the history file the run appends to. */
export const HISTORY_FILE_ENV = "ONEFED_HISTORY_FILE";
/** `deploy`, `apply` or `rehearsal`: what the lines say produced them. */
export const HISTORY_SOURCE_ENV = "ONEFED_HISTORY_SOURCE";
/** The source of a rehearsal's lines. */
export const REHEARSAL_SOURCE = "rehearsal";
/** The history file's name inside backup.localDirectory. */
export const HISTORY_FILE_NAME = "history.jsonl";

/** The real federation's history file: where its own deploys and applies record their durations. */
export function historyFileOf(config: Pick<FederationConfig, "backup">): string {
  return path.join(config.backup.localDirectory, HISTORY_FILE_NAME);
}
