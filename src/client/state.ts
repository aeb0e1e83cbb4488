// WebSocketClient's connection state: one value a template can bind to, replayed to late subscribers.
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import type { WebSocketCloseEvent, WebSocketErrorEvent } from '../core/events';

/**
 * Where a `WebSocketClient` stands. `connecting`: the first try after `start()` is under way.
 * `open`: connected. `reconnecting`: the connection dropped or a try failed; the next try comes
 * after `nextTryInMs` (0: it is under way). `closed`: not started, stopped, or the reconnect
 * policy gave up (then `lastError` says why).
 */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What ended the last try or connection. */
export interface ConnectionProblem {
  /** For people: the failure's reason, or the close code and reason of a dropped connection. */
  readonly reason: string;
  /** The server's HTTP status when it refused the upgrade; else 0. */
  readonly httpStatus: number;
  /** The close code when a connection closed; else 0. */
  readonly closeCode: number;
}

/** One value of `WebSocketClient.state$`. */
export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Failed tries in a row (the `retries` of the last `error` event); 0 once open. */
  readonly retries: number;
  /**
   * While `reconnecting`: the wait before the next try, in ms, as scheduled when the try
   * failed (count it down in the view if needed); 0 while a try is under way. 0 otherwise.
   */
  readonly nextTryInMs: number;
  /** What ended the last try or connection; undefined after `start()` and once open. */
  readonly lastError: ConnectionProblem | undefined;
  /** The negotiated subprotocol while open ('' when none, and when not open). */
  readonly protocol: string;
}

/** The state of a client that has not started. */
const INITIAL_CONNECTION_STATE: ConnectionState = { status: 'closed', retries: 0, nextTryInMs: 0, lastError: undefined, protocol: '' };

const sameState = (a: ConnectionState, b: ConnectionState): boolean =>
  a.status === b.status && a.retries === b.retries && a.nextTryInMs === b.nextTryInMs && a.lastError === b.lastError && a.protocol === b.protocol;

/** Describes a close event as a ConnectionProblem. */
export function closeProblem(close: WebSocketCloseEvent): ConnectionProblem {
  return { reason: `Connection closed: ${close.code}${close.reason ? ` ${close.reason}` : ''}`, httpStatus: 0, closeCode: close.code };
}

/** Describes a failed try (a reconnect `error` event) as a ConnectionProblem. */
export function errorProblem(error: Pick<WebSocketErrorEvent, 'reason' | 'httpStatus'>): ConnectionProblem {
  return { reason: error.reason, httpStatus: error.httpStatus, closeCode: 0 };
}

/**
 * Holds the current ConnectionState and emits each change once. The transitions are methods
 * named after what happened, so the client only reports facts.
 */
export class ConnectionStateStore {
  private readonly subject = new BehaviorSubject<ConnectionState>(INITIAL_CONNECTION_STATE);
  /** The current state first, then every change. */
  readonly state$: Observable<ConnectionState> = this.subject.pipe(distinctUntilChanged(sameState));

  get value(): ConnectionState {
    return this.subject.value;
  }

  started(): void {
    this.set({ status: 'connecting', retries: 0, nextTryInMs: 0, lastError: undefined, protocol: '' });
  }

  /** A try begins: a wait is over. */
  trying(): void {
    const current = this.value;
    if (current.status === 'reconnecting') this.set({ ...current, nextTryInMs: 0 });
  }

  opened(protocol: string): void {
    this.set({ status: 'open', retries: 0, nextTryInMs: 0, lastError: undefined, protocol });
  }

  /** The reconnect policy will try again after a dropped connection. */
  dropped(close: WebSocketCloseEvent): void {
    this.set({ status: 'reconnecting', retries: 0, nextTryInMs: 0, lastError: closeProblem(close), protocol: '' });
  }

  /** A try failed and the next one comes after `error.waitTimeMs`. */
  failed(error: WebSocketErrorEvent): void {
    this.set({ status: 'reconnecting', retries: error.retries, nextTryInMs: error.waitTimeMs, lastError: errorProblem(error), protocol: '' });
  }

  /** Stopped, or the policy gave up (with the problem that ended it, if any). */
  closed(problem?: ConnectionProblem, retries = this.value.retries): void {
    this.set({ status: 'closed', retries, nextTryInMs: 0, lastError: problem ?? (this.value.status === 'closed' ? this.value.lastError : undefined), protocol: '' });
  }

  private set(next: ConnectionState): void {
    this.subject.next(next);
  }
}
