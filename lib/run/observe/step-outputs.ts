/**
 * Where a step process writes besides its stdout, as `onefed deploy`/`apply` told it through the
 * environment (terraform hands its environment to every local-exec; nothing of this is in the
 * synthesized stack, so plans do not change from run to run). A step run by hand writes no files.
 */
import * as path from "path";
import { EVENTS_FILE_ENV, HEARTBEAT_SECONDS_ENV, RUN_DIR_ENV, RUN_ID_ENV } from "../../model/environment";
import { RUN_FILES } from "../../model/paths";
import { AppendFile } from "./append-file";
import { EventWriter } from "./event-writer";
import { DEFAULT_HEARTBEAT_SECONDS } from "./step-observer";

export interface StepOutputs {
  readonly events?: EventWriter;
  readonly logFile?: AppendFile;
  readonly heartbeatSeconds: number;
}

export function stepOutputsFromEnv(step: string, zoneId: number, env: NodeJS.ProcessEnv = process.env): StepOutputs {
  const runDir = env[RUN_DIR_ENV];
  const runId = env[RUN_ID_ENV] || "manual";
  const eventsFile = env[EVENTS_FILE_ENV] || (runDir ? path.join(runDir, RUN_FILES.events) : undefined);
  const heartbeat = Number(env[HEARTBEAT_SECONDS_ENV]);
  return {
    events: eventsFile ? new EventWriter(eventsFile, runId) : undefined,
    logFile: runDir ? new AppendFile(path.join(runDir, RUN_FILES.stepLog(step, zoneId))) : undefined,
    heartbeatSeconds: Number.isFinite(heartbeat) && heartbeat > 0 ? heartbeat : DEFAULT_HEARTBEAT_SECONDS,
  };
}
