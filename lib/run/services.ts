/** Service checks shared by stop, upgrade, start and verify. */
import { FederationConfig, ZoneConfig } from "../model/federation";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { unitsToStart, unitsToStop } from "../remote/opennebula/services";
import { StepRefusal } from "./step-refusal";

/** Units of either version that exist on the front-end: all must be down before the DB is touched. */
export async function installedStopUnits(fe: OpenNebulaFrontend, config: FederationConfig): Promise<string[]> {
  const installed = await fe.installedUnits();
  return [...new Set([...unitsToStop(config.fromVersion), ...unitsToStop(config.toVersion)])].filter((u) => installed.has(u));
}

export async function installedStartUnits(fe: OpenNebulaFrontend, version: string): Promise<string[]> {
  const installed = await fe.installedUnits();
  return unitsToStart(version).filter((u) => installed.has(u));
}

async function unitStatesOf(fe: OpenNebulaFrontend, units: Promise<string[]>): Promise<Record<string, string>> {
  return fe.unitStates(await units);
}

/** The units of `states` that are not down: anything but inactive, failed or unknown (no such unit). */
export function unitsNotDown(states: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(states).filter(([, s]) => s !== "inactive" && s !== "failed" && s !== "unknown");
}

/** Refuses unless every unit is inactive and oned's lock file is gone (docs/opennebula.md §1.3 checks). */
export async function assertStopped(fe: OpenNebulaFrontend, config: FederationConfig, zone: ZoneConfig, step: string, next: string): Promise<void> {
  // The lock file is asked with the first probe, the states as soon as the unit files are known
  // (at once when this connection read them already): fewer round trips (docs/round-trips.md).
  const [states, lockAsked] = await Promise.all([unitStatesOf(fe, installedStopUnits(fe, config)), fe.onedLockPresent()]);
  const running = unitsNotDown(states);
  // Asked again after the states when the first answer saw it: a stopping oned removes it last.
  const lock = lockAsked && (await fe.onedLockPresent());
  if (running.length > 0 || lock) {
    throw new StepRefusal(step, {
      zone,
      frontend: fe.target,
      expected: "every OpenNebula service stopped and no /var/lock/one/one",
      found: [running.length > 0 ? `running: ${running.map(([u, s]) => `${u} (${s})`).join(", ")}` : "", lock ? "lock file /var/lock/one/one present" : ""]
        .filter(Boolean)
        .join("; "),
      next,
    });
  }
}

/** Stops what runs on one front-end and proves it; null when everything was already down. */
export async function stopServer(fe: OpenNebulaFrontend, config: FederationConfig, zone: ZoneConfig, step: string): Promise<string[] | null> {
  const units = installedStopUnits(fe, config);
  // The lock file is asked with the unit files: one round trip fewer when everything is down already.
  const [states, lock] = await Promise.all([unitStatesOf(fe, units), fe.onedLockPresent()]);
  const active = (await units).filter((u) => states[u] === "active" || states[u] === "activating" || states[u] === "reloading");
  if (active.length === 0 && !lock) return null;
  await fe.stopUnits(active);
  await assertStopped(
    fe,
    config,
    zone,
    step,
    "Stop the remaining services by hand (or remove a stale lock once no oned process exists), then run the deploy again.",
  );
  return active;
}
