// The server side of messages sent once (docs/protocol.md, Messages sent once): a client numbers
// its `msg`s 1, 2, 3 … per session and sends the unacknowledged ones again after a reconnect, so
// a server that remembers the highest id it took per session knows every repeat. One number per
// session, kept while the session has a connection and `dedupWindowMs` after its last one closed.
import type { SchedulerLike, Subscription } from 'rxjs';

interface SessionMessages {
  /** The highest msg id taken. */
  last: number;
  connections: number;
  /** When it is forgotten (scheduler time); 0 while connected. */
  expiresAt: number;
}

/** Which `msg` ids of each session were taken already. */
export class MessageDedup {
  private readonly sessions = new Map<string, SessionMessages>();
  /** Sessions to forget, in the order they expire (one window for all), swept by one timer. */
  private readonly expiries: Array<{ session: SessionMessages; name: string; at: number }> = [];
  private head = 0;
  private sweep: Subscription | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** How many sessions are remembered. */
  get size(): number {
    return this.sessions.size;
  }

  /** A connection of `session` said hello. */
  attached(name: string): void {
    let session = this.sessions.get(name);
    if (session === undefined) this.sessions.set(name, (session = { last: 0, connections: 0, expiresAt: 0 }));
    session.connections++;
    session.expiresAt = 0;
  }

  /** That connection closed: the session is forgotten a window after its last one. */
  detached(name: string): void {
    const session = this.sessions.get(name);
    if (session === undefined || --session.connections > 0) return;
    const at = this.scheduler.now() + this.windowMs;
    session.expiresAt = at;
    this.expiries.push({ session, name, at });
    this.sweep ??= this.arm();
  }

  /** True when msg `id` of `session` is new (deliver it); false when it was taken before (a repeat). */
  accept(name: string, id: number): boolean {
    const session = this.sessions.get(name);
    if (session === undefined) return true;
    if (id <= session.last) return false;
    session.last = id;
    return true;
  }

  /** Forgets everything (the server closed). */
  dispose(): void {
    this.sweep?.unsubscribe();
    this.sweep = undefined;
    this.sessions.clear();
    this.expiries.length = this.head = 0;
  }

  private arm(): Subscription | undefined {
    const next = this.expiries[this.head];
    if (next === undefined) return undefined;
    return this.scheduler.schedule(() => {
      this.sweep = undefined;
      const now = this.scheduler.now();
      while (this.head < this.expiries.length && this.expiries[this.head].at <= now) {
        const { session, name, at } = this.expiries[this.head++];
        // A session that came back (or expired again later) has another expiresAt.
        if (session.expiresAt === at && this.sessions.get(name) === session) this.sessions.delete(name);
      }
      if (this.head === this.expiries.length) this.expiries.length = this.head = 0;
      else if (this.head > 1024 && this.head * 2 > this.expiries.length) this.expiries.splice(0, this.head), (this.head = 0);
      this.sweep = this.arm();
    }, Math.max(0, next.at - this.scheduler.now()));
  }
}
