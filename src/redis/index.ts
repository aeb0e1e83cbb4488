// The `rxws/redis` entry: re-exports only. Needs the `redis` package (v5 or v6), an optional peer dependency.
export { redisAdapter, redisReconnectStrategy } from './adapter';
export type { RedisAdapter, RedisAdapterStatus, ReconnectStrategy } from './adapter';
export { redisHistory, DEFAULT_HISTORY_PREFIX, DEFAULT_POSITION_TTL_MS } from './history';
export type { RedisHistory, RedisHistoryOptions } from './history';
export { RedisAdapterError } from './errors';
export type { RedisAdapterErrorCode } from './errors';
export { DEFAULT_REDIS_URL, DEFAULT_CHANNEL, DEFAULT_PUBLISH_TIMEOUT_MS } from './options';
export type { RedisAdapterOptions, RedisReconnectOptions } from './options';
export { encodeEnvelope, decodeEnvelope, ENVELOPE_VERSION } from './codec';
export type { Envelope } from './codec';
export type { BroadcastAdapter, AdapterMessage, AdapterHost } from '../server/adapter';
