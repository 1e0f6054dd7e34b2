import { OnefedError } from "../model/errors";
import { FrontendConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { printable } from "../model/printable";

export interface RefusalFacts {
  readonly zone: ZoneConfig;
  readonly frontend?: FrontendConfig;
  /** What the step needed to see. */
  readonly expected: string;
  /** What it saw instead (it may quote the front-ends: control characters are shown escaped). */
  readonly found: string;
  /** What the operator should do next. */
  readonly next: string;
}

/** A safety check said no: nothing (more) was changed on the zone. One paragraph, every fact named. */
export class StepRefusal extends OnefedError {
  constructor(
    public readonly step: string,
    public readonly facts: RefusalFacts,
  ) {
    const where = facts.frontend ? `${zoneLabel(facts.zone)}, front-end ${facts.frontend.host}:${facts.frontend.port}` : zoneLabel(facts.zone);
    super(`${step} refused on ${where}: expected ${facts.expected}, but found ${printable(facts.found, { multiline: true })}. ${facts.next}`);
  }
}
