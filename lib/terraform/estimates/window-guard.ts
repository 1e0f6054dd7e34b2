/**
 * The maintenance window's check before a deploy or apply runs anything: refused (exit 7) when now
 * is outside the window, or when the estimated end falls after it closes, saying by how much;
 * `--ignore-window` runs anyway (the run-start event records it). Runs before any SSH command.
 */
import { OnefedError } from "../../model/errors";
import { ExitCode } from "../../model/exit-codes";
import type { FederationConfig, MaintenanceWindow } from "../../model/federation";
import { describeWindow, judgeWindow, localTime, WindowVerdict } from "../../model/maintenance-window";
import { formatElapsed } from "../../run/observe/time-format";
import { describeEstimate, HistoryEstimate, whyNoEstimate } from "./history-estimate";

/** Now, or the estimated end, is outside the federation's maintenance window: nothing was run. */
export class OutsideWindowError extends OnefedError {
  constructor(
    message: string,
    /** What the window check found. */
    public readonly verdict: WindowVerdict,
  ) {
    super(message, ExitCode.OutsideWindow);
  }
}

export interface WindowCheck {
  /** `--ignore-window`. */
  readonly ignore: boolean;
  /** The run's estimated duration; undefined when the history cannot tell. */
  readonly estimateMs?: number;
  /** Why there is no estimate (e.g. "no history yet"), for the messages. @default "no duration history for every step" */
  readonly noEstimateBecause?: string;
  /** Epoch ms. @default Date.now() */
  readonly now?: number;
}

/**
 * Throws OutsideWindowError when the run must not start; otherwise returns the line to log (none
 * without a window).
 */
export function checkWindow(config: Pick<FederationConfig, "name" | "window">, check: WindowCheck): string | undefined {
  const window = config.window;
  if (!window) return undefined;
  const now = check.now ?? Date.now();
  const verdict = judgeWindow(window, now, check.estimateMs);
  const why = check.noEstimateBecause ?? "no duration history for every step";
  const estimated = check.estimateMs !== undefined ? `estimated at ${formatElapsed(check.estimateMs)} from the duration history` : undefined;
  if (verdict.kind === "fits") {
    const end =
      verdict.endsAt !== undefined
        ? `its estimated end ${localTime(verdict.endsAt, window.timezone)} is ${formatElapsed(verdict.opening.closesAt - verdict.endsAt)} before it closes`
        : `its end could not be estimated (${why}); the window closes ${localTime(verdict.opening.closesAt, window.timezone)}`;
    return `window: now is inside the maintenance window (${describeWindow(window)}); ${end}`;
  }
  const problem = refusal(window, now, verdict, estimated, why);
  if (check.ignore) return `window: --ignore-window: running anyway although ${problem}`;
  throw new OutsideWindowError(
    `federation ${config.name}: ${problem}. Nothing was run on any zone. Start inside the window, widen \`window\` in the federation file, or pass --ignore-window to run anyway (the run's events record it).`,
    verdict,
  );
}

function refusal(
  window: MaintenanceWindow,
  now: number,
  verdict: Exclude<WindowVerdict, { kind: "fits" }>,
  estimated: string | undefined,
  why: string,
): string {
  const w = `the maintenance window (${describeWindow(window)})`;
  if (verdict.kind === "overruns") {
    return (
      `the run (${estimated}) would end ${localTime(verdict.endsAt, window.timezone)}, ${formatElapsed(verdict.overrunMs)} after ${w} closes ` +
      `${localTime(verdict.opening.closesAt, window.timezone)}`
    );
  }
  const next = verdict.next ? `; it next opens ${localTime(verdict.next.opensAt, window.timezone)}, in ${formatElapsed(verdict.next.opensAt - now)}` : "";
  const end = estimated ? ` (the run is ${estimated})` : ` (the run's end could not be estimated: ${why})`;
  return `now (${localTime(now, window.timezone)}) is outside ${w}${next}${end}`;
}

/**
 * What deploy and apply do between run-start and reconcile's first SSH command: log the run's
 * estimate, then hold it to the maintenance window (throws OutsideWindowError, exit 7).
 */
export function startWithinWindow(
  config: Pick<FederationConfig, "name" | "window">,
  estimate: HistoryEstimate | undefined,
  ignore: boolean,
  log: (line: string) => void,
): void {
  if (estimate) log(`estimate: ${describeEstimate(estimate)}`);
  const line = checkWindow(config, { ignore, estimateMs: estimate?.totalMs, noEstimateBecause: estimate ? whyNoEstimate(estimate) : undefined });
  if (line) log(line);
}
