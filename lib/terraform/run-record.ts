/**
 * The record a deploy or apply leaves on the automation host: its run directory next to the
 * artifacts (docs/events.md) with everything the engine printed (the full plan included), one log
 * per step and zone (written by the step processes), and the events file with the run's start and
 * end around the steps' own events. The step processes learn where through their environment.
 */
import { assertLocalDirectoryWritable } from "../config/local-directory";
import * as fs from "fs";
import * as path from "path";
import { EVENTS_FILE_ENV, RUN_DIR_ENV } from "../model/environment";
import { describeError, forTerminal, isExpectedFailure } from "../model/errors";
import { ExitCode } from "../model/exit-codes";
import { FederationConfig } from "../model/federation";
import { RUN_FILES, runDirectoryPath } from "../model/paths";
import { PlannedStep } from "../model/run-events";
import { AppendFile } from "../run/observe/append-file";
import { EventWriter } from "../run/observe/event-writer";
import { utcSeconds } from "../run/observe/time-format";
import { buildStepGraph } from "./review/step-graph";
import { RunNotifier } from "./notify/run-notifier";
import { appendRunHistory } from "./estimates/duration-history";
import type { RunEstimate } from "./estimates/run-estimate";
import type { HistoryEstimate } from "./estimates/history-estimate";

/** Where a run's record is; what a progress view tails. */
export interface RunPaths {
  readonly runId: string;
  /** The run directory. */
  readonly dir: string;
  /** The events file (`--events FILE`, or events.jsonl in the run directory). */
  readonly eventsFile: string;
  /** Everything the engine printed. */
  readonly engineLog: string;
}

export class RunRecord {
  readonly paths: RunPaths;
  private readonly events: EventWriter;
  private readonly engineLog: AppendFile;
  private readonly started = Date.now();
  private startWritten = false;
  /** The webhook of federation.yaml `notify` (docs/notify.md); absent without one. */
  private readonly notifier?: RunNotifier;
  private startEstimate?: HistoryEstimate;

  constructor(
    private readonly config: FederationConfig,
    /** "deploy" or "apply". */
    private readonly command: string,
    runId: string,
    /** `--events FILE`. @default events.jsonl in the run directory */
    eventsFile?: string,
    private readonly options: RunRecordOptions = {},
  ) {
    // The run directory lives in backup.localDirectory: a directory that cannot be written is the
    // usual one-paragraph refusal (exit 2, nothing touched), not a raw mkdir error.
    assertLocalDirectoryWritable(config);
    const dir = path.resolve(runDirectoryPath(config, runId));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.paths = {
      runId,
      dir,
      eventsFile: path.resolve(eventsFile ?? path.join(dir, RUN_FILES.events)),
      engineLog: path.join(dir, RUN_FILES.engineLog),
    };
    this.events = new EventWriter(this.paths.eventsFile, runId);
    this.engineLog = new AppendFile(this.paths.engineLog);
    if (config.notify) {
      this.notifier = new RunNotifier({
        config: config.notify,
        eventsFile: this.paths.eventsFile,
        warn: options.warn ?? stderrLine,
        record: (e) => this.events.write(e),
      });
    }
  }

  /** Whether run-start is written. */
  get hasStarted(): boolean {
    return this.startWritten;
  }

  /** The estimate run-start carried. @default none */
  get estimate(): HistoryEstimate | undefined {
    return this.startEstimate;
  }

  /** What every engine run passes on to the step processes it starts. */
  get env(): Record<string, string> {
    return { [RUN_DIR_ENV]: this.paths.dir, [EVENTS_FILE_ENV]: this.paths.eventsFile };
  }

  /** One line of the engine's (or onefed's own) output, into engine.log with its time. */
  engineLine(line: string): void {
    this.engineLog.append(`${utcSeconds(Date.now())} ${forTerminal(line)}\n`);
  }

  /**
   * run-start, with the stack's steps by stage (read from the synthesized stack; none without one),
   * their estimates when there is one, and whether the window is ignored.
   */
  start(stackDir?: string, extras: RunStartExtras = {}): void {
    if (this.startWritten) return;
    this.startWritten = true;
    this.startEstimate = extras.estimate;
    const c = this.config;
    const event = this.events.write({
      event: "run-start",
      step: null,
      zone: null,
      command: this.command,
      federation: c.name,
      from_version: c.fromVersion,
      to_version: c.toVersion,
      run_dir: this.paths.dir,
      stages: withEstimates(stackDir ? plannedStages(stackDir) : [], extras.estimate),
      ...(extras.estimate?.totalMs !== undefined ? { estimated_ms: extras.estimate.totalMs } : {}),
      ignore_window: this.options.ignoreWindow ?? false,
    });
    this.notifier?.notify(event);
    this.notifier?.follow();
  }

  /**
   * run-end: done, or failed with the error the command ends with. Resolves once the webhook's
   * deliveries under way are over (each within its deadline); never rejects.
   */
  async end(err?: unknown, interrupted = false): Promise<void> {
    // A run that failed before its stack existed (no engine) still starts before it ends.
    this.start();
    const duration = Date.now() - this.started;
    const event =
      err === undefined
        ? this.events.write({ event: "run-end", step: null, zone: null, status: "done", duration_ms: duration, exit_code: ExitCode.Done })
        : this.events.write({
            event: "run-end",
            step: null,
            zone: null,
            status: interrupted ? "interrupted" : "failed",
            duration_ms: duration,
            exit_code: isExpectedFailure(err) ? err.exitCode : ExitCode.Failed,
            message: describeError(err),
          });
    if (this.notifier) {
      this.notifier.notify(event);
      await this.notifier.settle();
    }
    this.events.close();
    this.engineLog.close();
    // After run-end, so that every step's end is in the file: the steps that ran, into the history.
    const history = appendRunHistory(this.config, { runId: this.paths.runId, command: this.command, eventsFile: this.paths.eventsFile });
    if (history.warning) (this.options.warn ?? stderrLine)(`warning: ${history.warning}`);
  }
}

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

export interface RunRecordOptions {
  /** Where a warning goes (a history that could not be written, a webhook that failed). @default stderr */
  readonly warn?: (line: string) => void;
  /** `--ignore-window` was given: run-start says so, whenever it is written. @default false */
  readonly ignoreWindow?: boolean;
}

/** What run-start says besides the stages. */
export interface RunStartExtras {
  /** The run's estimate from the duration history. @default none */
  readonly estimate?: HistoryEstimate;
}

/** Each planned step with its estimate, when the estimate covers it. */
function withEstimates(stages: PlannedStep[][], estimate: RunEstimate | undefined): PlannedStep[][] {
  if (!estimate) return stages;
  const ms = new Map(estimate.stages.flatMap((st) => st.steps.filter((s) => s.ms !== undefined).map((s) => [`${s.step}/${s.zone}`, s.ms!])));
  return stages.map((stage) =>
    stage.map((s) => {
      const e = ms.get(`${s.step}/${s.zone}`);
      return e !== undefined ? { ...s, estimated_ms: e } : s;
    }),
  );
}

/** The step resources by stage, as the synthesized stack orders them; empty when the stack cannot be read. */
export function plannedStages(stackDir: string): PlannedStep[][] {
  try {
    const graph = buildStepGraph(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")));
    return graph.stages.map((stage) => stage.map((n) => ({ step: n.step, zone: n.zoneId, zone_name: n.zoneName })));
  } catch {
    return [];
  }
}
