/**
 * SSH connections shared by every step of a warm runner: one per machine (and login route),
 * opened on first use, reused while it stands, and opened again when its link died (keepalive
 * unanswered, reset): the next command of any step reconnects, with the same host-key check.
 */
import { SshSession } from "./ssh-session";
import { FactCache } from "./fact-cache";

export class SessionPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();
  private readonly factCaches = new Map<string, FactCache>();
  private opened = 0;

  /** Connections opened so far (each one SSH handshake), reconnections included. */
  get handshakes(): number {
    return this.opened;
  }

  /** The standing session under `key`, or a new one from `open` when there is none or it died. */
  async get(key: string, open: () => Promise<SshSession>): Promise<SshSession> {
    const current = this.sessions.get(key);
    if (current) {
      const session = await current.catch(() => undefined);
      if (session?.alive) return session;
      // Another caller may have replaced a dead one meanwhile: use theirs.
      if (this.sessions.get(key) !== current) return this.get(key, open);
      this.sessions.delete(key);
      session?.close();
    }
    const opening = open();
    this.opened++;
    this.sessions.set(key, opening);
    // A failed opening is not kept: the next step tries again (and reports its own failure).
    opening.catch(() => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    });
    return opening;
  }

  /**
   * The fact cache of the machine at `address` (host:port) for the pool's life, whatever route
   * reaches it: an action through any route forgets what any route read there. It outlives a
   * reconnection (a dead link changes nothing on the machine; an action cut with it invalidated).
   */
  facts(address: string): FactCache {
    let cache = this.factCaches.get(address);
    if (!cache) this.factCaches.set(address, (cache = new FactCache()));
    return cache;
  }

  /** Reads answered from the fact caches so far (remote commands not sent). */
  get factHits(): number {
    return [...this.factCaches.values()].reduce((n, c) => n + c.hits, 0);
  }

  /** Closes every connection (the runner is ending). */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((session) => session.close()).catch(() => undefined)));
  }
}
