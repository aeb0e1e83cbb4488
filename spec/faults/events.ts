// Waiting for events of a hot stream (WebSocketClient.events$, a server connection) in tests.
import type { Observable } from 'rxjs';
import type { WebSocketEvent } from 'rxws';

/** Records every event of a hot stream and resolves waits for the n-th event of a type. */
export class EventLog {
  readonly events: WebSocketEvent[] = [];
  private readonly waits: Array<{ type: WebSocketEvent['type']; n: number; resolve: (e: WebSocketEvent) => void }> = [];
  private readonly subscription;

  constructor(events$: Observable<WebSocketEvent>) {
    this.subscription = events$.subscribe((e) => {
      this.events.push(e);
      for (const w of [...this.waits]) {
        const match = this.ofType(w.type)[w.n - 1];
        if (match) {
          this.waits.splice(this.waits.indexOf(w), 1);
          w.resolve(match);
        }
      }
    });
  }

  ofType<T extends WebSocketEvent['type']>(type: T): Array<Extract<WebSocketEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<WebSocketEvent, { type: T }> => e.type === type);
  }

  /** The n-th event of `type` (counted from 1), once it has happened. Rejects after `timeoutMs`. */
  nth<T extends WebSocketEvent['type']>(type: T, n: number, timeoutMs = 10_000): Promise<Extract<WebSocketEvent, { type: T }>> {
    const seen = this.ofType(type)[n - 1];
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event #${n} within ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(',')}`)), timeoutMs);
      this.waits.push({ type, n, resolve: (e) => {
        clearTimeout(timer);
        resolve(e as Extract<WebSocketEvent, { type: T }>);
      } });
    });
  }

  dispose(): void {
    this.subscription.unsubscribe();
  }
}

/** Polls a condition on each timer turn, for at most `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
