// The server side of requests (docs/protocol.md, Requests and Sessions): running handlers,
// streaming their values, cancelling, and de-duplicating re-sent requests by (session, id).
import { asyncScheduler, isObservable, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import {
  DEFAULT_DEDUP_WINDOW_MS,
  DEFAULT_MAX_BUFFERED_VALUES,
  DEFAULT_MAX_IN_FLIGHT,
  errEnvelope,
  type Envelope,
  type ErrEnvelope,
  type NextEnvelope,
  type ReqEnvelope,
} from './envelope';
import { MessageDedup } from './message-dedup';

/** What a handler is told about the request it answers. */
export interface RequestContext<C> {
  /** The connection the request came on (the first one, for a re-sent request). */
  readonly connection: C;
  readonly target: string;
  readonly id: number;
  /** The client's session, '' when it sent no `hello`. */
  readonly session: string;
}

/**
 * Answers a request: a value, a Promise of one, or an Observable of many (each value is sent as
 * it comes; completion and errors are carried to the client). Throw or fail with an error that
 * has a string `code` (and `data`) to send that code; other errors are HANDLER_FAILED.
 */
export type RequestHandler<C = unknown> = (body: unknown, context: RequestContext<C>) => unknown;

/** Handlers by target name. */
export type RequestHandlers<C = unknown> = Readonly<Record<string, RequestHandler<C>>>;

/**
 * Takes envelope kinds the request layer does not handle itself (`sub`, `unsub`, and kinds of later
 * versions): channels plug in here. `receive` returns true when it handled the envelope.
 */
export interface ServerExtension<C> {
  receive(envelope: Envelope, connection: C, send: (envelope: Envelope) => boolean): boolean;
  /** The connection has closed. */
  closed?(connection: C): void;
}

/** Options of the server's message layer (`messaging` on `serve()`). */
export interface ServerMessagingOptions<C = unknown> {
  /** Handlers by target. Default none (every request is UNKNOWN_TARGET). */
  handlers?: RequestHandlers<C>;
  /** Requests running per connection beyond which a new one gets TOO_MANY_REQUESTS. Default 256. */
  maxInFlight?: number;
  /** Reply values kept per request (client away: BUFFER_OVERFLOW past it; replay after a reconnect). Default 1000. */
  maxBufferedValues?: number;
  /** How long a (session, id) is remembered after its request ended, or kept running with its client away. Default 60000. */
  dedupWindowMs?: number;
  /** Scheduler of the window's timers. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Handlers of other envelope kinds (channels), asked in order. Default none: `sub` is refused with CHANNEL_REFUSED. */
  extensions?: readonly ServerExtension<C>[];
}

/** The connection side a run writes to. */
export interface RunTarget {
  /** Sends an envelope; false when it could not. */
  send(envelope: Envelope): boolean;
  readonly runs: Map<number, Run>;
}

/** One request being (or recently) handled. */
export interface Run {
  readonly id: number;
  readonly session: string;
  target: RunTarget | undefined;
  subscription: Subscription | undefined;
  /** Values emitted so far. */
  count: number;
  /** `next` envelopes kept for a replay (session requests only), numbered from `firstKept`; made on the first value. */
  kept: NextEnvelope[] | undefined;
  firstKept: number;
  /** `count` when the client went away. */
  detachedAt: number;
  ending: Envelope | undefined;
  finished: boolean;
  /** When it is forgotten (scheduler time), 0 while its client is here and it runs. */
  expiresAt: number;
  /** Its neighbours in the runner's list of runs to forget (while `expiresAt` is not 0). */
  older: Run | undefined;
  newer: Run | undefined;
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';

/** Runs handlers for every connection of one server and remembers session requests for the window. */
export class RequestRunner<C> {
  readonly maxInFlight: number;
  readonly dedupWindowMs: number;
  readonly extensions: readonly ServerExtension<C>[];
  /** The `msg` ids each session sent, to take each message once (docs/protocol.md, Messages sent once). */
  readonly messages: MessageDedup;
  private readonly maxBufferedValues: number;
  private readonly handlers: RequestHandlers<C>;
  private readonly scheduler: SchedulerLike;
  private readonly sessions = new Map<string, Map<number, Run>>();
  /**
   * Runs to forget, oldest first: one window for all, so the order they were added is the order
   * they expire. One timer sweeps the list, no timer per request; the list goes through the runs
   * themselves, so a run forgotten sooner (`acked`, a cancel) leaves it at once and is garbage,
   * instead of being held for the whole window.
   */
  private oldest: Run | undefined;
  private newest: Run | undefined;
  private sweep: Subscription | undefined;

  constructor(options: ServerMessagingOptions<C> = {}) {
    const { handlers = {}, maxInFlight = DEFAULT_MAX_IN_FLIGHT, maxBufferedValues = DEFAULT_MAX_BUFFERED_VALUES, dedupWindowMs = DEFAULT_DEDUP_WINDOW_MS } = options;
    for (const [name, value] of [['maxInFlight', maxInFlight], ['maxBufferedValues', maxBufferedValues], ['dedupWindowMs', dedupWindowMs]] as const) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < (name === 'dedupWindowMs' ? 0 : 1)) throw new TypeError(`messaging.${name} must be an integer >= ${name === 'dedupWindowMs' ? 0 : 1}, got ${String(value)}`);
    }
    if (handlers === null || typeof handlers !== 'object') throw new TypeError('messaging.handlers must be an object of functions by target name');
    for (const [name, handler] of Object.entries(handlers)) {
      if (typeof handler !== 'function') throw new TypeError(`messaging.handlers.${name} must be a function (body, context) => value | Promise | Observable`);
    }
    this.handlers = handlers;
    this.maxInFlight = maxInFlight;
    this.maxBufferedValues = maxBufferedValues;
    this.dedupWindowMs = dedupWindowMs;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.extensions = options.extensions ?? [];
    this.messages = new MessageDedup(dedupWindowMs, this.scheduler);
  }

  /** Requests remembered for de-duplication (running or ended within the window). */
  get remembered(): number {
    let n = 0;
    for (const runs of this.sessions.values()) n += runs.size;
    return n;
  }

  /** Stops every handler and forgets every session (the server closed). */
  dispose(): void {
    for (const runs of [...this.sessions.values()]) for (const run of [...runs.values()]) this.forget(run);
    this.sweep?.unsubscribe();
    this.sweep = undefined;
    this.messages.dispose();
  }

  /** Forgets `run` when the window has passed (unless `attach` takes it back first). */
  private expireLater(run: Run): void {
    // Already waiting (its client went away, now it ended): the window starts again.
    if (run.expiresAt !== 0) this.unlink(run);
    run.expiresAt = this.scheduler.now() + this.dedupWindowMs;
    run.older = this.newest;
    if (this.newest === undefined) this.oldest = run;
    else this.newest.newer = run;
    this.newest = run;
    if (this.sweep === undefined) this.armSweep();
  }

  /** Takes `run` out of the list of runs to forget. */
  private unlink(run: Run): void {
    const { older, newer } = run;
    if (older === undefined) this.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.newest = older;
    else newer.older = older;
    run.older = run.newer = undefined;
    run.expiresAt = 0;
  }

  /** Sets the timer for the oldest run (one taken out since makes it fire early: it sets itself again). */
  private armSweep(): void {
    const oldest = this.oldest;
    if (oldest === undefined) return;
    this.sweep = this.scheduler.schedule(() => {
      this.sweep = undefined;
      this.sweepExpired();
    }, Math.max(0, oldest.expiresAt - this.scheduler.now()));
  }

  private sweepExpired(): void {
    const now = this.scheduler.now();
    for (let run = this.oldest; run !== undefined && run.expiresAt <= now; run = this.oldest) this.forget(run);
    this.armSweep();
  }

  /**
   * A session that sends no `acked` (or a hostile one) keeps at most 4 × maxInFlight requests:
   * past that its oldest ended ones are forgotten first.
   */
  private bound(session: string): void {
    const runs = this.sessions.get(session);
    const cap = 4 * this.maxInFlight;
    if (runs === undefined || runs.size <= cap) return;
    for (const run of runs.values()) {
      if (runs.size <= cap) break;
      if (run.finished) this.forget(run);
    }
  }

  /** The client says every request of `session` below `acked` has ended there: forget those. */
  private release(session: string, acked: number): void {
    const runs = this.sessions.get(session);
    if (runs === undefined) return;
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const run of runs.values()) {
      if (run.id >= acked) break; // ids grow in the order they came
      if (run.finished) this.forget(run);
    }
  }

  /** A `req` from `target` (of `session`, '' for none) on `connection`. */
  request(req: ReqEnvelope, target: RunTarget, session: string, connection: C): void {
    if (session !== '' && req.acked !== undefined) this.release(session, req.acked);
    const known = session === '' ? undefined : this.sessions.get(session)?.get(req.id);
    if (known !== undefined) {
      this.attach(known, target, req.from ?? 0);
      return;
    }
    const fail = (code: string, message: string): void => void target.send({ k: 'err', id: req.id, code, message });
    if (target.runs.has(req.id)) return fail('DUPLICATE_ID', `Request id ${req.id} is already running on this connection; ids must be unique per session`);
    if (target.runs.size >= this.maxInFlight) return fail('TOO_MANY_REQUESTS', `${target.runs.size} requests already run on this connection (maxInFlight ${this.maxInFlight}); wait for replies before sending more`);
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, req.target) ? this.handlers[req.target] : undefined;
    if (handler === undefined) {
      const known = Object.keys(this.handlers);
      return fail('UNKNOWN_TARGET', `No handler for target '${req.target}'; ${known.length === 0 ? 'the server has none' : `the server has: ${known.join(', ')}`}`);
    }
    const run: Run = { id: req.id, session, target, subscription: undefined, count: 0, kept: undefined, firstKept: 0, detachedAt: 0, ending: undefined, finished: false, expiresAt: 0, older: undefined, newer: undefined };
    target.runs.set(req.id, run);
    if (session !== '') {
      let runs = this.sessions.get(session);
      if (runs === undefined) this.sessions.set(session, (runs = new Map()));
      runs.set(req.id, run);
    }
    let result: unknown;
    try {
      result = handler(req.body, { connection, target: req.target, id: req.id, session });
    } catch (error) {
      this.end(run, errEnvelope(req.id, error));
      return;
    }
    if (isObservable(result)) {
      const subscription = (result as Observable<unknown>).subscribe({
        next: (body) => this.emit(run, body),
        error: (error: unknown) => this.end(run, errEnvelope(req.id, error)),
        complete: () => this.end(run, { k: 'done', id: req.id }),
      });
      if (!run.finished) run.subscription = subscription;
    } else if (isPromiseLike(result)) {
      result.then(
        (body) => this.end(run, { k: 'res', id: req.id, body }),
        (error: unknown) => this.end(run, errEnvelope(req.id, error)),
      );
    } else {
      this.end(run, { k: 'res', id: req.id, body: result });
    }
  }

  /** A `cancel` for `id` on `target`: stop the handler, send nothing more, forget it. */
  cancel(id: number, target: RunTarget): void {
    const run = target.runs.get(id);
    if (run !== undefined) this.forget(run);
  }

  /** The connection of `target` closed: session requests wait for their client (within the window), the others stop. */
  closed(target: RunTarget): void {
    for (const run of [...target.runs.values()]) {
      target.runs.delete(run.id);
      run.target = undefined;
      if (run.session === '') {
        this.forget(run);
        continue;
      }
      run.detachedAt = run.count;
      this.expireLater(run);
    }
  }

  private emit(run: Run, body: unknown): void {
    if (run.finished) return;
    const envelope: NextEnvelope = { k: 'next', id: run.id, n: run.count++, body };
    if (run.session !== '') {
      const kept = (run.kept ??= []);
      kept.push(envelope);
      // Keeps the last maxBufferedValues or more (up to twice that): one splice per
      // maxBufferedValues values, not a shift per value.
      if (kept.length >= 2 * this.maxBufferedValues) {
        kept.splice(0, this.maxBufferedValues);
        run.firstKept += this.maxBufferedValues;
      }
    }
    if (run.target !== undefined) {
      run.target.send(envelope);
    } else if (run.count - run.detachedAt > this.maxBufferedValues) {
      run.subscription?.unsubscribe();
      this.end(run, { k: 'err', id: run.id, code: 'BUFFER_OVERFLOW', message: `More than ${this.maxBufferedValues} reply values waited for the client to come back (maxBufferedValues); the request was stopped` });
    }
  }

  private end(run: Run, ending: Envelope): void {
    if (run.finished) return;
    run.finished = true;
    run.ending = ending;
    run.subscription = undefined;
    const target = run.target;
    if (target !== undefined) {
      target.runs.delete(run.id);
      target.send(ending);
    }
    if (run.session === '') return;
    this.expireLater(run);
    this.bound(run.session);
  }

  /** A re-sent request of a known (session, id): no new run; its reply continues on `target`. */
  private attach(run: Run, target: RunTarget, from: number): void {
    if (run.target !== undefined && run.target !== target) run.target.runs.delete(run.id);
    if (from < run.firstKept && from < run.count) {
      const lost: ErrEnvelope = { k: 'err', id: run.id, code: 'REPLAY_LOST', message: `Reply values ${from} to ${run.firstKept - 1} are no longer kept (maxBufferedValues ${this.maxBufferedValues}); send a new request` };
      if (!run.finished) this.forget(run);
      target.send(lost);
      return;
    }
    for (const envelope of run.kept ?? []) if (envelope.n >= from) target.send(envelope);
    if (run.finished) {
      if (run.ending !== undefined) target.send(run.ending);
      return;
    }
    if (run.expiresAt !== 0) this.unlink(run);
    run.target = target;
    target.runs.set(run.id, run);
  }

  /** Stops `run`'s handler and forgets it. */
  private forget(run: Run): void {
    run.finished = true;
    run.subscription?.unsubscribe();
    run.subscription = undefined;
    if (run.expiresAt !== 0) this.unlink(run);
    run.target?.runs.delete(run.id);
    run.target = undefined;
    const runs = this.sessions.get(run.session);
    if (runs?.get(run.id) === run) {
      runs.delete(run.id);
      if (runs.size === 0) this.sessions.delete(run.session);
    }
  }
}
