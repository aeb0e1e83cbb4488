// Drives one rxws client connection step by step: subscribe, then take the events one kind at a time.
import type { Observable, Subscription } from 'rxjs';
import {
  connect,
  type ConnectOptions,
  type WebSocketCloseEvent,
  type WebSocketEvent,
  type WebSocketMessageEvent,
  type WebSocketOpenEvent,
} from 'rxws';

const DEFAULT_WAIT_MS = 15_000;

type EventOf<T extends WebSocketEvent['type']> = Extract<WebSocketEvent, { type: T }>;

/** Queues the events of one subscription so a test can await them in order of interest. */
export class EventQueue {
  private readonly events: WebSocketEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private ended: { error?: unknown } | undefined;
  readonly subscription: Subscription;

  constructor(source: Observable<WebSocketEvent>) {
    const wake = (): void => {
      for (const waiter of this.waiters) waiter();
    };
    this.subscription = source.subscribe({
      next: (event) => {
        this.events.push(event);
        wake();
      },
      error: (error: unknown) => {
        this.ended = { error };
        wake();
      },
      complete: () => {
        this.ended = {};
        wake();
      },
    });
  }

  /** Takes (removes) the first queued event of `type`, waiting up to `timeoutMs`. */
  take<T extends WebSocketEvent['type']>(type: T, timeoutMs = DEFAULT_WAIT_MS): Promise<EventOf<T>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const index = this.events.findIndex((e) => e.type === type);
        if (index >= 0) {
          done();
          resolve(this.events.splice(index, 1)[0] as EventOf<T>);
        } else if (this.ended !== undefined) {
          done();
          const how = 'error' in this.ended ? `errored: ${String(this.ended.error)}` : 'completed';
          reject(new Error(`the connection ${how} before a '${type}' event`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no '${type}' event within ${timeoutMs} ms (queued: ${this.events.map((e) => e.type).join(', ') || 'none'})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The error the connection ended with, if any. */
  get error(): unknown {
    return this.ended?.error;
  }

  message(timeoutMs?: number): Promise<WebSocketMessageEvent> {
    return this.take('message', timeoutMs);
  }

  close(timeoutMs?: number): Promise<WebSocketCloseEvent> {
    return this.take('close', timeoutMs);
  }

  unsubscribe(): void {
    this.subscription.unsubscribe();
  }
}

/** Connects with rxws and waits for `open`. */
export async function openClient(url: string, options: ConnectOptions = {}): Promise<{ queue: EventQueue; open: WebSocketOpenEvent }> {
  const queue = new EventQueue(connect(url, options));
  try {
    return { queue, open: await queue.take('open') };
  } catch (err) {
    queue.unsubscribe();
    // A failed handshake: hand back rxws's own WebSocketError.
    throw queue.error ?? err;
  }
}

/** A text message's data, or a clear failure when the message is binary. */
export function textOf(event: WebSocketMessageEvent): string {
  if (event.binary) throw new Error(`expected a text message, got ${event.data.byteLength} binary bytes`);
  return event.data;
}

/** A binary message's data, or a clear failure when the message is text. */
export function bytesOf(event: WebSocketMessageEvent): Uint8Array {
  if (!event.binary) throw new Error(`expected a binary message, got text '${event.data.slice(0, 40)}'`);
  return event.data;
}
