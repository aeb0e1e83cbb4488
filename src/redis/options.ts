import type { RedisClientOptions } from 'redis';
import { durationProblem, retryLimitProblem } from '../core/validation';
import { assertBackoffOptions, type BackoffOptions } from '../operators/backoff';
import { RedisAdapterError } from './errors';

/** Where the adapter connects by default: a Redis on this machine. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** The Redis channel broadcasts travel on by default; instances of one logical server share it. */
export const DEFAULT_CHANNEL = 'rxws:broadcast';
/** How long a PUBLISH may wait for Redis's answer before the broadcast is reported failed. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/**
 * How the adapter reconnects to Redis: rxws's `reconnect` policy (IXWebSocket's backoff:
 * 100 ms doubling up to `maxWaitMs`, optional jitter). A lost connection is retried at once,
 * then with the backoff; the count starts again after each successful connection.
 */
export interface RedisReconnectOptions extends BackoffOptions {
  /** Failed tries in a row after which the adapter gives up (reported on `errors$`). Default Infinity. */
  maxRetries?: number;
}

/** Options of `redisAdapter()`. All optional. */
export interface RedisAdapterOptions {
  /** The Redis server, `redis://[[user]:password@]host[:port][/db]` or `rediss://` for TLS. Default 'redis://127.0.0.1:6379'. */
  url?: string;
  /** The pub/sub channel; every instance of one logical server must use the same. Default 'rxws:broadcast'. */
  channel?: string;
  /** The reconnect policy, or `false` to stay down once the connection is lost. Default: backoff with no retry limit. */
  reconnect?: RedisReconnectOptions | false;
  /** How long a PUBLISH may wait for Redis's answer before it is reported failed. Default 5000. */
  publishTimeoutMs?: number;
  /**
   * More node-redis client options (credentials, `socket.tls`, `name` …). `url`,
   * `disableOfflineQueue` and `socket.reconnectStrategy` are set by the adapter.
   */
  clientOptions?: RedisClientOptions;
}

const invalid = (reason: string, cause?: unknown): RedisAdapterError => new RedisAdapterError({ code: 'INVALID_OPTIONS', reason, cause });

/** Throws a RedisAdapterError (INVALID_OPTIONS) naming the first option that cannot be used. */
export function validateRedisAdapterOptions(options: RedisAdapterOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('redisAdapter(options): options must be an object');
  const { url, channel, reconnect, publishTimeoutMs } = options;
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw invalid(`redisAdapter(): url must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  }
  if (channel !== undefined && (typeof channel !== 'string' || channel === '')) {
    throw invalid(`redisAdapter(): channel must be a non-empty string, got ${JSON.stringify(channel)}`);
  }
  const timeoutProblem = publishTimeoutMs === undefined ? undefined : durationProblem('redisAdapter(): publishTimeoutMs', publishTimeoutMs);
  if (timeoutProblem !== undefined) throw invalid(timeoutProblem);
  if (reconnect !== undefined && reconnect !== false) {
    try {
      assertBackoffOptions(reconnect);
    } catch (err) {
      throw invalid(`redisAdapter(): reconnect.${(err as Error).message}`, err);
    }
    const problem = reconnect.maxRetries === undefined ? undefined : retryLimitProblem('redisAdapter(): reconnect.maxRetries', reconnect.maxRetries);
    if (problem !== undefined) throw invalid(problem);
  }
}
