/**
 * A counting semaphore for the channels of one SSH connection: at most `limit` open at once, the
 * others wait in order. sshd refuses a channel beyond its MaxSessions instead of queueing it.
 */
export class ChannelSlots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** Channels open at once. */
    public readonly limit: number,
  ) {}

  /** Channels open now. */
  get busy(): number {
    return this.inUse;
  }

  /** Channels waiting for a free slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the slot's release (idempotent) once a slot is free. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.inUse++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.inUse--;
          this.waiting.shift()?.();
        });
      };
      if (this.inUse < this.limit) grant();
      else this.waiting.push(grant);
    });
  }
}
