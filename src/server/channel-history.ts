// Channels with a history (docs/channels.md, History): positions on publications, and a
// subscription that resumes: `subok`, the missed publications in order, then live ones, with no
// gap and no duplicate. Live publications that arrive while a subscriber is being replayed to are
// held for it and sent after the replay, less those the replay already sent.
import { OPEN } from '../core/constants';
import type { SendData, WriteCallback } from '../core/events';
import type { Codec } from '../messages/codecs';
import { writeEnvelope, type Envelope, type Position, type SubEnvelope } from '../messages/envelope';
import type { ServerConnection } from './connection';
import type { HistoryEntry, HistoryRead, HistoryStore, StoredBody } from './history';
import { deliverLocally, reportServerError } from './extension-hooks';
import type { WebSocketServer } from './websocket-server';

/** Entries read from the store per page while replaying. */
export const REPLAY_PAGE = 1000;
/** Bytes a replay lets the socket hold before it waits for them to be written. */
export const REPLAY_HIGH_WATER_BYTES = 16 * 1024;
/** Live publications held for one subscriber during its replay; past it they are read from the store again. */
const MAX_HELD = 10_000;
/** Waits before reading a failed page again; then the subscription ends with CHANNEL_CLOSED. */
const READ_RETRY_MS = [100, 400, 1600] as const;

/** A subscriber being replayed to. */
interface Replay {
  readonly connection: ServerConnection;
  /** Live publications that came during the replay, with their frames. */
  held: Array<{ entry: HistoryEntry; frame: SendData }>;
  /** Some were dropped from `held`: read the store once more before going live. */
  overflowed: boolean;
  cancelled: boolean;
  /** Replayed up to the store's position: waits for the shared store's follower to get there too. */
  waiting: boolean;
  /** The position the subscriber has reached. */
  epoch: string;
  last: number;
  /** Failed reads so far. */
  failures: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly finish: () => void;
}

/** One channel on this instance: who is being replayed to, who is live, and the store's feed. */
interface Feed {
  readonly replays: Set<Replay>;
  readonly live: Set<ServerConnection>;
  unfollow: (() => void) | undefined;
  /** A shared store's follower: how far it has delivered (undefined until it knows where it starts). */
  followed: Position | undefined;
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === 'function';

/** Calls `next` with the value, now or when the promise settles; a failure (thrown or rejected) goes to `failed`. */
function settle<T>(run: () => T | Promise<T>, next: (value: T) => void, failed: (error: unknown) => void): void {
  let value: T | Promise<T>;
  try {
    value = run();
  } catch (error) {
    failed(error);
    return;
  }
  if (isPromise(value)) value.then(next, failed);
  else next(value);
}

/** The history side of `channels()` for one server. */
export class ChannelHistory {
  private readonly feeds = new Map<string, Feed>();
  private closed = false;

  constructor(
    private readonly server: WebSocketServer,
    private readonly store: HistoryStore,
    private readonly codec: Codec<unknown, unknown>,
    private readonly topicOf: (name: string) => string,
  ) {}

  /**
   * `connection`'s accepted `sub`: answers `subok` with the channel's position (and `recovered`
   * for a `resume`), sends what it missed, then lets it join the live publications. Returns the
   * function that cancels it (an `unsub`, or the connection closing, before it went live).
   */
  subscribe(connection: ServerConnection, sub: SubEnvelope): () => void {
    const name = sub.channel;
    this.leave(connection, name); // a new sub for a name starts over
    const feed = this.feed(name);
    const replay: Replay = {
      connection, held: [], overflowed: false, cancelled: false, waiting: false, epoch: '', last: 0, failures: 0, timer: undefined,
      finish: () => this.goLive(name, feed, replay),
    };
    feed.replays.add(replay);
    const cancel = (): void => {
      replay.cancelled = true;
      clearTimeout(replay.timer);
      feed.replays.delete(replay);
      this.release(name, feed);
    };
    const failed = (error: unknown, again: () => void): void => {
      if (replay.cancelled) return;
      const waitMs = READ_RETRY_MS[replay.failures++];
      if (waitMs !== undefined) {
        replay.timer = setTimeout(again, waitMs);
        return;
      }
      cancel();
      reportServerError(this.server, 'history', error);
      this.send(connection, { k: 'err', id: sub.id, code: 'CHANNEL_CLOSED', message: `Channel '${name}': its history could not be read (${error instanceof Error ? error.message : String(error)}); subscribe again` });
    };
    const first = (): void => settle(() => this.store.read(name, sub.resume, REPLAY_PAGE), (read) => {
      if (replay.cancelled) return;
      replay.failures = 0;
      const { epoch, offset } = read.position;
      const recovered = sub.resume === undefined ? {} : { recovered: read.recovered };
      this.send(connection, { k: 'subok', id: sub.id, channel: name, ...recovered, epoch, offset });
      replay.epoch = epoch;
      replay.last = read.recovered && sub.resume !== undefined ? sub.resume.offset : offset;
      this.page(name, feed, replay, read, failed);
    }, (error) => failed(error, first));
    first();
    return cancel;
  }

