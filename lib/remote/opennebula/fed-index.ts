/**
 * FED_INDEX read exactly (docs/opennebula.md §5.1): a zone's last federated log index, as oned
 * reports it through one.zone.raftstatus. oned keeps it as a uint64 and prints UINT64_MAX for a
 * federated zone that holds no federated record yet, which is larger than 2^53: a JS number would
 * round it. So a real index is a bigint, and each special value is a kind of its own that never
 * compares equal to a real index.
 */

/** What a FED_INDEX (or FEDLOG_INDEX) cell says about a zone. */
export type FedIndex =
  /** The zone's last federated record. */
  | { readonly kind: "index"; readonly value: bigint }
  /** 18446744073709551615 (UINT64_MAX): a federated zone that never received a federated record. */
  | { readonly kind: "no-record" }
  /** `-`: the CLI could not ask the zone (refused, timeout, authentication). */
  | { readonly kind: "unreachable" }
  /** -1: the zone's oned runs without federation. */
  | { readonly kind: "standalone" };

/** oned's "no federated record yet" (LogDB::last_federated on an empty federated log). */
export const NO_FEDERATED_RECORD = 2n ** 64n - 1n;

/** A real index, for callers (and tests) that build one. */
export function fedIndexOf(value: bigint | number): FedIndex {
  return { kind: "index", value: BigInt(value) };
}

/** The cell as the CLI prints it; undefined when it is none of the forms oned produces. */
export function parseFedIndex(text: string): FedIndex | undefined {
  if (text === "-") return { kind: "unreachable" };
  if (text === "-1") return { kind: "standalone" };
  if (!/^\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value === NO_FEDERATED_RECORD) return { kind: "no-record" };
  return value < NO_FEDERATED_RECORD ? { kind: "index", value } : undefined;
}

/** Back in the CLI's own spelling ("715438", "-", "-1", "18446744073709551615"), so messages match what an operator sees. */
export function fedIndexText(f: FedIndex): string {
  switch (f.kind) {
    case "index":
      return f.value.toString();
    case "no-record":
      return NO_FEDERATED_RECORD.toString();
    case "unreachable":
      return "-";
    case "standalone":
      return "-1";
  }
}

/** The real index, or undefined for the special values (which never equal anything). */
export function realIndex(f: FedIndex | undefined): bigint | undefined {
  return f?.kind === "index" ? f.value : undefined;
}

/** JSON.stringify replacer for values holding bigints (FED_INDEX): written as decimal strings, exactly. */
export function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
