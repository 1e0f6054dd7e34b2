/** The upgrade ledger's files on one master server, through the machine's command runner. */
import { LedgerRecord, LedgerSnapshot, parseLedger, serializeRecord } from "../../model/ledger";
import { LedgerOperation, ledgerFiles } from "./ledger-files";
import { RemoteMachine } from "./remote-machine";

/** One operation of `RemoteLedgerStore.transact`: ledger-files.ts's LedgerOperation, with records instead of their text. */
export type LedgerStoreOperation =
  | { readonly op: "write"; readonly name: string; readonly record: LedgerRecord }
  | { readonly op: "create"; readonly name: string; readonly record: LedgerRecord }
  | Extract<LedgerOperation, { readonly op: "remove" | "absent" | "present" | "some-absent" }>
  | { readonly op: "lock"; readonly name: string; readonly create: LedgerRecord; readonly ours?: { readonly prefix: string; readonly record: LedgerRecord } };

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

  /**
   * Several writes, creations and removals in one round trip, in order; `readAfter` also returns
   * every record as they are afterwards. `created` is false when a creation found its record there
   * (nothing after it ran).
   */
  async transact(
    ops: readonly LedgerStoreOperation[],
    readAfter: boolean,
  ): Promise<{ readonly created: boolean; readonly after?: { readonly snapshot: LedgerSnapshot; readonly unreadable: readonly string[] } }> {
    const sent = ops.map((o): LedgerOperation => {
      switch (o.op) {
        case "write":
        case "create":
          return { op: o.op, name: o.name, content: this.serialize(o.record) };
        case "lock":
          return {
            op: "lock",
            name: o.name,
            create: this.serialize(o.create),
            ...(o.ours ? { ours: { prefix: o.ours.prefix, content: this.serialize(o.ours.record) } } : {}),
          };
        default:
          return o;
      }
    });
    const r = await this.machine.run(ledgerFiles.transaction(this.dir, sent, readAfter));
    return { created: r.exitCode === 0, ...(readAfter ? { after: parseLedger(r.stdout) } : {}) };
  }

  /** How a record is written (serialized and redacted as `transact` sends it): a lock's prefix is cut from it. */
  serialized(record: LedgerRecord): string {
    return this.serialize(record);
  }

  /** A record as it leaves the runner: summaries and details may quote command output, so every string is redacted. */
  private serialize(record: LedgerRecord): string {
    return serializeRecord(this.machine.secrets.redactStrings(record));
  }

  async remove(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.machine.run(ledgerFiles.remove(this.dir, names));
  }
}
