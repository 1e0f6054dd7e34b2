/**
 * The console without a terminal (CI): plain lines, each with its UTC time, no cursor movement.
 * A step's lines come through terraform as `<resource> (local-exec): <line>`; the resource prefix
 * goes (the line names its step and zone itself) and the step's own timestamp stays. terraform's
 * plan body and its "Still creating..." ticks go to the run directory's engine.log only: the
 * steps say what they do, and a silent command gets its own "still running" line.
 */
import { utcSeconds } from "../../run/observe/time-format";

/** `null_resource.zone_101_upgrade (local-exec): text` */
const LOCAL_EXEC = /^\S+ \(local-exec\): ?(.*)$/s;
/** terraform's lines a step's own lines replace (the progress view skips them too). */
export const ENGINE_NOISE = /^\S+: (Still creating\.\.\. \[|Creating\.\.\.$|Provisioning with 'local-exec'\.\.\.$)|^\S+ \(local-exec\): Executing: /;
/** Where terraform starts and ends describing the plan. */
const PLAN_BODY_START =
  /^(Terraform used the selected providers to generate the following execution|Terraform will perform the following actions:|OpenTofu used the selected providers|OpenTofu will perform the following actions:)/;
const PLAN_SUMMARY = /^Plan: \d+ to add/;
/** A line that starts with a UTC time already (a step's). */
const STAMPED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;

export class PlainConsole {
  private inPlanBody = false;

  constructor(
    private readonly write: (line: string) => void,
    /** Clock, for tests. @default Date.now */
    private readonly now: () => number = Date.now,
  ) {}

  /** One line of onefed's or the engine's output. */
  line(text: string): void {
    if (this.inPlanBody) {
      if (!PLAN_SUMMARY.test(text)) return;
      this.inPlanBody = false;
    } else if (PLAN_BODY_START.test(text)) {
      this.inPlanBody = true;
      this.write(`${utcSeconds(this.now())} (terraform's plan: in engine.log in the run directory)`);
      return;
    }
    if (ENGINE_NOISE.test(text)) return;
    const step = LOCAL_EXEC.exec(text);
    const body = step ? step[1] : text;
    // terraform's blank separator lines: the timestamps separate well enough.
    if (body.trim() === "") return;
    this.write(STAMPED.test(body) ? body : `${utcSeconds(this.now())} ${body}`);
  }
}
