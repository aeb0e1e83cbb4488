// What a channel history store is (docs/channels.md, History): the contract between `channels()`
// and the stores (`memoryHistory()` here, `redisHistory()` in rxws/redis), and its checks.
import type { Position } from '../messages/envelope';

export type { Position } from '../messages/envelope';

/** A publication body as the channels' codec encoded it (text for `json()`, bytes for `msgpack()`). */
export type StoredBody = string | Uint8Array;

/** One publication kept in a channel's history. */
export interface HistoryEntry {
  readonly epoch: string;
  readonly offset: number;
  readonly body: StoredBody;
}

/**
 * The answer to `read`: the entries after the position asked for (oldest first, at most `limit`)
 * and the channel's position now; or `recovered: false` when some of them are gone (trimmed by
 * count, size or age, or the epoch changed), with the position now.
 */
export type HistoryRead =
  | { readonly recovered: true; readonly entries: readonly HistoryEntry[]; readonly position: Position }
  | { readonly recovered: false; readonly position: Position };

/** What a shared store tells about a followed channel (see `HistoryStore.follow`). */
export interface HistoryFollower {
  /** Each entry appended from the start position on, in offset order. */
  entry(entry: HistoryEntry): void;
  /**
   * Where the follower stands without a new entry: where it starts (once known), and again when
   * it found the history lost (a new epoch, read from its first offset). Epoch '' : no history yet.
   */
  position(position: Position): void;
}

/**
 * Where `channels(server, { history })` keeps each channel's publications, and gives them their
 * position: an offset counted from 1 per channel, and an epoch that changes whenever the history
 * is lost (so an old offset is never taken for a new one). rxws ships `memoryHistory()` (one
 * process) and `redisHistory()` from `rxws/redis` (Redis Streams, any number of instances).
 *
 * A store is either local or shared. A local store (`shared: false`) answers at once; the
 * channels broadcast each publication themselves (through the server's adapter, if any). A shared
 * store is the single order of a channel across instances: every instance `follow`s it and
 * delivers what it reads, the publishing instance included.
 */
export interface HistoryStore {
  /** Whether every instance reads the publications from the store (true) or the publishing one broadcasts them (false). */
  readonly shared: boolean;
  /** Keeps `body` as the next publication of `channel`; gives its position. */
  append(channel: string, body: StoredBody): Position | Promise<Position>;
  /**
   * The publications of `channel` after `after` (at most `limit`), or only the position now when
   * `after` is undefined. A position of another epoch, ahead of the channel, or whose next entry
   * is gone gives `recovered: false`.
   */
  read(channel: string, after: Position | undefined, limit: number): HistoryRead | Promise<HistoryRead>;
  /**
   * Shared stores: tells `follower` the position it starts from, then every entry appended to
   * `channel` after it, in order; returns the stop function. The start position must be taken
   * before any `read` of the channel called after `follow`.
   */
  follow?(channel: string, follower: HistoryFollower): () => void;
  /** Releases what the store holds (connections, timers). */
  close(): Promise<void>;
}

/** Throws a TypeError unless `value` can serve as a HistoryStore. */
export function assertHistoryStore(value: unknown, where: string): asserts value is HistoryStore {
  const store = value as Partial<Record<keyof HistoryStore, unknown>> | null;
  const missing = (['append', 'read', 'close'] as const).filter((m) => typeof store?.[m] !== 'function');
  if (store === null || typeof store !== 'object' || missing.length > 0) {
    throw new TypeError(`${where}: history must be a history store such as memoryHistory() (rxws/server) or redisHistory() (rxws/redis)${missing.length > 0 && store !== null && typeof store === 'object' ? `; missing ${missing.join(', ')}` : ''}`);
  }
  if (store.shared === true && typeof store.follow !== 'function') throw new TypeError(`${where}: a shared history store needs follow(channel, follower)`);
}

/** Throws a RangeError unless `value` is undefined or a whole number >= `min` (Infinity allowed when `infinite`). */
export function assertLimit(value: unknown, name: string, where: string, min = 1, infinite = true): void {
  if (value === undefined) return;
  if (typeof value === 'number' && ((infinite && value === Infinity) || (Number.isSafeInteger(value) && value >= min))) return;
  throw new RangeError(`${where}: ${name} must be a whole number >= ${min}${infinite ? ' or Infinity' : ''}, got ${String(value)}`);
}

/** How many bytes a stored body takes. */
export function bodyBytes(body: StoredBody): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** A new random epoch: 12 characters of [A-Za-z0-9_-] (72 bits). */
export function newEpoch(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let epoch = '';
  for (const b of bytes) epoch += alphabet[b & 63];
  return epoch;
}
