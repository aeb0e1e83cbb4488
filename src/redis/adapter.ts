import { randomBytes } from 'node:crypto';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { ClientClosedError, ClientOfflineError, createClient, TimeoutError } from 'redis';
import { backoffDelay } from '../operators/backoff';
import type { AdapterHost, AdapterMessage, BroadcastAdapter } from '../server/adapter';
import { decodeEnvelope, encodeEnvelope, INSTANCE_ID_BYTES, isFrom } from './codec';
import { RedisAdapterError, redisAddress } from './errors';
import { DEFAULT_CHANNEL, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_REDIS_URL, validateRedisAdapterOptions, type RedisAdapterOptions, type RedisReconnectOptions } from './options';

type RedisClient = ReturnType<typeof createClient>;

/**
 * Where the adapter stands: `'connecting'` (the first time), `'ready'` (publishing and
 * subscribing work), `'reconnecting'` (a connection was lost; broadcasts stay local and report
 * failures), `'closed'` (closed, or the reconnect policy gave up).
 */
export type RedisAdapterStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** node-redis's `socket.reconnectStrategy`: a wait in ms, or an Error to give up. */
export type ReconnectStrategy = (retries: number, cause: Error) => number | Error;

/**
 * rxws's reconnect policy in node-redis's terms: after the n-th failed try in a row (node-redis
 * counts from 0) wait `backoffDelay(n, options)`; past `maxRetries` give up.
 *
 * @example
 * const strategy = redisReconnectStrategy({ maxWaitMs: 2000, maxRetries: 10 });
 * strategy(0, cause); // 100
 * strategy(10, cause); // Error: gave up
 */
export function redisReconnectStrategy(options: RedisReconnectOptions = {}): ReconnectStrategy {
  const { maxRetries = Infinity, ...backoff } = options;
  return (retries, cause) => {
    const failures = retries + 1;
    if (failures > maxRetries) return new Error(`gave up after ${maxRetries} retries: ${cause.message}`);
    return backoffDelay(failures, backoff);
  };
}

/** A BroadcastAdapter over Redis pub/sub, with what it adds (see `redisAdapter`). */
export interface RedisAdapter extends BroadcastAdapter {
  /** This instance's id (hex), carried by each broadcast it publishes. */
  readonly instanceId: string;
  /** The Redis channel broadcasts travel on. */
  readonly channel: string;
  /** Resolves once publishing and subscribing both work the first time; rejects if that never happens. */
  readonly ready: Promise<void>;
  /** Whether both Redis connections are up right now. */
  readonly isReady: boolean;
  /** The status now and each change (emits the current one on subscription); completes when closed. */
  readonly status$: Observable<RedisAdapterStatus>;
}

class RedisPubSubAdapter implements RedisAdapter {
  readonly instanceId: string;
  readonly channel: string;
  readonly ready: Promise<void>;
  private readonly origin = randomBytes(INSTANCE_ID_BYTES);
  private readonly where: string;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private host: AdapterHost | undefined;
  private closed = false;
  private settleReady: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private readonly status = new BehaviorSubject<RedisAdapterStatus>('connecting');
  readonly status$ = this.status.pipe(distinctUntilChanged());

