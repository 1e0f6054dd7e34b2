/** Small builders shared by the checks, so each check file says only what it judges. */
import { FederationConfig, ZoneConfig, zoneLabel } from "../model/federation";
import { CheckResult } from "./check";
import { FederationFacts, FrontendFacts } from "./facts";

export function zoneOf(config: FederationConfig, zoneId: number): ZoneConfig {
  const zone = config.zones.find((z) => z.id === zoneId);
  if (!zone) throw new Error(`zone ${zoneId} is not in the federation file`);
  return zone;
}

/** Front-ends that answered: checks about their state skip the ones that could not be reached. */
export function reachable(facts: FederationFacts): FrontendFacts[] {
  return facts.frontends.filter((f) => !f.error);
}

export function ok(check: string, summary: string, zone?: ZoneConfig, frontend?: string): CheckResult {
  return { check, status: "ok", summary, zone: zone && { id: zone.id, name: zone.name }, frontend };
}

export function notApplicable(check: string, summary: string, zone?: ZoneConfig, frontend?: string): CheckResult {
  return { check, status: "not-applicable", summary, zone: zone && { id: zone.id, name: zone.name }, frontend };
}

export function finding(check: string, f: { zone?: ZoneConfig; frontend?: string; expected: string; found: string; next: string }): CheckResult {
  const where = f.zone ? `${zoneLabel(f.zone)}${f.frontend ? `, front-end ${f.frontend}` : ""}: ` : "";
  return {
    check,
    status: "finding",
    zone: f.zone && { id: f.zone.id, name: f.zone.name },
    frontend: f.frontend,
    expected: f.expected,
    found: f.found,
    next: f.next,
    summary: `${where}expected ${f.expected}, found ${f.found}. ${f.next}`,
  };
}
