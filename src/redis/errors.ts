import { RxwsError, type RxwsErrorInit } from '../core/errors';

/** Machine-readable causes of a Redis adapter failure. */
export type RedisAdapterErrorCode =
  /** A broadcast could not be published: the connection to Redis is down (it is being retried). */
  | 'OFFLINE'
  /** A broadcast could not be published: the adapter is closed, or gave up reconnecting. */
  | 'CLOSED'
  /** Redis did not answer a PUBLISH in time: other instances may or may not have the message. */
  | 'TIMEOUT'
  /** Redis answered a PUBLISH with an error. */
  | 'PUBLISH_FAILED'
  /** A connection to Redis failed or was lost; it is being retried. */
  | 'CONNECTION'
  /** The reconnect policy gave up (`maxRetries`): the adapter stays down. */
  | 'GAVE_UP'
  /** Something on the channel was not an rxws broadcast; it was dropped. */
  | 'MALFORMED_MESSAGE'
  /** `redisAdapter()` was given an option it cannot use (thrown at once, the reason names it). */
  | 'INVALID_OPTIONS';

/**
 * A failure of the Redis adapter: a rejected `server.publish()`, or an event on `server.errors$`
 * (source 'adapter'). `cause` holds node-redis's own error when there is one.
 *
 * @example
 * server.errors$.subscribe(({ source, error }) => {
 *   if (error instanceof RedisAdapterError && error.code === 'OFFLINE') metrics.increment('broadcast.local_only');
 * });
 */
export class RedisAdapterError extends RxwsError<RedisAdapterErrorCode> {
  override readonly name = 'RedisAdapterError';
  constructor(init: RxwsErrorInit<RedisAdapterErrorCode>);
  /** @deprecated Pass `{ code, reason, cause }`, the shape of every rxws error. */
  constructor(code: RedisAdapterErrorCode, reason: string, options?: { cause?: unknown });
  constructor(init: RxwsErrorInit<RedisAdapterErrorCode> | RedisAdapterErrorCode, reason?: string, options?: { cause?: unknown }) {
    super(typeof init === 'string' ? { code: init, reason: reason ?? '', cause: options?.cause } : init);
  }
}

/** `url` without credentials, for messages. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparsable Redis URL)';
  }
}