  /** Sends one page of a replay, then reads the next or goes live. */
  private page(name: string, feed: Feed, replay: Replay, read: HistoryRead, failed: (error: unknown, again: () => void) => void): void {
    if (replay.cancelled) return;
    let more = replay.overflowed;
    replay.overflowed = false;
    const next = (): void => settle(() => this.store.read(name, { epoch: replay.epoch, offset: replay.last }, REPLAY_PAGE), (r) => {
      replay.failures = 0;
      this.page(name, feed, replay, r, failed);
    }, (error) => failed(error, next));
    const paged = (): void => {
      if (more) {
        next();
        return;
      }
      replay.waiting = true;
      this.goLive(name, feed, replay);
    };
    if (read.recovered) {
      more ||= read.entries.length >= REPLAY_PAGE;
      this.sendPaced(name, replay, read.entries, 0, paged);
      return;
    }
    if (read.position.epoch === replay.epoch && read.position.offset > replay.last) {
      // Trimmed while being replayed: the client sees the offsets skip (a gap) with the next publication.
      replay.last = read.position.offset;
    }
    paged();
  }

  /**
   * Sends `entries` from `from`, then calls `done`. Once the socket holds REPLAY_HIGH_WATER_BYTES
   * the rest waits until the last frame is written: a backlog of any size never piles up in the
   * socket's buffer, where it would close the client (1008 past `maxBufferedAmount`).
   */
  private sendPaced(name: string, replay: Replay, entries: readonly HistoryEntry[], from: number, done: () => void): void {
    for (let i = from; i < entries.length; i++) {
      if (replay.cancelled) return;
      if (replay.connection.bufferedAmount < REPLAY_HIGH_WATER_BYTES) {
        this.sendEntry(name, replay, entries[i], undefined);
        continue;
      }
      const resume: WriteCallback = (error) => {
        if (error === undefined && !replay.cancelled) this.sendPaced(name, replay, entries, i + 1, done);
      };
      if (this.sendEntry(name, replay, entries[i], undefined, resume)) return;
    }
    if (!replay.cancelled) done();
  }

  /**
   * Sends what was held and joins the live publications, once a shared store's follower has
   * delivered up to where the replay ended (else its next entries would be sent twice).
   */
  private goLive(name: string, feed: Feed, replay: Replay): void {
    if (replay.cancelled || !replay.waiting || !this.caughtUp(feed, replay)) return;
    replay.waiting = false;
    for (const { entry, frame } of replay.held) this.sendEntry(name, replay, entry, frame);
    replay.held = [];
    feed.replays.delete(replay);
    if (replay.connection.readyState !== OPEN) return this.release(name, feed);
    feed.live.add(replay.connection);
    replay.connection.join(this.topicOf(name));
  }

  private caughtUp(feed: Feed, replay: Replay): boolean {
    if (!this.store.shared) return true;
    const followed = feed.followed;
    if (followed === undefined) return false;
    if (followed.epoch === replay.epoch) return followed.offset >= replay.last;
    // No history when the follower started: it reads the new epoch from its first offset.
    if (followed.epoch === '') return replay.last === 0;
    return true; // another epoch: the history was lost, the client is told by the next publication
  }

  /** Sends `entry` unless the subscriber has it already (same epoch, offset not past its own). */
  /** Sends `entry` unless the subscriber has it; true when it was handed to the socket (`onWritten` then follows). */
  private sendEntry(name: string, replay: Replay, entry: HistoryEntry, frame: SendData | undefined, onWritten?: WriteCallback): boolean {
    if (entry.epoch === replay.epoch && entry.offset <= replay.last) return false;
    replay.epoch = entry.epoch;
    replay.last = entry.offset;
    if (replay.connection.readyState !== OPEN) return false;
    replay.connection.send(frame ?? this.frame(name, entry), onWritten);
    return true;
  }

  /** `connection` leaves `name` (unsub, close, or a new sub). */
  leave(connection: ServerConnection, name: string): void {
    const feed = this.feeds.get(name);
    if (feed === undefined || !feed.live.delete(connection)) return;
    connection.leave(this.topicOf(name));
    this.release(name, feed);
  }

