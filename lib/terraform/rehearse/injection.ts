/**
 * `--inject STEP:ZONE[:TEXT]` (a test option): make one step of the twin fail where a real run
 * could, by failing the next command on the zone's front-ends that contains TEXT. Without TEXT,
 * the command the step is known by (the first command only that step runs on that zone).
 */
import { UsageError } from "../../model/errors";
import { STEP_NAMES, type StepName } from "../../model/steps";

/**
 * The argv words of the command each step is known by, as lib/remote/opennebula renders it (the
 * sandbox's shell sees the rendered line). Steps without one need an explicit TEXT.
 */
export const STEP_SIGNATURE: Partial<Readonly<Record<StepName, string>>> = {
  freeze: "onezone disable",
  stop: "systemctl stop",
  "safety-backup": "onedb backup -v -f",
  upgrade: "onedb upgrade",
  backup: "onedb backup -v --federated",
  restore: "onedb restore",
  replicate: "onedb restore -v -f",
  start: "systemctl start",
  unfreeze: "onezone enable",
};

/** A parsed `--inject`. */
export interface InjectRequest {
  readonly step: StepName;
  readonly zone: number;
  readonly match: string;
}

/** Parses `STEP:ZONE[:TEXT]`; a UsageError names what is wrong. */
export function parseInjection(spec: string): InjectRequest {
  const [step, zone, ...rest] = spec.split(":");
  const text = rest.join(":");
  const problems = [
    (STEP_NAMES as readonly string[]).includes(step) ? "" : `${JSON.stringify(step)} is not a step (${STEP_NAMES.join(", ")})`,
    /^\d+$/.test(zone ?? "") ? "" : `${JSON.stringify(zone ?? "")} is not a zone id`,
    rest.length > 0 && text === "" ? "TEXT is empty" : "",
    rest.length === 0 && (STEP_NAMES as readonly string[]).includes(step) && !STEP_SIGNATURE[step as StepName]
      ? `step ${step} has no command of its own to fail: give one as ${step}:${zone}:TEXT`
      : "",
  ].filter(Boolean);
  if (problems.length > 0) throw new UsageError(`--inject ${spec}: ${problems.join("; ")} (expected STEP:ZONE[:TEXT], e.g. upgrade:100)`);
  return { step: step as StepName, zone: Number(zone), match: text || STEP_SIGNATURE[step as StepName]! };
}
