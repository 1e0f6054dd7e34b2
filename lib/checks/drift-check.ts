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
  const sessions = new Map<string, Promise<{ frontend: OpenNebulaFrontend; session: SshSession }>>();
  const connect = async (zone: ZoneConfig, index: number) => {
    const key = `${zone.id}/${index}`;
    if (!sessions.has(key)) sessions.set(key, connectFrontend(config, zone, deadline, log, index));
    return (await sessions.get(key)!).frontend;
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
