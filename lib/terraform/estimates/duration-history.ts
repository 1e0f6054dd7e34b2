/**
 * The duration history's writer and reader (docs/estimates.md). At the end of every deploy or
 * apply, the steps that really ran (step-end status `done`) are read back from the run's events
 * and appended to the history, one JSON line each; `onefed plan`, the window check and the
 * progress view read it back. Writing it never fails a run: a problem is one warning line.
 */
import * as fs from "fs";
import * as path from "path";
import { HISTORY_FILE_ENV, HISTORY_SOURCE_ENV } from "../../model/environment";
import { HISTORY_FILE_NAME, HISTORY_FORMAT_VERSION, HISTORY_SOURCES, HistoryLine, HistorySource, ZoneShape, zoneShapeOf } from "../../model/duration-history";
import type { FederationConfig } from "../../model/federation";
import type { RunEvent } from "../../model/run-events";
import { readEvents } from "../../run/observe/event-writer";
import { safetyBackupRecord } from "../../run/records/safety-backup-record";

/** Where the history is: $ONEFED_HISTORY_FILE, else history.jsonl in backup.localDirectory. */
export function historyFilePath(config: Pick<FederationConfig, "backup">, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[HISTORY_FILE_ENV];
  return path.resolve(given && given.trim() !== "" ? given : path.join(config.backup.localDirectory, HISTORY_FILE_NAME));
}

/** Who the lines say measured them: $ONEFED_HISTORY_SOURCE when it names a source, else the command. */
export function historySource(command: string, env: NodeJS.ProcessEnv = process.env): HistorySource {
  const given = env[HISTORY_SOURCE_ENV];
  if (given && (HISTORY_SOURCES as readonly string[]).includes(given)) return given as HistorySource;
  return command === "apply" ? "apply" : "deploy";
}

/** What a run's history lines need besides its events. */
export interface RunHistoryInput {
  readonly runId: string;
  readonly source: HistorySource;
  /** Zone shapes by zone id (from the federation file). */
  readonly shapes: ReadonlyMap<number, ZoneShape>;
  /** Database sizes by zone id, where known. @default none known */
  readonly dbSizes?: ReadonlyMap<number, number>;
}

/** The history lines of one run: one per step that ended `done` in it, in the order they ended. Pure. */
export function historyLinesOf(events: readonly RunEvent[], input: RunHistoryInput): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const e of events) {
    if (e.event !== "step-end" || e.status !== "done" || e.run !== input.runId) continue;
    if (e.step === null || e.zone === null || typeof e.duration_ms !== "number") continue;
    const shape = input.shapes.get(e.zone);
    // A zone the federation file no longer has cannot be matched by shape: left out.
    if (!shape) continue;
    const dbSize = input.dbSizes?.get(e.zone);
    lines.push({
      v: HISTORY_FORMAT_VERSION,
      ts: e.ts,
      run: e.run,
      source: input.source,
      step: e.step,
      zone: e.zone,
      zone_shape: shape,
      ...(dbSize !== undefined ? { db_size_bytes: dbSize } : {}),
      duration_ms: e.duration_ms,
    });
  }
  return lines;
}

/** Where a finished run's events are, and which command ran it. */
export interface FinishedRun {
  readonly runId: string;
  /** deploy or apply. */
  readonly command: string;
  readonly eventsFile: string;
}

/**
 * Appends a finished run's step durations to the history (one write). Never throws: a failure is
 * returned as one warning line for the console (the upgrade's outcome does not depend on it).
 * @returns the number of lines appended, or the warning
 */
export function appendRunHistory(
  config: FederationConfig,
  run: FinishedRun,
  env: NodeJS.ProcessEnv = process.env,
): { readonly appended: number; readonly file: string; readonly warning?: string } {
  const file = historyFilePath(config, env);
  try {
    // A pipe or FIFO (--events /dev/stderr) cannot be read back: no history for that run.
    if (!fs.statSync(run.eventsFile).isFile())
      return { appended: 0, file, warning: `the events went to ${run.eventsFile}, which is not a regular file: no durations recorded in ${file}` };
    const lines = historyLinesOf(readEvents(run.eventsFile), {
      runId: run.runId,
      source: historySource(run.command, env),
      shapes: new Map(config.zones.map((z) => [z.id, zoneShapeOf(z)])),
      dbSizes: databaseSizes(config),
    });
    if (lines.length === 0) return { appended: 0, file };
    // Owner-only, as every artifact beside it (zone names, hosts and sizes of the federation).
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""), { mode: 0o600 });
    return { appended: lines.length, file };
  } catch (err) {
    return { appended: 0, file, warning: `could not record this run's step durations in ${file} (${(err as Error).message}); estimates will not include it` };
  }
}

/** Each zone's database size, from its safety backup's record on this host; zones without one are left out. */
function databaseSizes(config: FederationConfig): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const zone of config.zones) {
    const record = safetyBackupRecord(config, zone).readIntact();
    if (record) sizes.set(zone.id, record.size_bytes);
  }
  return sizes;
}

/** Every well-formed v1 line of the history, in file order; a missing file is an empty history. */
export function readHistory(file: string): HistoryLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return parseHistory(text);
}

/** The well-formed v1 lines of a history's text; anything else (a torn line, a later format) is skipped. */
export function parseHistory(text: string): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    try {
      const line = JSON.parse(raw) as HistoryLine;
      if (isHistoryLine(line)) lines.push(line);
    } catch {
      /* a torn or foreign line: skipped */
    }
  }
  return lines;
}

function isHistoryLine(l: Partial<HistoryLine> | null): l is HistoryLine {
  const s = l?.zone_shape;
  return (
    l?.v === HISTORY_FORMAT_VERSION &&
    typeof l.step === "string" &&
    typeof l.zone === "number" &&
    typeof l.ts === "string" &&
    typeof l.duration_ms === "number" &&
    l.duration_ms >= 0 &&
    typeof s === "object" &&
    s !== null &&
    typeof s.servers === "number" &&
    typeof s.nodes === "number" &&
    typeof s.package_manager === "string" &&
    typeof s.db_backend === "string"
  );
}
