/** The upgrade ledger of a federation, on every server of its master zone, for one run. */
import { FederationConfig } from "../../model/federation";
import { ledgerDirectory, RunIdentity } from "../../model/ledger";
import { RemoteLedgerStore } from "../../remote/opennebula/ledger-store";
import { MachineOpeners } from "../connector";
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
