/** systemd units of the OpenNebula front-end by version (docs/opennebula.md §1.3). */
import { compareVersions } from "../../model/version";

interface UnitRule {
  readonly unit: string;
  /** First version that ships the unit. */
  readonly since?: string;
  /** First version that no longer ships it. */
  readonly until?: string;
  /** Started again after an upgrade (helpers and timers come up with oned or their timers). */
  readonly start: boolean;
}

/** oned itself: the unit whose state says whether the zone answers (and takes writes). */
export const ONED_UNIT = "opennebula";

const UNITS: readonly UnitRule[] = [
  { unit: ONED_UNIT, start: true },
  { unit: "opennebula-scheduler", until: "7.0.0", start: true },
  { unit: "opennebula-sunstone", until: "7.0.0", start: false },
  { unit: "opennebula-novnc", until: "7.0.0", start: false },
  { unit: "opennebula-fireedge", since: "6.0.0", start: true },
  { unit: "opennebula-guacd", since: "6.0.0", start: false },
  { unit: "opennebula-flow", start: true },
  { unit: "opennebula-gate", start: true },
  { unit: "opennebula-gate-proxy", since: "6.6.0", until: "6.10.0", start: false },
  { unit: "opennebula-hem", since: "5.10.0", start: true },
  { unit: "opennebula-form", since: "7.2.0", start: true },
  { unit: "opennebula-ks", since: "7.4.0", start: true },
  { unit: "opennebula-ssh-agent", since: "5.12.0", start: false },
  { unit: "opennebula-showback.timer", since: "5.12.0", start: false },
  { unit: "opennebula-ssh-socks-cleaner.timer", since: "5.12.0", start: false },
];

function shippedIn(rule: UnitRule, version: string): boolean {
  return (!rule.since || compareVersions(version, rule.since) >= 0) && (!rule.until || compareVersions(version, rule.until) < 0);
}

/** Every unit the version ships: all of them must be stopped before a DB operation. */
export function unitsToStop(version: string): string[] {
  return UNITS.filter((r) => shippedIn(r, version)).map((r) => r.unit);
}

/** Units started after the upgrade (docs step 10); oned first so the others find it. */
export function unitsToStart(version: string): string[] {
  return UNITS.filter((r) => r.start && shippedIn(r, version)).map((r) => r.unit);
}

/** `foo` and `foo.service` name the same unit; timers keep their suffix. */
export function unitName(fileName: string): string {
  return fileName.replace(/\.service$/, "");
}

/** libvirt's unit: restarted after the KVM node package so it loads the new configuration. */
export const LIBVIRT_UNIT = "libvirtd";
