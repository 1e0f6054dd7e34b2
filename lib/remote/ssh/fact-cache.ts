/**
 * What one machine answered to a read whose answer nothing but this run's own actions changes
 * (docs/round-trips.md, "Facts kept between steps"): the warm runner keeps it for every step that
 * asks again, until an action of the run on that machine that can change it. Which reads qualify,
 * and which facts an action can change, is the OpenNebula adapter's decision (`RemoteCommand.fact`,
 * `RemoteCommand.changes`); this is only the memory and its invalidation.
 *
 * An answer is kept only when no action that can change it ran on the machine at any moment between
 * the read's start and its end: such an action invalidates when it starts and again when it ends (its
 * effect may land at any moment in between, and a failed or cut action may have changed the machine
 * all the same).
 */
import { CommandResult } from "./command-result";

/**
 * What a fact is about, i.e. which actions can change it: `packages` (installed versions, unit
 * files, the package tools: what package installs change), `configuration` (oned.conf,
 * monitord.conf: what configuration edits change).
 */
export type FactKind = "packages" | "configuration";

/** Every kind: what an action forgets unless it says otherwise. */
export const FACT_KINDS: readonly FactKind[] = ["packages", "configuration"];

interface Kept {
  readonly result: Promise<CommandResult>;
  /** Absent: a fact of no declared kind, forgotten by every action. */
  readonly kind?: FactKind;
}

export class FactCache {
  private readonly entries = new Map<string, Kept>();
  /** Bumped at the start and end of each action that changes the kind: a read that saw it change keeps nothing. */
  private readonly generation: Record<FactKind, number> = { packages: 0, configuration: 0 };
  private readonly running: Record<FactKind, number> = { packages: 0, configuration: 0 };
  private hitCount = 0;

  /** Reads answered from memory so far (each one remote command not sent). */
  get hits(): number {
    return this.hitCount;
  }

  /**
   * The kept answer of `key`, else `live()`'s, kept when it succeeds and no action that changes
   * `kind` (every action, when no kind is given) overlapped it. Concurrent askers of one key share
   * one read. `cached` says which it was.
   */
  read(key: string, live: () => Promise<CommandResult>, kind?: FactKind): { readonly result: Promise<CommandResult>; readonly cached: boolean } {
    const kept = this.entries.get(key);
    if (kept) {
      this.hitCount++;
      return { result: kept.result, cached: true };
    }
    const result = live();
    const kinds = kind ? [kind] : FACT_KINDS;
    if (kinds.every((k) => this.running[k] === 0)) {
      const seen = kinds.map((k) => this.generation[k]);
      this.entries.set(key, kind ? { result, kind } : { result });
      const forget = () => {
        if (this.entries.get(key)?.result === result) this.entries.delete(key);
      };
      // A failed read is not kept; one that an action overlapped was dropped when the action started.
      result.then(() => kinds.some((k, i) => this.generation[k] !== seen[i]) && forget(), forget);
    }
    return { result, cached: false };
  }

  /**
   * Runs an action on the machine: every kept answer of the kinds it `changes` (@default every kind)
   * is forgotten before it starts and after it ends. An action that changes no kind keeps them all.
   */
  async action<T>(run: () => Promise<T>, changes: readonly FactKind[] = FACT_KINDS): Promise<T> {
    if (changes.length === 0) return run();
    this.forget(changes);
    for (const k of changes) this.running[k]++;
    try {
      return await run();
    } finally {
      for (const k of changes) this.running[k]--;
      this.forget(changes);
    }
  }

  private forget(kinds: readonly FactKind[]): void {
    for (const [key, kept] of this.entries) if (kept.kind === undefined || kinds.includes(kept.kind)) this.entries.delete(key);
    for (const k of kinds) this.generation[k]++;
  }
}

/** One route's view of a machine's fact cache (what a Transport carries). */
export type MachineFacts = Pick<FactCache, "read" | "action">;
