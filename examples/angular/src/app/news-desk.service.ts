import { DestroyRef, DOCUMENT, inject, Injectable, InjectionToken } from '@angular/core';
import { scan, startWith, type Observable } from 'rxjs';
import { connect, json, WebSocketClient, type ConnectFunction, type ConnectionState } from 'rxws';

/** A headline published on the desk's `headlines` channel. */
export interface Headline {
  readonly id: number;
  readonly title: string;
}

/** Where the desk connects. */
export interface NewsDeskConfig {
  /** The WebSocket URL of an rxws server with `codec: json()`, `messaging` and `channels()`. */
  url: string;
  /** The longest wait between reconnect tries, in ms. Default 2000. */
  maxWaitMs?: number;
  /** How many of the latest headlines `headlines$` keeps. Default 5. */
  maxHeadlines?: number;
}

/**
 * The desk's settings. Default: `ws(s)://<this page's host>/desk`, or the URL in the page's
 * `?desk=` query parameter (a desk served elsewhere).
 */
export const NEWS_DESK_CONFIG = new InjectionToken<NewsDeskConfig>('NEWS_DESK_CONFIG', {
  providedIn: 'root',
  factory: () => ({ url: deskUrlFor(inject(DOCUMENT).location) }),
});

/** How the desk opens a connection: rxws's `connect` by default; tests provide `fakeConnect` from 'rxws/testing'. */
export const NEWS_DESK_CONNECT = new InjectionToken<ConnectFunction>('NEWS_DESK_CONNECT', {
  providedIn: 'root',
  factory: () => connect,
});

const DEFAULT_MAX_WAIT_MS = 2_000;
const DEFAULT_MAX_HEADLINES = 5;

/**
 * The news desk, on rxws's `WebSocketClient`: the client's own `state$` for the status line, a
 * channel that subscribes again by itself after every reconnect, and a request whose reply is a
 * stream of values from the server. `start()` connects, `stop()` closes.
 *
 * @example
 * const desk = inject(NewsDeskService);
 * desk.start();
 * const state = toSignal(desk.state$, { requireSync: true });
 * const headlines = toSignal(desk.headlines$, { initialValue: [] });
 * desk.countdown(3).subscribe((n) => console.log(n)); // 3, 2, 1, streamed by the server
 */
@Injectable({ providedIn: 'root' })
export class NewsDeskService {
  private readonly config = inject(NEWS_DESK_CONFIG);
  private readonly client = new WebSocketClient({
    url: this.config.url,
    connect: inject(NEWS_DESK_CONNECT),
    codec: json(),
    messaging: true,
    reconnect: { maxWaitMs: this.config.maxWaitMs ?? DEFAULT_MAX_WAIT_MS },
  });

  /** The connection's state (`connecting`, `open`, `reconnecting` with retries and the wait, `closed`); replays the current one. */
  readonly state$: Observable<ConnectionState> = this.client.state$;

  /** The latest headlines, newest last; the channel is subscribed while someone listens, across reconnects. */
  readonly headlines$: Observable<readonly Headline[]> = this.client.channel<Headline>('headlines').pipe(
    scan((kept: readonly Headline[], h) => [...kept, h].slice(-(this.config.maxHeadlines ?? DEFAULT_MAX_HEADLINES)), []),
    startWith([] as readonly Headline[]),
  );

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  /** A countdown from `from` to 1, each value streamed by the server's `countdown` handler; unsubscribing stops it there. */
  countdown(from: number): Observable<number> {
    return this.client.request<number>('countdown', { from }, { timeoutMs: 10_000 });
  }

  /** Connects (and keeps reconnecting) until `stop()`. */
  start(): void {
    this.client.start();
  }

  /** Closes the connection (code 1000) and stops reconnecting. */
  stop(): void {
    this.client.stop();
  }
}

/** The `?desk=` URL of the page when it has one, else `ws://host/desk` (`wss://` on an https page). */
export function deskUrlFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const named = new URLSearchParams(location.search).get('desk');
  if (named) return named;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/desk`;
}
