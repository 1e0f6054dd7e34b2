/**
 * What one machine answered to a read whose answer nothing but this run's own actions changes
 * (docs/round-trips.md, "Facts kept between steps"): the warm runner keeps it for every step that
 * asks again, until any action of the run on that machine. Which reads qualify is the OpenNebula
 * adapter's decision (`RemoteCommand.fact`); this is only the memory and its invalidation.
 *
 * An answer is kept only when no action ran on the machine at any moment between the read's start
 * and its end: an action invalidates when it starts and again when it ends (its effect may land at
 * any moment in between, and a failed or cut action may have changed the machine all the same).
 */
import { CommandResult } from "./command-result";

export class FactCache {
  private readonly entries = new Map<string, Promise<CommandResult>>();
  /** Bumped at each action's start and end: a read that saw it change keeps nothing. */
  private generation = 0;
  private actionsRunning = 0;
  private hitCount = 0;

  /** Reads answered from memory so far (each one remote command not sent). */
  get hits(): number {
    return this.hitCount;
  }

  /**
   * The kept answer of `key`, else `live()`'s, kept when it succeeds and no action overlapped it.
   * Concurrent askers of one key share one read. `cached` says which it was.
   */
  read(key: string, live: () => Promise<CommandResult>): { readonly result: Promise<CommandResult>; readonly cached: boolean } {
    const kept = this.entries.get(key);
    if (kept) {
      this.hitCount++;
      return { result: kept, cached: true };
    }
    const result = live();
    if (this.actionsRunning === 0) {
      const generation = this.generation;
      this.entries.set(key, result);
      const forget = () => {
        if (this.entries.get(key) === result) this.entries.delete(key);
      };
      // A failed read is not kept; one that an action overlapped was dropped when the action started.
      result.then(() => this.generation !== generation && forget(), forget);
    }
    return { result, cached: false };
  }

  /** Runs an action on the machine: every kept answer is forgotten before it starts and after it ends. */
  async action<T>(run: () => Promise<T>): Promise<T> {
    this.forgetAll();
    this.actionsRunning++;
    try {
      return await run();
    } finally {
      this.actionsRunning--;
      this.forgetAll();
    }
  }

  private forgetAll(): void {
    this.entries.clear();
    this.generation++;
  }
}

/** One route's view of a machine's fact cache (what a Transport carries). */
export type MachineFacts = Pick<FactCache, "read" | "action">;
