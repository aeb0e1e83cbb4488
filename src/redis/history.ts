// redisHistory(): channel histories in Redis Streams, shared by every instance. A Lua script
// gives each publication its offset (the stream id `0-<offset>`) and trims by count and age; each
// instance follows the streams of its subscribed channels with one blocking XREAD connection and
// delivers in stream order, so all instances deliver the same publications in the same order.
import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES } from 'redis';
import type { Position } from '../messages/envelope';
import { assertLimit, newEpoch, type HistoryEntry, type HistoryFollower, type HistoryRead, type HistoryStore, type StoredBody } from '../server/history';
import { DEFAULT_HISTORY_MAX_AGE_MS, DEFAULT_HISTORY_MAX_MESSAGES } from '../server/memory-history';
import { redisReconnectStrategy } from './adapter';
import { RedisAdapterError, redisAddress } from './errors';
import { APPEND_SCRIPT, POSITIONS_SCRIPT, READ_SCRIPT } from './history-scripts';
import { DEFAULT_REDIS_URL, type RedisReconnectOptions } from './options';

type RedisClient = ReturnType<typeof createClient>;

/** The key prefix of the streams and their positions. */
export const DEFAULT_HISTORY_PREFIX = 'rxws:history:';
/** How long a channel's position (epoch, offset) outlives its last publication by default: one day. */
export const DEFAULT_POSITION_TTL_MS = 24 * 60 * 60_000;
/** How long a blocking XREAD waits before it asks again (it is also woken when the channels change). */
const BLOCK_MS = 1_000;
/** Entries read per XREAD. */
const READ_COUNT = 1000;

/** Options of `redisHistory()`. */
export interface RedisHistoryOptions {
  /** The Redis server. Default 'redis://127.0.0.1:6379'. Ignored with `client`. */
  url?: string;
  /** A node-redis client to use (not yet connected, or connected); the store adds one duplicate of it for its blocking reads. */
  client?: RedisClient;
  /** Prefix of the keys (`<prefix>{<channel>}:s` the stream, `:p` the position). Default 'rxws:history:'. */
  prefix?: string;
  /** Publications kept per channel (XADD MAXLEN). Default 1000. */
  maxMessages?: number;
  /** How long a publication is kept, in ms (trimmed with XTRIM MINID; the stream expires after it). Default 300000. */
  maxAgeMs?: number;
  /** How long a channel's position outlives its last publication: after it, the next publication starts a new epoch. Default one day. */
  positionTtlMs?: number;
  /** The reconnect policy of the store's own connections. Default: backoff with no retry limit. */
  reconnect?: RedisReconnectOptions | false;
  /** Told about connection failures (the store retries them). Default: none. */
  onError?: (error: RedisAdapterError) => void;
}

/** A HistoryStore on Redis Streams, with its connection's state. */
export interface RedisHistory extends HistoryStore {
  /** Resolves once the store's connections are up the first time. */
  readonly ready: Promise<void>;
}

const BUFFERS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } } as const;

/** A script called by its SHA1, loaded again when Redis answers NOSCRIPT (after a restart). */
class Script {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run<T>(client: RedisClient, keys: readonly string[], args: ReadonlyArray<string | Buffer>): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return (await client.sendCommand(['EVALSHA', this.sha, ...tail], BUFFERS)) as T;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await client.sendCommand(['EVAL', this.source, ...tail], BUFFERS)) as T;
    }
  }
}

const append = new Script(APPEND_SCRIPT);
const read = new Script(READ_SCRIPT);
const positions = new Script(POSITIONS_SCRIPT);

type RawEntry = [Buffer, Buffer[]];

/** One followed channel on this instance. */
interface Followed {
  readonly stream: string;
  readonly meta: string;
  readonly listeners: Set<HistoryFollower>;
  /** The epoch and last offset delivered; `ready` once the position to start from is known. */
  epoch: string;
  last: number;
  ready: boolean;
}

