import { asyncScheduler, Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { durationProblem } from '../core/validation';
import { DEFAULT_MAX_IN_FLIGHT, MAX_NAME_LENGTH, MessageError, type Envelope, type ReqEnvelope } from './envelope';

/** Default time a request may take, from `request()` to its ending, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default number of times a request is sent again after its connection died. */
export const DEFAULT_REQUEST_RETRIES = 3;

/** Options of one `request()`. */
export interface RequestOptions {
  /** Time from `request()` to the reply's ending; then it errors with REQUEST_TIMEOUT and is cancelled. Default 30000. */
  timeoutMs?: number;
  /**
   * How many times the request is sent again (same id) when its connection dies before the reply
   * ended; past that it errors with CONNECTION_LOST. Default 3. Only a `WebSocketClient` reconnects.
   */
  retries?: number;
  /** Scheduler of the timeout. Default the client's, or `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** Options of a `Requester`. */
export interface RequesterOptions {
  /** Requests waiting for an ending beyond which `request()` errors with TOO_MANY_REQUESTS. Default 256. */
  maxInFlight?: number;
  /** Defaults for each request. */
  timeoutMs?: number;
  retries?: number;
  scheduler?: SchedulerLike;
}

interface Pending {
  readonly id: number;
  readonly target: string;
  readonly body: unknown;
  readonly subscriber: Subscriber<unknown>;
  /** Reply values received (a re-sent request asks the server to start after them). */
  received: number;
  retriesLeft: number;
  /** The connection it was last sent on (0: not sent yet). */
  sentOn: number;
  /** When it times out, on the requester's scheduler (the shared timer); 0 with a timer of its own. */
  deadline: number;
  /** A timer of its own, for a request given another scheduler. */
  timer: Subscription | undefined;
  readonly timeoutMs: number;
}

const count = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The client side of requests (docs/protocol.md, Requests): ids, timeouts, cancellation,
 * re-sending after a reconnect, and the bound on requests in flight. It sends through the link
 * it is given while a connection is open and is fed the reply envelopes.
 */
export class Requester {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private link: ((envelope: Envelope) => boolean) | undefined;
  private connection = 0;
  private readonly maxInFlight: number;
  private readonly scheduler: SchedulerLike;
  /** One timer for the earliest deadline of all requests on `scheduler`, not one per request. */
  private sweep: Subscription | undefined;
  private sweepAt = 0;

  constructor(private readonly options: RequesterOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /** Requests waiting for their ending. */
  get size(): number {
    return this.pending.size;
  }

  /** A cold Observable of the reply to `target` with `body`: see `WebSocketClient.request`. */
  request<R>(target: string, body?: unknown, options: RequestOptions = {}): Observable<R> {
    return new Observable<R>((subscriber) => {
      const problem = requestProblem(target, options);
      if (problem !== undefined) {
        subscriber.error(new MessageError({ code: 'INVALID_OPTIONS', reason: `request(): ${problem}` }));
        return undefined;
      }
      if (this.pending.size >= this.maxInFlight) {
        subscriber.error(new MessageError({ code: 'TOO_MANY_REQUESTS', reason: `${this.pending.size} requests already wait for a reply (maxInFlight ${this.maxInFlight}); wait for some to end, or raise maxInFlight` }));
        return undefined;
      }
      const id = this.nextId++;
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const own = options.scheduler !== undefined && options.scheduler !== this.scheduler ? options.scheduler : undefined;
      const pending: Pending = {
        id,
        target,
        body,
        subscriber: subscriber as Subscriber<unknown>,
        received: 0,
        retriesLeft: options.retries ?? this.options.retries ?? DEFAULT_REQUEST_RETRIES,
        sentOn: 0,
        deadline: own === undefined ? this.scheduler.now() + timeoutMs : 0,
        timer: undefined,
        timeoutMs,
      };
      this.pending.set(id, pending);
      if (own !== undefined) {
        pending.timer = own.schedule(() => {
          pending.timer = undefined;
          this.timedOut(pending);
        }, timeoutMs);
      } else if (this.sweep === undefined || pending.deadline < this.sweepAt) {
        this.arm(pending.deadline);
      }
      this.send(pending);
      return () => {
        // Unsubscribed before the ending: tell the server to stop.
        if (this.pending.get(id) === pending) this.drop(pending, true);
      };
    });
  }

  /** An id from the session's id space, for a channel subscription (its `err` must not be mistaken for a reply). */
  allocateId(): number {
    return this.nextId++;
  }

  /** A connection opened: `link` sends on it. Requests not sent yet go now; those sent on a dead connection go again while retries remain. */
  opened(link: (envelope: Envelope) => boolean): void {
    this.connection++;
    this.link = link;
    for (const pending of [...this.pending.values()]) {
      if (pending.sentOn !== 0) pending.retriesLeft--;
      this.send(pending);
    }
  }

  /**
   * The connection ended. Requests sent on it with no retry left error with CONNECTION_LOST;
   * the others wait for the next `opened` (or, with `final`, error at once: there will be none).
   */
  closed(reason: string, final = false): void {
    this.link = undefined;
    for (const pending of [...this.pending.values()]) {
      const sent = pending.sentOn !== 0;
      if (final || (sent && pending.retriesLeft <= 0)) {
        const what = sent ? 'before its reply ended' : 'before it could be sent';
        const retry = final ? '' : ', and it has no retries left';
        this.fail(pending, new MessageError({ code: 'CONNECTION_LOST', reason: `Request ${pending.id} to '${pending.target}': ${reason} ${what}${retry}` }), false);
      }
    }
  }

  /** Ends every request with `error` (the client stopped). */
  failAll(error: MessageError): void {
    for (const pending of [...this.pending.values()]) this.fail(pending, error, true);
  }

  /** Feeds a reply envelope; true when it was one (next, res, done, err with an id). */
  receive(envelope: Envelope): boolean {
    switch (envelope.k) {
      case 'next': {
        const pending = this.pending.get(envelope.id);
        // A value numbered below what we have is a replay after a re-send: already delivered.
        if (pending !== undefined && envelope.n >= pending.received) {
          pending.received = envelope.n + 1;
          pending.subscriber.next(envelope.body);
        }
        return true;
      }
      case 'res': {
        const pending = this.pending.get(envelope.id);
        if (pending === undefined) return true;
        const value = envelope.body;
        const first = pending.received === 0;
        this.drop(pending, false);
        if (first) pending.subscriber.next(value);
        pending.subscriber.complete();
        return true;
      }
      case 'done': {
        const pending = this.pending.get(envelope.id);
        if (pending === undefined) return true;
        this.drop(pending, false);
        pending.subscriber.complete();
        return true;
      }
      case 'err': {
        if (envelope.id === undefined) return false;
        const pending = this.pending.get(envelope.id);
        // Not a request of ours: maybe a channel subscription's (the message layer asks its handlers next).
        if (pending === undefined) return false;
        this.fail(pending, new MessageError({ code: envelope.code, reason: envelope.message, data: envelope.data }), false);
        return true;
      }
      default:
        return false;
    }
  }

  private timedOut(pending: Pending): void {
    const { id, target } = pending;
    this.fail(pending, new MessageError({ code: 'REQUEST_TIMEOUT', reason: `No reply to '${target}' (request ${id}) within ${pending.timeoutMs} ms` }), true);
  }

  /** Sets the shared timer for `at` (the earliest deadline). */
  private arm(at: number): void {
    this.sweep?.unsubscribe();
    this.sweepAt = at;
    this.sweep = this.scheduler.schedule(() => {
      this.sweep = undefined;
      this.expire();
    }, Math.max(0, at - this.scheduler.now()));
  }

  /** The shared timer fired: time out what is due, then wait for the next deadline. */
  private expire(): void {
    const now = this.scheduler.now();
    let next = Infinity;
    for (const pending of [...this.pending.values()]) {
      if (pending.deadline === 0) continue;
      if (pending.deadline <= now) this.timedOut(pending);
      else if (pending.deadline < next) next = pending.deadline;
    }
    if (next !== Infinity && this.sweep === undefined) this.arm(next);
  }

  /**
   * The lowest id still waiting (or the next id): every request of this session below it has
   * ended here, so the server may forget them (docs/protocol.md, `acked`).
   */
  private acked(): number {
    for (const id of this.pending.keys()) return id;
    return this.nextId;
  }

  private send(pending: Pending): void {
    if (this.link === undefined) return;
    const acked = this.acked();
    const { id, target, body } = pending;
    // One object per send, with only the fields that apply (docs/protocol.md: `from`, `acked` optional).
    const envelope: ReqEnvelope = { k: 'req', id, target };
    if (body !== undefined) (envelope as { body?: unknown }).body = body;
    if (pending.received > 0) (envelope as { from?: number }).from = pending.received;
    if (acked > 1) (envelope as { acked?: number }).acked = acked;
    let sent: boolean;
    try {
      sent = this.link(envelope);
    } catch (error) {
      // The codec cannot encode the body (a BigInt in JSON…): that request fails, no other.
      this.fail(pending, new MessageError({ code: 'INVALID_ENVELOPE', reason: `request('${pending.target}'): the body cannot be encoded: ${(error as Error).message}`, cause: error }), false);
      return;
    }
    if (sent) pending.sentOn = this.connection;
  }

  private fail(pending: Pending, error: MessageError, cancel: boolean): void {
    if (this.pending.get(pending.id) !== pending) return;
    this.drop(pending, cancel);
    pending.subscriber.error(error);
  }

  /** Forgets `pending` (first, so its teardown sends nothing more), clearing its timer; with `cancel`, tells the server. */
  private drop(pending: Pending, cancel: boolean): void {
    this.pending.delete(pending.id);
    pending.timer?.unsubscribe();
    pending.timer = undefined;
    if (this.pending.size === 0 && this.sweep !== undefined) {
      // Nothing waits: no timer left to keep a process alive.
      this.sweep.unsubscribe();
      this.sweep = undefined;
    }
    if (cancel && pending.sentOn === this.connection && pending.sentOn !== 0 && this.link !== undefined) this.link({ k: 'cancel', id: pending.id });
  }
}

/** Why a request cannot be made, or undefined. */
function requestProblem(target: unknown, options: RequestOptions): string | undefined {
  if (typeof target !== 'string' || target.length < 1 || target.length > MAX_NAME_LENGTH) return `target must be a string of 1 to ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(target)}`;
  const timeoutProblem = options.timeoutMs === undefined ? undefined : durationProblem('timeoutMs', options.timeoutMs);
  if (timeoutProblem !== undefined) return timeoutProblem;
  if (options.retries !== undefined && !count(options.retries)) return `retries must be an integer >= 0, got ${String(options.retries)}`;
  return undefined;
}
