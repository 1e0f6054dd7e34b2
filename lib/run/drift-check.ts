/**
 * `onefed check`: connect to every front-end with the runner's SSH rules, gather the live facts,
 * and judge them with the readiness pack. Read-only: nothing on any zone changes.
 */
import { FederationConfig, NodeConfig, ZoneConfig } from "../model/federation";
import { HypervisorNode } from "../remote/opennebula/hypervisor-node";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { connectFrontend, connectNode } from "./connector";
import { Deadline } from "../remote/ssh/deadline";
import { SshSession } from "../remote/ssh/ssh-session";
import { DriftReport } from "../checks/drift-report";
import { gatherFacts } from "./gather-facts";
import { READINESS_PACK, runPack } from "../checks/packs";

export async function runDriftCheck(config: FederationConfig, log: (line: string) => void = () => undefined): Promise<DriftReport> {
  const deadline = new Deadline(config.timeouts.stepSeconds);
  const sessions = new Map<string, Promise<{ frontend: OpenNebulaFrontend; session: SshSession }>>();
  const connect = async (zone: ZoneConfig, index: number) => {
    const key = `${zone.id}/${index}`;
    if (!sessions.has(key)) sessions.set(key, connectFrontend(config, zone, deadline, log, index));
    return (await sessions.get(key)!).frontend;
  };
  const nodes = new Map<string, Promise<{ node: HypervisorNode; session: SshSession }>>();
  const connectHost = async (zone: ZoneConfig, n: NodeConfig) => {
    const key = `${n.host}:${n.port}`;
    if (!nodes.has(key)) nodes.set(key, connectNode(config, zone, n, deadline, log));
    return (await nodes.get(key)!).node;
  };
  try {
    const facts = await gatherFacts(config, connect, config.zones, connectHost);
    const results = runPack(READINESS_PACK, facts, config);
    const couldNotCheck = facts.frontends.some((f) => f.error) || (facts.nodes ?? []).some((n) => n.error);
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
    await Promise.all([...sessions.values(), ...nodes.values()].map((s) => s.then((c) => c.session.close(), () => undefined)));
  }
}

/** Set to 1 to run the drift check during synth (needs SSH to every front-end), e.g. for `cdktf diff`. */
export const OBSERVE_ENV = "ONEFED_OBSERVE";

/** The live drift report when $ONEFED_OBSERVE=1, else nothing (a plain synth opens no SSH). */
export async function observedDrift(config: FederationConfig): Promise<DriftReport | undefined> {
  return process.env[OBSERVE_ENV] === "1" ? runDriftCheck(config) : undefined;
}
