/**
 * `onefed check`: connect to every front-end with the runner's SSH rules, gather the live facts,
 * and judge them with the readiness pack. Read-only: nothing on any zone changes.
 */
import { ExitCode } from "../model/exit-codes";
import { FederationConfig } from "../model/federation";
import { Connector } from "./connector";
import { Deadline } from "../remote/ssh/deadline";
import { DriftReport } from "../checks/drift-report";
import { gatherFacts } from "./gather-facts";
import { sshRoutesOf } from "./ssh-routes";
import { FederationFacts } from "../checks/facts";
import { openLedger } from "./ledger/open-ledger";
import { currentRun } from "./ledger/run-identity";
import { READINESS_PACK, runPack } from "../checks/packs";

export async function runDriftCheck(config: FederationConfig, log: (line: string) => void = () => undefined): Promise<DriftReport> {
  sshRoutesOf(config);
  const connector = Connector.overSsh(config, new Deadline(config.timeouts.stepSeconds), log);
  try {
    const facts = await withUpgradeLock(config, connector, await gatherFacts(config, connector));
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
      exitCode: couldNotCheck ? ExitCode.Failed : ready ? ExitCode.Done : ExitCode.NotReady,
    };
  } finally {
    await connector.close();
  }
}

/** The facts with the federation lock from the master's ledger; a master that cannot be read is already a finding. */
async function withUpgradeLock(config: FederationConfig, connector: Connector, facts: FederationFacts): Promise<FederationFacts> {
  if (facts.frontends.some((f) => f.zoneId === config.master.id && f.error)) return facts;
  const lock = (await (await openLedger(config, connector, currentRun())).read()).lock;
  return lock ? { ...facts, upgradeLock: lock } : facts;
}

/** Set to 1 to run the drift check during synth (needs SSH to every front-end), e.g. for `cdktf diff`. */
export const OBSERVE_ENV = "ONEFED_OBSERVE";

/** The live drift report when $ONEFED_OBSERVE=1, else nothing (a plain synth opens no SSH). */
export async function observedDrift(config: FederationConfig): Promise<DriftReport | undefined> {
  return process.env[OBSERVE_ENV] === "1" ? runDriftCheck(config) : undefined;
}
