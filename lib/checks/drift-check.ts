/**
 * `onefed check`: connect to every front-end with the runner's SSH rules, gather the live facts,
 * and judge them with the readiness pack. Read-only: nothing on any zone changes.
 */
import { FederationConfig, ZoneConfig } from "../config/federation-config";
import { OpenNebulaFrontend } from "../opennebula/frontend";
import { connectFrontend } from "../runner/ssh-frontend";
import { Deadline } from "../ssh/deadline";
import { SshSession } from "../ssh/ssh-session";
import { DriftReport } from "./drift-report";
import { gatherFacts } from "./gather-facts";
import { READINESS_PACK, runPack } from "./packs";

export async function runDriftCheck(config: FederationConfig, log: (line: string) => void = () => undefined): Promise<DriftReport> {
  const deadline = new Deadline(config.timeouts.stepSeconds);
  const sessions = new Map<number, Promise<{ frontend: OpenNebulaFrontend; session: SshSession }>>();
  const connect = async (zone: ZoneConfig) => {
    if (!sessions.has(zone.id)) sessions.set(zone.id, connectFrontend(config, zone, deadline, log));
    return (await sessions.get(zone.id)!).frontend;
  };
  try {
    const facts = await gatherFacts(config, connect);
    const results = runPack(READINESS_PACK, facts, config);
    const couldNotCheck = facts.frontends.some((f) => f.error);
    const ready = !couldNotCheck && results.every((r) => r.status !== "finding");
    return {
      federation: config.name,
      fromVersion: config.fromVersion,
      toVersion: config.toVersion,
      facts,
      results,
      couldNotCheck,
      ready,
      exitCode: couldNotCheck ? 1 : ready ? 0 : 2,
    };
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.then((c) => c.session.close(), () => undefined)));
  }
}