class RedisStreamsHistory implements RedisHistory {
  readonly shared = true;
  readonly ready: Promise<void>;
  private readonly commands: RedisClient;
  private readonly blocker: RedisClient;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly maxMessages: string;
  private readonly maxAgeMs: string;
  private readonly positionTtlMs: string;
  private readonly where: string;
  private readonly followed = new Map<string, Followed>();
  private readonly byStream = new Map<string, { readonly name: string; readonly channel: Followed }>();
  private closed = false;
  private looping = false;
  private wake: (() => void) | undefined;
  private blockerId: string | undefined;
  /** The blocking connection came back: the streams may be new ones (a Redis restart). */
  private recheck = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: RedisHistoryOptions) {
    this.prefix = options.prefix ?? DEFAULT_HISTORY_PREFIX;
    this.maxMessages = String(options.maxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES);
    const maxAgeMs = options.maxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS;
    this.maxAgeMs = String(maxAgeMs === Infinity ? 0 : maxAgeMs);
    this.positionTtlMs = String(Math.max(options.positionTtlMs ?? DEFAULT_POSITION_TTL_MS, maxAgeMs === Infinity ? 0 : maxAgeMs));
    const strategy = options.reconnect === false ? false : redisReconnectStrategy(options.reconnect ?? {});
    if (options.client !== undefined) {
      this.commands = options.client;
      this.ownsClient = false;
    } else {
      const url = options.url ?? DEFAULT_REDIS_URL;
      this.commands = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: strategy } } as Parameters<typeof createClient>[0]) as RedisClient;
      this.ownsClient = true;
    }
    this.where = redisAddress(options.url ?? DEFAULT_REDIS_URL);
    this.blocker = this.commands.duplicate({ disableOfflineQueue: true, socket: { reconnectStrategy: strategy } } as Parameters<RedisClient['duplicate']>[0]) as RedisClient;
    this.commands.on('error', (e: Error) => this.connectionError('commands', e));
    this.blocker.on('error', (e: Error) => this.connectionError('blocking reads', e));
    this.blocker.on('ready', () => {
      this.blockerId = undefined;
      this.recheck = true;
    });
    this.ready = Promise.all([this.commands.isOpen ? undefined : this.commands.connect(), this.blocker.connect()]).then(() => undefined);
    this.ready.catch(() => undefined);
  }

  private keys(channel: string): { stream: string; meta: string } {
    const base = `${this.prefix}{${channel}}`;
    return { stream: `${base}:s`, meta: `${base}:p` };
  }

  async append(channel: string, body: StoredBody): Promise<Position> {
    await this.usable();
    const { stream, meta } = this.keys(channel);
    const data = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const [epoch, offset] = await append.run<[Buffer, number]>(this.commands, [stream, meta], [data, this.maxMessages, newEpoch(), this.positionTtlMs, this.maxAgeMs]);
    return { epoch: epoch.toString(), offset };
  }

  async read(channel: string, after: Position | undefined, limit: number): Promise<HistoryRead> {
    await this.usable();
    const { stream, meta } = this.keys(channel);
    const args = [after === undefined ? '' : String(after.offset), String(limit), newEpoch(), this.positionTtlMs, this.maxAgeMs, after?.epoch ?? ''];
    const [epochBytes, top, recovered, raw] = await read.run<[Buffer, number, number, RawEntry[]]>(this.commands, [stream, meta], args);
    const position: Position = { epoch: epochBytes.toString(), offset: top };
    if (recovered !== 1) return { recovered: false, position };
    return { recovered: true, entries: raw.map((e) => toEntry(e)), position };
  }

  follow(channel: string, listener: HistoryFollower): () => void {
    let followed = this.followed.get(channel);
    if (followed === undefined) {
      const { stream, meta } = this.keys(channel);
      const created: Followed = { stream, meta, listeners: new Set(), epoch: '', last: 0, ready: false };
      followed = created;
      this.followed.set(channel, created);
      this.byStream.set(stream, { name: channel, channel: created });
      // Asked now (or first thing once connected), before any read of this channel on the same
      // connection: the follower starts at or before where the first replay reads up to.
      const start = (): Promise<void> => this.position([created]);
      (this.commands.isReady ? start() : this.ready.then(start)).then(
        () => this.started(created),
        () => {
          // Redis is away: the loop asks again (as after any reconnection).
          this.recheck = true;
          this.interrupt();
          this.loop();
        },
      );
    } else if (followed.ready) {
      listener.position({ epoch: followed.epoch, offset: followed.last });
    }
    followed.listeners.add(listener);
    const current = followed;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.followed.get(channel) !== current) return;
      this.followed.delete(channel);
      this.byStream.delete(current.stream);
    };
  }

  /** A channel's start position is known: tell its followers and let the loop read it. */
  private started(channel: Followed): void {
    if (this.byStream.get(channel.stream)?.channel !== channel) return;
    channel.ready = true;
    for (const listener of [...channel.listeners]) listener.position({ epoch: channel.epoch, offset: channel.last });
    this.interrupt();
    this.loop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.followed.clear();
    this.byStream.clear();
    this.wake?.();
    if (this.blocker.isOpen) this.blocker.destroy();
    if (this.ownsClient && this.commands.isOpen) {
      if (this.commands.isReady) await this.commands.close();
      else this.commands.destroy();
    }
  }

  /** Waits for the first connection; afterwards fails at once while Redis is away. */
  private async usable(): Promise<void> {
    if (this.closed) throw new RedisAdapterError('CLOSED', 'The Redis history store is closed');
    if (!this.commands.isReady) {
      if (this.commands.isOpen) throw new RedisAdapterError('OFFLINE', `The connection to Redis at ${this.where} is down (reconnecting)`);
      await this.ready;
    }
  }

  /** Sets the epoch and top of `channels` from Redis; a changed epoch starts over at its first offset. */
  private async position(channels: Followed[]): Promise<void> {
    const answer = await positions.run<Array<[Buffer | null, number]>>(this.commands, channels.map((c) => c.meta), []);
    channels.forEach((c, i) => {
      const [epochBytes, top] = answer[i];
      const epoch = epochBytes === null ? '' : epochBytes.toString();
      if (!c.ready) {
        c.epoch = epoch;
        c.last = top;
      } else if (epoch !== c.epoch) {
        // History lost (a restart without persistence): the new stream is read from its start.
        c.epoch = epoch;
        c.last = 0;
        for (const listener of [...c.listeners]) listener.position({ epoch, offset: 0 });
      }
    });
  }

  private interrupt(): void {
    const wake = this.wake;
    if (wake !== undefined) {
      this.wake = undefined;
      wake();
    } else if (this.blockerId !== undefined && this.commands.isReady) {
      this.commands.sendCommand(['CLIENT', 'UNBLOCK', this.blockerId]).catch(() => undefined);
    }
  }

  /** The follow loop: one blocking XREAD over every followed stream, delivered in stream order. */
  private loop(): void {
    if (this.looping || this.closed) return;
    this.looping = true;
    void this.run().finally(() => (this.looping = false));
  }

  private async run(): Promise<void> {
    while (!this.closed && this.followed.size > 0) {
      try {
        if (this.recheck) {
          this.recheck = false;
          const all = [...this.followed.values()];
          const fresh = all.filter((c) => !c.ready);
          await this.position(all);
          for (const c of fresh) this.started(c);
        }
        const ready = [...this.followed.values()].filter((c) => c.ready);
        if (ready.length === 0) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        this.blockerId ??= String(await this.blocker.sendCommand(['CLIENT', 'ID']));
        const args = ['XREAD', 'COUNT', String(READ_COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', ...ready.map((c) => c.stream), ...ready.map((c) => `0-${c.last}`)];
        const reply = (await this.blocker.sendCommand(args, BUFFERS)) as Array<[Buffer, RawEntry[]]> | null;
        if (reply !== null) this.deliver(reply);
      } catch {
        if (this.closed) return;
        this.recheck = true;
        this.blockerId = undefined;
        await new Promise<void>((resolve) => (this.retryTimer = setTimeout(resolve, 100)));
      }
    }
  }

  private deliver(reply: Array<[Buffer, RawEntry[]]>): void {
    for (const [key, entries] of reply) {
      const found = this.byStream.get(key.toString());
      if (found === undefined) continue; // unfollowed meanwhile
      const { channel } = found;
      for (const raw of entries) {
        const entry = toEntry(raw);
        if (entry.epoch === channel.epoch && entry.offset <= channel.last) continue;
        channel.epoch = entry.epoch;
        channel.last = entry.offset;
        for (const listener of [...channel.listeners]) listener.entry(entry);
      }
    }
  }

  private connectionError(role: string, cause: Error): void {
    if (this.closed) return;
    this.options.onError?.(new RedisAdapterError('CONNECTION', `Redis history (${role}) at ${this.where}: ${cause.message || cause.name}; reconnecting`, { cause }));
  }
}

/** A stream entry `[id '0-<offset>', ['b', body, 'e', epoch, 'a', ms]]` as a HistoryEntry. */
function toEntry([id, fields]: RawEntry): HistoryEntry {
  const text = id.toString();
  const body = fields[1];
  return { epoch: fields[3].toString(), offset: Number(text.slice(text.indexOf('-') + 1)), body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
}

/**
 * A history store on Redis Streams for `channels(server, { history })`, shared by every instance
 * of a logical server: one stream per channel (`XADD` with `MAXLEN` and age trimming, replay with
 * `XRANGE`), offsets from the stream ids, and an epoch per channel that changes when Redis lost
 * the history (a restart without persistence). Each instance reads its channels' new entries with
 * one blocking `XREAD` and delivers them in stream order: a client that resumes on another
 * instance continues exactly where it was. Needs the `redis` package (v5 or v6) and Redis >= 7.
 *
 * @example
 * import { channels, serve } from 'rxws/server';
 * import { redisHistory } from 'rxws/redis';
 * const history = redisHistory({ url: process.env.REDIS_URL, maxMessages: 10_000, maxAgeMs: 600_000 });
 * const hub = channels(serve({ port: 8080 }), { history });
 * await history.ready;
 * await hub.publishStored('orders', { id: 42 }); // { epoch, offset }
 */
export function redisHistory(options: RedisHistoryOptions = {}): RedisHistory {
  const where = 'redisHistory()';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  const { url, client, prefix, onError } = options;
  if (url !== undefined && client !== undefined) throw new TypeError(`${where}: give url or client, not both`);
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) throw new TypeError(`${where}: url must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  if (client !== undefined && (client === null || typeof (client as { duplicate?: unknown }).duplicate !== 'function')) throw new TypeError(`${where}: client must be a node-redis client (createClient() from 'redis')`);
  if (prefix !== undefined && typeof prefix !== 'string') throw new TypeError(`${where}: prefix must be a string`);
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError(`${where}: onError must be a function`);
  assertLimit(options.maxMessages, 'maxMessages', where, 1, false);
  assertLimit(options.maxAgeMs, 'maxAgeMs', where);
  assertLimit(options.positionTtlMs, 'positionTtlMs', where, 1, false);
  return new RedisStreamsHistory(options);
}
