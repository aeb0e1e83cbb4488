import { asyncScheduler, isObservable, Observable, Subscription, timer, type MonoTypeOperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import { CloseCode } from '../core/constants';
import { WebSocketError } from '../core/errors';
import type { WebSocketCloseEvent, WebSocketErrorEvent, WebSocketEvent } from '../core/events';
import { retryLimitProblem } from '../core/validation';
import { assertBackoffOptions, backoffDelay, type BackoffOptions } from './backoff';

/**
 * What ended a try: the source's error (a WebSocketError from `connect`; anything else a source
 * throws that is not an object arrives wrapped in an Error) or the close event of a dropped
 * connection. Narrow with `cause instanceof WebSocketError` or `'type' in cause`.
 */
export type ReconnectCause = WebSocketError | WebSocketCloseEvent | Error;

/** Options of `reconnect`. All optional; the defaults behave as IXWebSocket. */
export interface ReconnectOptions extends BackoffOptions {
  /** How many failed tries in a row are retried; one more failure errors the Observable with its cause. Default Infinity. */
  maxRetries?: number;
  /** Whether to try again after `cause`. Default `defaultShouldReconnect`. */
  shouldReconnect?: (cause: ReconnectCause) => boolean;
  /** Where waits are scheduled. Default `asyncScheduler` (virtual inside `TestScheduler.run`). */
  scheduler?: SchedulerLike;
  /**
   * Whether the network is up (`true`) or down (`false`), e.g. a browser's online/offline
   * events. While the last value is false, no try starts: a wait that ends then waits for the
   * network, so tries are not burnt. A `true` during a wait tries at once with the count reset.
   * Default none: always online.
   */
  online$?: Observable<boolean>;
}

/** How many failed tries in a row are retried by default: no limit, as in IXWebSocket. */
export const DEFAULT_MAX_RETRIES = Infinity;

/** WebSocketError codes that no retry can fix: the URL or the options are wrong. */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set(['INVALID_URL', 'UNSUPPORTED_SCHEME', 'INVALID_OPTIONS']);

/**
 * The default policy of `reconnect`. Tries again after every failure except a bad URL or bad
 * options (`INVALID_URL`, `UNSUPPORTED_SCHEME`, `INVALID_OPTIONS`), and after every close
 * except one the local side started on purpose: a local close is retried only with 1011
 * (`keepAlive`'s ping timeout) or 1006 (the connection was lost), while a local 1000 (`stop`,
 * unsubscribing, `socket.close()`), 1002 (`selectProtocol` found no handler) or any other code
 * ends the stream. Every close the peer started is retried.
 *
 * @example
 * // Also stop on HTTP 401 and on the server's close code 4001.
 * reconnect({
 *   shouldReconnect: (cause) =>
 *     defaultShouldReconnect(cause) &&
 *     !(cause instanceof WebSocketError && cause.httpStatus === 401) &&
 *     !('type' in cause && cause.code === 4001),
 * });
 */
export function defaultShouldReconnect(cause: ReconnectCause): boolean {
  if (cause instanceof WebSocketError) return !PERMANENT_ERRORS.has(cause.code);
  if (isCloseEvent(cause) && !cause.remote) {
    return cause.code === CloseCode.INTERNAL_ERROR || cause.code === CloseCode.ABNORMAL;
  }
  return true;
}

/** `thrown` as a ReconnectCause: objects as they are, anything else wrapped in an Error. */
function asCause(thrown: unknown): ReconnectCause {
  return typeof thrown === 'object' && thrown !== null ? (thrown as ReconnectCause) : new Error(String(thrown), { cause: thrown });
}

function isCloseEvent(value: unknown): value is WebSocketCloseEvent {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'close';
}

function describeCause(cause: unknown): { reason: string; httpStatus: number } {
  if (cause instanceof WebSocketError) return { reason: cause.reason, httpStatus: cause.httpStatus };
  if (isCloseEvent(cause)) return { reason: `Connection closed before it opened: ${cause.code} ${cause.reason}`.trim(), httpStatus: 0 };
  if (cause instanceof Error) return { reason: cause.message, httpStatus: 0 };
  return { reason: String(cause), httpStatus: 0 };
}

function assertReconnectOptions(options: ReconnectOptions): void {
  assertBackoffOptions(options);
  const { maxRetries = DEFAULT_MAX_RETRIES, shouldReconnect, online$ } = options;
  if (online$ !== undefined && !isObservable(online$)) throw new TypeError('online$ must be an Observable of booleans (true: online)');
  const retryProblem = retryLimitProblem('maxRetries', maxRetries);
  if (retryProblem !== undefined) throw new RangeError(retryProblem);
  if (shouldReconnect !== undefined && typeof shouldReconnect !== 'function') {
    throw new TypeError('shouldReconnect must be a function (cause) => boolean');
  }
}

const DROPPED_WITHOUT_CLOSE: WebSocketCloseEvent = {
  type: 'close',
  code: CloseCode.ABNORMAL,
  reason: 'Connection ended without a close event',
  remote: true,
  wasClean: false,
};

/**
 * Keeps a connection up, as IXWebSocket does. When the source errors (a failed try), emits an
 * `error` event (`reason`, `retries` from 1, `waitTimeMs`, `httpStatus`, `cause`) and subscribes
 * again after `waitTimeMs` = `backoffDelay(retries, options)`. When the source completes after
 * an `open` (a dropped connection), subscribes again at once. The count resets after each
 * `open`. Past `maxRetries`, or when `shouldReconnect(cause)` says no, the result errors with
 * the cause of a failed try, or completes after a close. Unsubscribing cancels a pending wait.
 * With `online$`, no try starts while the network is down, and its return ends a wait at once.
 *
 * @example
 * connect('ws://127.0.0.1:8008').pipe(
 *   reconnect({ maxWaitMs: 5000, jitter: 'equal' }),
 * ).subscribe((e) => {
 *   if (e.type === 'error') console.log(`try ${e.retries} failed (${e.reason}); next in ${e.waitTimeMs} ms`);
 * });
 */
export function reconnect(options: ReconnectOptions = {}): MonoTypeOperatorFunction<WebSocketEvent> {
  assertReconnectOptions(options);
  return (source) =>
    new Observable<WebSocketEvent>((subscriber) => {
      const run = new ReconnectRun(source, subscriber, options);
      run.watchNetwork();
      run.tryOnce();
      return run.subscriptions;
    });
}

/** One subscription to `reconnect`'s result: the tries, the waits and the count. */
class ReconnectRun {
  /** The current try and the pending wait; unsubscribed on teardown. */
  readonly subscriptions = new Subscription();
  private retries = 0;
  private readonly maxRetries: number;
  private readonly shouldReconnect: (cause: ReconnectCause) => boolean;
  private readonly scheduler: SchedulerLike;
  private online = true;
  /** The wait before the next try (a timer, or parked until online); undefined while a try runs. */
  private wait: Subscription | undefined;
  /** The wait is over but the network is down: try when it comes back. */
  private parked = false;

  constructor(
    private readonly source: Observable<WebSocketEvent>,
    private readonly subscriber: Subscriber<WebSocketEvent>,
    private readonly options: ReconnectOptions,
  ) {
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.shouldReconnect = options.shouldReconnect ?? defaultShouldReconnect;
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Follows `online$`: a `true` during a wait tries at once, with the count reset. */
  watchNetwork(): void {
    const { online$ } = this.options;
    if (online$ === undefined) return;
    this.subscriptions.add(
      online$.subscribe({
        next: (online) => {
          this.online = online;
          if (!online || (this.wait === undefined && !this.parked)) return;
          this.retries = 0;
          this.tryOnce();
        },
        error: (err: unknown) => this.subscriber.error(err),
      }),
    );
  }

  tryOnce(): void {
    this.wait?.unsubscribe();
    this.wait = undefined;
    this.parked = false;
    if (this.subscriber.closed) return;
    if (!this.online) {
      this.parked = true;
      return;
    }
    let opened = false;
    let lastClose: WebSocketCloseEvent | undefined;
    const attempt = this.source.subscribe({
      next: (event) => {
        if (event.type === 'open') {
          opened = true;
          this.retries = 0;
        } else if (event.type === 'close') {
          lastClose = event;
        }
        this.subscriber.next(event);
      },
      error: (err: unknown) => this.onFailure(err),
      complete: () => {
        if (opened) this.onDrop(lastClose ?? DROPPED_WITHOUT_CLOSE);
        else this.onFailure(lastClose ?? new WebSocketError({ code: 'NETWORK_ERROR', reason: 'Connection ended before it opened' }));
      },
    });
    if (!attempt.closed) this.subscriptions.add(attempt);
  }

  private onFailure(cause: unknown): void {
    this.retries += 1;
    if (this.retries > this.maxRetries) {
      this.subscriber.error(cause);
      return;
    }
    const retry = this.allows(cause);
    if (retry === undefined) return;
    if (!retry) {
      this.subscriber.error(cause);
      return;
    }
    const waitTimeMs = backoffDelay(this.retries, this.options);
    const event: WebSocketErrorEvent = { type: 'error', ...describeCause(cause), retries: this.retries, waitTimeMs, cause };
    this.subscriber.next(event);
    this.retryLater(waitTimeMs);
  }

  private onDrop(close: WebSocketCloseEvent): void {
    const retry = this.allows(close);
    if (retry === undefined) return;
    if (!retry) {
      this.subscriber.complete();
      return;
    }
    // Through the scheduler, not recursively: a server that closes every connection at once
    // must not grow the stack.
    this.retryLater(0);
  }

  /** Asks the policy; a policy that throws ends the stream with its error (undefined). */
  private allows(cause: unknown): boolean | undefined {
    try {
      return this.shouldReconnect(asCause(cause));
    } catch (err) {
      this.subscriber.error(err);
      return undefined;
    }
  }

  private retryLater(delayMs: number): void {
    const wait = timer(delayMs, this.scheduler).subscribe(() => this.tryOnce());
    if (wait.closed) return;
    this.wait = wait;
    this.subscriptions.add(wait);
  }
}
