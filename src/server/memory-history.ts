// memoryHistory(): channel histories in this process's memory, bounded by count, bytes and age.
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Position } from '../messages/envelope';
import { assertLimit, bodyBytes, newEpoch, type HistoryEntry, type HistoryRead, type HistoryStore, type StoredBody } from './history';

/** Publications kept per channel by default. */
export const DEFAULT_HISTORY_MAX_MESSAGES = 1000;
/** Bytes of publication bodies kept per channel by default (1 MiB). */
export const DEFAULT_HISTORY_MAX_BYTES = 1024 * 1024;
/** How long a publication is kept by default (5 minutes). */
export const DEFAULT_HISTORY_MAX_AGE_MS = 5 * 60_000;
/** Channels whose position a memory history remembers by default. */
export const DEFAULT_HISTORY_MAX_CHANNELS = 10_000;

/** Options of `memoryHistory()`. All optional; every bound applies per channel, the newest publication is always kept. */
export interface MemoryHistoryOptions {
  /** Publications kept per channel. Default 1000. */
  maxMessages?: number;
  /** Bytes of encoded bodies kept per channel. Default 1 MiB. */
  maxBytes?: number;
  /** How long a publication is kept, in ms. Default 300000 (5 minutes). */
  maxAgeMs?: number;
  /**
   * Channels remembered (their epoch and offset, and their entries). Past it the channel least
   * recently published to is forgotten: its next publication starts a new epoch. Default 10000.
   */
  maxChannels?: number;
  /** Where the time comes from (ages). Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** One channel's kept publications: `bodies[head]` has offset `first`. */
class ChannelLog {
  readonly epoch = newEpoch();
  top = 0;
  first = 1;
  bytes = 0;
  head = 0;
  readonly bodies: StoredBody[] = [];
  readonly sizes: number[] = [];
  readonly times: number[] = [];

  get count(): number {
    return this.bodies.length - this.head;
  }

  push(body: StoredBody, now: number): void {
    const size = bodyBytes(body);
    this.bodies.push(body);
    this.sizes.push(size);
    this.times.push(now);
    this.bytes += size;
    this.top++;
  }

  /** Drops the oldest entry. */
  shift(): void {
    this.bytes -= this.sizes[this.head];
    this.bodies[this.head] = '';
    this.head++;
    this.first++;
    // Compact now and then rather than shifting the arrays per entry.
    if (this.head === this.bodies.length) {
      this.bodies.length = this.sizes.length = this.times.length = this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.bodies.length) {
      this.bodies.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}

class MemoryHistory implements HistoryStore {
  readonly shared = false;
  private readonly logs = new Map<string, ChannelLog>();
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly maxChannels: number;
  private readonly scheduler: SchedulerLike;
  /** Walks the channels, one per append, trimming the aged entries of idle ones. */
  private sweeper: Iterator<ChannelLog> | undefined;

  constructor(options: MemoryHistoryOptions) {
    this.maxMessages = options.maxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES;
    this.maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS;
    this.maxChannels = options.maxChannels ?? DEFAULT_HISTORY_MAX_CHANNELS;
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  append(channel: string, body: StoredBody): Position {
    const now = this.scheduler.now();
    let log = this.logs.get(channel);
    // Map order is the order of the last append: the first one is the least recently used.
    if (log !== undefined) this.logs.delete(channel);
    else log = new ChannelLog();
    this.logs.set(channel, log);
    if (this.logs.size > this.maxChannels) this.logs.delete(this.logs.keys().next().value as string);
    log.push(body, now);
    while (log.count > 1 && (log.count > this.maxMessages || log.bytes > this.maxBytes)) log.shift();
    this.trimAge(log, now);
    this.sweepOne(now);
    return { epoch: log.epoch, offset: log.top };
  }

  read(channel: string, after: Position | undefined, limit: number): HistoryRead {
    let log = this.logs.get(channel);
    if (log === undefined) {
      // A channel nobody published to yet gets its epoch now, so that offset 0 can be resumed.
      log = new ChannelLog();
      this.logs.set(channel, log);
      if (this.logs.size > this.maxChannels) this.logs.delete(this.logs.keys().next().value as string);
    }
    this.trimAge(log, this.scheduler.now());
    const position: Position = { epoch: log.epoch, offset: log.top };
    if (after === undefined) return { recovered: true, entries: [], position };
    if (after.epoch !== log.epoch || after.offset > log.top || (after.offset < log.top && after.offset + 1 < log.first)) return { recovered: false, position };
    const entries: HistoryEntry[] = [];
    const end = Math.min(log.top, after.offset + limit);
    for (let offset = after.offset + 1; offset <= end; offset++) {
      entries.push({ epoch: log.epoch, offset, body: log.bodies[log.head + offset - log.first] });
    }
    return { recovered: true, entries, position };
  }

  close(): Promise<void> {
    this.logs.clear();
    this.sweeper = undefined;
    return Promise.resolve();
  }

  private trimAge(log: ChannelLog, now: number): void {
    const oldest = now - this.maxAgeMs;
    while (log.count > 0 && log.times[log.head] < oldest) log.shift();
  }

  private sweepOne(now: number): void {
    let next = this.sweeper?.next();
    if (next === undefined || next.done === true) {
      this.sweeper = this.logs.values();
      next = this.sweeper.next();
    }
    if (next.done !== true) this.trimAge(next.value, now);
  }
}

/**
 * A history store in this process's memory, for `channels(server, { history })`: each channel
 * keeps its last `maxMessages` publications, at most `maxBytes` of them, none older than
 * `maxAgeMs`. Its epochs are new with every process, so clients of a restarted server are told
 * `recovered: false`. For several instances use `redisHistory()` from `rxws/redis`.
 *
 * @example
 * import { channels, memoryHistory, serve } from 'rxws/server';
 * const server = serve({ port: 8080 });
 * const hub = channels(server, { history: memoryHistory({ maxMessages: 500, maxAgeMs: 120_000 }) });
 * hub.publish('news', { title: 'kept for two minutes' });
 */
export function memoryHistory(options: MemoryHistoryOptions = {}): HistoryStore {
  const where = 'memoryHistory()';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  assertLimit(options.maxMessages, 'maxMessages', where);
  assertLimit(options.maxBytes, 'maxBytes', where);
  assertLimit(options.maxAgeMs, 'maxAgeMs', where);
  assertLimit(options.maxChannels, 'maxChannels', where);
  return new MemoryHistory(options);
}