  constructor(options: RedisAdapterOptions) {
    const url = options.url ?? DEFAULT_REDIS_URL;
    this.where = redisAddress(url);
    this.channel = options.channel ?? DEFAULT_CHANNEL;
    this.instanceId = this.origin.toString('hex');
    const { clientOptions = {}, reconnect = {} } = options;
    this.publisher = createClient({
      ...clientOptions,
      url,
      // Fail fast while Redis is away, so a broadcast reports it instead of waiting in a queue.
      disableOfflineQueue: true,
      commandOptions: { timeout: options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS },
      socket: { ...clientOptions.socket, reconnectStrategy: reconnect === false ? false : redisReconnectStrategy(reconnect) },
    } as Parameters<typeof createClient>[0]) as RedisClient;
    this.subscriber = this.publisher.duplicate();
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined);
  }

  get isReady(): boolean {
    return this.publisher.isReady && this.subscriber.isReady;
  }

  attach(host: AdapterHost): void {
    if (this.host !== undefined || this.closed) throw new Error('This Redis adapter already serves a server: make one redisAdapter() per server');
    this.host = host;
    this.publisher.on('error', (e: Error) => this.connectionError('publisher', e));
    this.subscriber.on('error', (e: Error) => this.connectionError('subscriber', e));
    for (const client of [this.publisher, this.subscriber]) {
      client.on('ready', this.updateStatus);
      client.on('reconnecting', this.updateStatus);
      client.on('end', this.updateStatus);
    }
    this.start().then(
      () => this.settleReady?.resolve(),
      (e: unknown) => {
        if (this.closed) this.settleReady?.reject(new RedisAdapterError({ code: 'CLOSED', reason: 'The Redis adapter was closed before it connected' }));
        else this.giveUp(e);
      },
    );
  }

  publish(message: AdapterMessage): Promise<number> {
    if (this.host === undefined || this.closed) {
      return Promise.reject(new RedisAdapterError({ code: 'CLOSED', reason: 'Broadcast not published: the Redis adapter is not attached to a running server' }));
    }
    let envelope: Buffer;
    try {
      envelope = encodeEnvelope(this.origin, message);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.publisher.publish(this.channel, envelope).then(undefined, (e: unknown) => Promise.reject(this.publishError(e)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.setClosed();
    // Graceful for the publisher when it is up (pending PUBLISH replies arrive); otherwise at once.
    for (const client of [this.publisher, this.subscriber]) {
      if (!client.isOpen) continue;
      if (client === this.publisher && client.isReady) await client.close();
      else client.destroy();
    }
  }

  private async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    // Buffer mode: the envelope is binary. node-redis subscribes again after each reconnection.
    await this.subscriber.subscribe(this.channel, this.onMessage, true);
    this.updateStatus();
  }

  private readonly updateStatus = (): void => {
    if (this.status.closed) return;
    // 'ready' only after the first SUBSCRIBE; later, node-redis subscribes again before 'ready'.
    if (this.isReady && this.subscriber.isPubSubActive) this.status.next('ready');
    else if (this.status.value !== 'connecting') this.status.next('reconnecting');
  };

  private setClosed(): void {
    if (this.status.closed) return;
    this.status.next('closed');
    this.status.complete();
  }

  private readonly onMessage = (envelope: Buffer): void => {
    // This instance delivered its own broadcast when it published it.
    if (isFrom(envelope, this.origin) || this.host === undefined) return;
    let message: AdapterMessage;
    try {
      message = decodeEnvelope(envelope);
    } catch (e) {
      this.host.reportError(new RedisAdapterError({ code: 'MALFORMED_MESSAGE', reason: `Dropped a message on channel ${this.channel}: ${(e as Error).message}`, cause: e }));
      return;
    }
    this.host.deliver(message);
  };

  private connectionError(role: 'publisher' | 'subscriber', cause: Error): void {
    if (this.closed) return;
    // node-redis closes a client before it reports the failure its reconnect strategy gave up on.
    if (!this.publisher.isOpen || !this.subscriber.isOpen) {
      this.giveUp(cause);
      return;
    }
    this.updateStatus();
    const text = `Redis connection (${role}) to ${this.where}: ${cause.message || cause.name}; reconnecting`;
    this.host?.reportError(new RedisAdapterError({ code: 'CONNECTION', reason: text, cause }));
  }

  /** The reconnect policy gave up: report once, release both connections, stay closed. */
  private giveUp(cause: unknown): void {
    if (this.closed) return;
    this.closed = true;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new RedisAdapterError({ code: 'GAVE_UP', reason: `Gave up connecting to Redis at ${this.where}: ${reason}; broadcasts stay on this instance`, cause });
    this.settleReady?.reject(error);
    this.host?.reportError(error);
    this.setClosed();
    for (const client of [this.publisher, this.subscriber]) if (client.isOpen) client.destroy();
  }

  private publishError(e: unknown): RedisAdapterError {
    const only = "only this instance's clients got it";
    // Offline, or the connection dropped under this very command (the socket closed before
    // node-redis noticed Redis was gone): either way Redis is unreachable, not refusing.
    if (e instanceof ClientOfflineError || (!this.closed && !this.publisher.isReady)) {
      return new RedisAdapterError({ code: 'OFFLINE', reason: `Broadcast not published: the connection to Redis at ${this.where} is down (reconnecting); ${only}`, cause: e });
    }
    if (e instanceof ClientClosedError || this.closed) {
      return new RedisAdapterError({ code: 'CLOSED', reason: `Broadcast not published: the Redis adapter is closed or gave up reconnecting; ${only}`, cause: e });
    }
    if (e instanceof TimeoutError) {
      return new RedisAdapterError({ code: 'TIMEOUT', reason: `Redis at ${this.where} did not confirm the broadcast in time; other instances may have missed it`, cause: e });
    }
    const reason = e instanceof Error ? e.message : String(e);
    return new RedisAdapterError({ code: 'PUBLISH_FAILED', reason: `Redis at ${this.where} refused the broadcast: ${reason}; ${only}`, cause: e });
  }
}

/**
 * A broadcast adapter over Redis pub/sub (node-redis v5 or v6, the `redis` package, an optional peer
 * dependency). Each instance publishes its broadcasts on one channel and delivers what the
 * others publish to its own clients; text and binary both travel as is, topics too.
 * While Redis is away, `server.publish()` rejects and `server.broadcast()` reports on
 * `errors$` (RedisAdapterError 'OFFLINE'); the adapter reconnects with rxws's backoff.
 *
 * @example
 * import { serve } from 'rxws/server';
 * import { redisAdapter } from 'rxws/redis';
 * const adapter = redisAdapter({ url: process.env.REDIS_URL, reconnect: { maxWaitMs: 5000 } });
 * const server = serve({ host: '0.0.0.0', port: 8080, adapter });
 * server.errors$.subscribe((e) => console.error(e.source, e.error));
 * await adapter.ready;
 * server.broadcast('hello, every instance');
 */
export function redisAdapter(options: RedisAdapterOptions = {}): RedisAdapter {
  validateRedisAdapterOptions(options);
  return new RedisPubSubAdapter(options);
}
