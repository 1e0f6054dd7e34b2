/** The upgrade ledger's files on one master server, through the machine's command runner. */
import { LedgerRecord, LedgerSnapshot, parseLedger, serializeRecord } from "../../model/ledger";
import { ledgerFiles } from "./commands";
import { RemoteMachine } from "./remote-machine";

export class RemoteLedgerStore {
  constructor(
    /** The master server that keeps this copy. */
    public readonly machine: RemoteMachine,
    /** The ledger directory on it (lib/model/ledger.ts ledgerDirectory). */
    public readonly dir: string,
  ) {}

  /** Every record; lines that are no record of this format are returned apart, never dropped. */
  async read(): Promise<{ readonly snapshot: LedgerSnapshot; readonly unreadable: readonly string[] }> {
    return parseLedger((await this.machine.run(ledgerFiles.readAll(this.dir))).stdout);
  }

  /** Replaces one record atomically. */
  async write(name: string, record: LedgerRecord): Promise<void> {
    await this.machine.run(ledgerFiles.write(this.dir, name, this.serialize(record)));
  }

  /** Creates a record only if none exists under that name; false when one did. */
  async create(name: string, record: LedgerRecord): Promise<boolean> {
    return (await this.machine.run(ledgerFiles.createExclusive(this.dir, name, this.serialize(record)))).exitCode === 0;
  }

  /** A record as it leaves the runner: summaries and details may quote command output, so every string is redacted. */
  private serialize(record: LedgerRecord): string {
    return serializeRecord(this.machine.secrets.redactStrings(record));
  }

  async remove(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.machine.run(ledgerFiles.remove(this.dir, names));
  }
}
