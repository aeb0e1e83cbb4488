import { DestroyRef, DOCUMENT, inject, Injectable, InjectionToken } from '@angular/core';
import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  EMPTY,
  filter,
  map,
  merge,
  scan,
  share,
  startWith,
  switchMap,
  type Observable,
} from 'rxjs';
import { connect, keepAlive, reconnect, type WebSocketEvent, type WebSocketTextMessageEvent } from 'rxws';

/** Where the feed connects and how it keeps the connection alive. */
export interface LiveFeedConfig {
  /** The WebSocket URL. */
  url: string;
  /** A heartbeat goes out this often; no answer within the same time closes and reconnects. Default 5000. */
  keepAliveMs?: number;
  /** The longest wait between reconnect tries, in ms. Default 2000. */
  maxWaitMs?: number;
  /** How many of the latest messages `messages$` keeps. Default 20. */
  maxMessages?: number;
}

/** The feed's connection settings. Default: `ws(s)://<this page's host>/feed`. */
export const LIVE_FEED_CONFIG = new InjectionToken<LiveFeedConfig>('LIVE_FEED_CONFIG', {
  providedIn: 'root',
  factory: () => ({ url: feedUrlFor(inject(DOCUMENT).location) }),
});

/** How the feed opens a connection: rxws's `connect` by default; tests provide `fakeConnect` from 'rxws/testing'. */
export const LIVE_FEED_CONNECT = new InjectionToken<(url: string) => Observable<WebSocketEvent>>('LIVE_FEED_CONNECT', {
  providedIn: 'root',
  factory: () => (url: string) => connect(url),
});

/** What the feed's connection is doing, for a status line. */
export type ConnectionState =
  | { readonly status: 'stopped' }
  | { readonly status: 'connecting' }
  | { readonly status: 'open'; readonly url: string }
  /** Lost or refused: `retries` failed tries so far, the next one in `waitTimeMs`. */
  | { readonly status: 'reconnecting'; readonly retries: number; readonly waitTimeMs: number; readonly reason: string };

const STOPPED: ConnectionState = { status: 'stopped' };
const CONNECTING: ConnectionState = { status: 'connecting' };
const DEFAULT_KEEP_ALIVE_MS = 5_000;
const DEFAULT_MAX_WAIT_MS = 2_000;
const DEFAULT_MAX_MESSAGES = 20;
/** Sent when the browser cannot send ping frames; any message received then counts as the answer (the feed's own do). */
export const HEARTBEAT = 'heartbeat';

/**
 * The live feed: one WebSocket connection shared by every subscriber, reconnecting with
 * backoff and kept alive by a heartbeat. `start()` connects, `stop()` closes; the streams
 * stay subscribed across both.
 *
 * @example
 * const feed = inject(LiveFeedService);
 * feed.start();
 * const state = toSignal(feed.state$, { requireSync: true });
 * const messages = toSignal(feed.messages$, { initialValue: [] });
 */
@Injectable({ providedIn: 'root' })
export class LiveFeedService {
  private readonly config = inject(LIVE_FEED_CONFIG);
  private readonly open = inject(LIVE_FEED_CONNECT);
  private readonly running = new BehaviorSubject(false);

  /** Every event of the current connection (after reconnect and keepAlive); nothing while stopped. */
  readonly events$: Observable<WebSocketEvent> = this.running.pipe(
    distinctUntilChanged(),
    switchMap((isRunning) => (isRunning ? this.connection$() : EMPTY)),
    share(),
  );

  /** The connection's state; emits the current one at once (usable with `toSignal(…, { requireSync: true })`). */
  readonly state$: Observable<ConnectionState> = merge(
    this.running.pipe(distinctUntilChanged(), map((isRunning) => (isRunning ? CONNECTING : STOPPED))),
    this.events$.pipe(map(stateAfter), filter((state): state is ConnectionState => state !== undefined)),
  );

  /** The latest text messages, newest last. */
  readonly messages$: Observable<readonly string[]> = this.events$.pipe(
    filter((e): e is WebSocketTextMessageEvent => e.type === 'message' && !e.binary),
    scan((kept: readonly string[], e) => [...kept, e.data].slice(-(this.config.maxMessages ?? DEFAULT_MAX_MESSAGES)), []),
    startWith([] as readonly string[]),
  );

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  /** Connects (and keeps reconnecting) until `stop()`. */
  start(): void {
    this.running.next(true);
  }

  /** Closes the connection (code 1000) and stops reconnecting. */
  stop(): void {
    this.running.next(false);
  }

  private connection$(): Observable<WebSocketEvent> {
    const { url, keepAliveMs = DEFAULT_KEEP_ALIVE_MS, maxWaitMs = DEFAULT_MAX_WAIT_MS } = this.config;
    return defer(() => this.open(url)).pipe(
      keepAlive({ intervalMs: keepAliveMs, heartbeat: HEARTBEAT }),
      reconnect({ maxWaitMs }),
    );
  }
}

/** The state an event leads to; undefined for events that change nothing (messages, pings). */
export function stateAfter(event: WebSocketEvent): ConnectionState | undefined {
  switch (event.type) {
    case 'open':
      return { status: 'open', url: event.url };
    case 'close':
      return { status: 'reconnecting', retries: 0, waitTimeMs: 0, reason: `closed with ${event.code}` };
    case 'error':
      return { status: 'reconnecting', retries: event.retries, waitTimeMs: event.waitTimeMs, reason: event.reason };
    default:
      return undefined;
  }
}

/** `ws://host/feed` for an http page, `wss://host/feed` for an https one. */
export function feedUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/feed`;
}