  /**
   * Keeps `body` in the history and delivers it; returns how many local connections got it at
   * once (0 with a shared store, whose publications come back from it). A body the codec cannot
   * encode throws; a store that fails is reported on `server.errors$` (source 'history').
   */
  publish(name: string, body: unknown): number {
    this.assertOpen(name);
    let count = 0;
    this.store$(name, body, this.encodeBody(body), (n) => (count = n)).catch((error: unknown) => reportServerError(this.server, 'history', error));
    return count;
  }

  /**
   * As `publish`, resolving with the position once stored (a shared store delivers it when read
   * back, on every instance); rejects when the store failed: then nobody got it.
   */
  append(name: string, body: unknown): Promise<Position> {
    try {
      this.assertOpen(name);
      return this.store$(name, body, this.encodeBody(body), undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private store$(name: string, body: unknown, stored: StoredBody, delivered: ((count: number) => void) | undefined): Promise<Position> {
    return new Promise<Position>((resolve, reject) => {
      settle(() => this.store.append(name, stored), (position) => {
        // A shared store's publications come back through follow(), on every instance.
        if (!this.store.shared) {
          const entry: HistoryEntry = { epoch: position.epoch, offset: position.offset, body: stored };
          const frame = writeEnvelope(this.codec, { k: 'pub', channel: name, body, epoch: position.epoch, offset: position.offset });
          this.hold(this.feeds.get(name), entry, frame);
          const count = this.server.broadcast(frame, { topic: this.topicOf(name) });
          delivered?.(count);
        }
        resolve(position);
      }, reject);
    });
  }

  private assertOpen(name: string): void {
    if (this.closed) throw new Error(`publish(): the channels of this server are closed; '${name}' was not published`);
  }

  /** Stops following the store (the channels are closed). */
  close(): void {
    this.closed = true;
    for (const feed of this.feeds.values()) {
      feed.unfollow?.();
      for (const replay of feed.replays) clearTimeout(replay.timer);
    }
    this.feeds.clear();
  }

  private feed(name: string): Feed {
    let feed = this.feeds.get(name);
    if (feed !== undefined) return feed;
    const created: Feed = { replays: new Set(), live: new Set(), unfollow: undefined, followed: undefined };
    this.feeds.set(name, created);
    // Follow before the first read: what the store gets from now on reaches this instance.
    if (this.store.shared && this.store.follow !== undefined) {
      created.unfollow = this.store.follow(name, {
        entry: (entry) => this.onEntry(name, created, entry),
        position: (position) => {
          created.followed = position;
          for (const replay of [...created.replays]) replay.finish();
        },
      });
    }
    return created;
  }

  /** Forgets a feed nobody on this instance uses any more. */
  private release(name: string, feed: Feed): void {
    if (feed.replays.size > 0 || feed.live.size > 0 || this.feeds.get(name) !== feed) return;
    this.feeds.delete(name);
    feed.unfollow?.();
  }

  /** A shared store's entry, read back: to the live subscribers here, held for those being replayed to. */
  private onEntry(name: string, feed: Feed, entry: HistoryEntry): void {
    let frame: SendData;
    try {
      frame = this.frame(name, entry);
    } catch (error) {
      reportServerError(this.server, 'history', error);
      return;
    }
    feed.followed = entry;
    this.hold(feed, entry, frame);
    if (feed.live.size > 0) deliverLocally(this.server, frame, this.topicOf(name));
    for (const replay of feed.replays) if (replay.waiting) replay.finish();
  }

  private hold(feed: Feed | undefined, entry: HistoryEntry, frame: SendData): void {
    if (feed === undefined) return;
    for (const replay of feed.replays) {
      if (replay.held.length >= MAX_HELD) {
        replay.held = [];
        replay.overflowed = true;
      }
      replay.held.push({ entry, frame });
    }
  }

  private frame(name: string, entry: HistoryEntry): SendData {
    const body = this.codec.decode(entry.body, typeof entry.body !== 'string');
    return writeEnvelope(this.codec, { k: 'pub', channel: name, body, epoch: entry.epoch, offset: entry.offset });
  }

  private encodeBody(body: unknown): StoredBody {
    const data = this.codec.encode(body);
    return data instanceof ArrayBuffer ? new Uint8Array(data) : (data as StoredBody);
  }

  private send(connection: ServerConnection, envelope: Envelope): void {
    if (connection.readyState === OPEN) connection.send(writeEnvelope(this.codec, envelope));
  }
}
