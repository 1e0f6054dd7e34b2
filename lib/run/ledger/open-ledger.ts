/** The upgrade ledger of a federation, on every server of its master zone, for one run. */
import { FederationConfig } from "../../model/federation";
import { ledgerDirectory, RunIdentity } from "../../model/ledger";
import { RemoteLedgerStore } from "../../remote/opennebula/ledger-store";
import { Deadline } from "../../remote/ssh/deadline";
import { Connector, MachineOpeners } from "../connector";
import { FederationLedger } from "./federation-ledger";

export async function openLedger(config: FederationConfig, machines: Pick<MachineOpeners, "frontend">, run: RunIdentity): Promise<FederationLedger> {
  const dir = ledgerDirectory(config);
  // Every handshake first, in parallel; the first server in federation.yaml is the lock's authority.
  const servers = await Promise.all(config.master.frontends.map((_, i) => machines.frontend(config.master, i)));
  return new FederationLedger(
    config.name,
    servers.map((fe) => new RemoteLedgerStore(fe, dir)),
    run,
  );
}

/**
 * Works with the ledger outside a step (deploy's reconcile, the operator's commands): connects to
 * the master's servers with the federation's SSH rules, and closes them when `use` is done.
 */
export async function withFederationLedger<T>(
  config: FederationConfig,
  run: RunIdentity,
  use: (ledger: FederationLedger, connector: Connector) => Promise<T>,
): Promise<T> {
  const connector = Connector.overSsh(config, new Deadline(config.timeouts.stepSeconds), () => undefined);
  try {
    return await use(await openLedger(config, connector, run), connector);
  } finally {
    await connector.close();
  }
}
