// Who gets a broadcast: every connection, or the members of some topics, less one sender.
// Each message is framed once, however many topics and connections it reaches.
import { OPEN } from '../core/constants';
import type { SendData } from '../core/events';
import { encodeFrames, type BatchTarget, type FrameBatcher } from './frame-batcher';

/**
 * Whom `broadcast` and `publish` reach. With an adapter, `topic` travels to the other instances
 * and selects there too; `except` names a connection of this server, so it only applies here.
 *
 * @example
 * conn.messages$.subscribe((m) => server.broadcast(m.data, { topic: 'room:42', except: conn }));
 */
export interface BroadcastOptions {
  /** Only connections that joined this topic (or one of these topics; each connection gets it once). Default: all. */
  readonly topic?: string | readonly string[];
  /** Not to this connection (or the connection with this id), e.g. the sender of a chat message. */
  readonly except?: { readonly id: number } | number;
}

/** Longest topic name, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 1024;

/** Throws a TypeError unless `topic` is a usable topic name. */
export function assertTopic(topic: unknown, where: string): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw new TypeError(`${where}: a topic must be a non-empty string of at most ${MAX_TOPIC_LENGTH} characters, got ${JSON.stringify(topic)}`);
  }
}

/** The checked form of BroadcastOptions: topics as a list (undefined: everyone) and the excluded id (0: none). */
export interface Audience {
  readonly topics: readonly string[] | undefined;
  readonly exceptId: number;
}

const EVERYONE: Audience = { topics: undefined, exceptId: 0 };

/** Checks BroadcastOptions; throws a TypeError naming what is wrong. */
export function audienceOf(options: BroadcastOptions | undefined, where: string): Audience {
  if (options === undefined) return EVERYONE;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be { topic?, except? }`);
  const { topic, except } = options;
  let topics: readonly string[] | undefined;
  if (typeof topic === 'string') topics = [topic];
  else if (Array.isArray(topic)) topics = topic;
  else if (topic !== undefined) throw new TypeError(`${where}: topic must be a string or a list of strings`);
  if (topics !== undefined) for (const t of topics) assertTopic(t, where);
  let exceptId = 0;
  if (typeof except === 'number') exceptId = except;
  else if (typeof except === 'object' && except !== null && typeof except.id === 'number') exceptId = except.id;
  else if (except !== undefined) throw new TypeError(`${where}: except must be a connection or its id`);
  return topics === undefined && exceptId === 0 ? EVERYONE : { topics, exceptId };
}

/** What the fan-out needs from a connection (a ServerConnection; named by shape so this file does not import it). */
export interface FanoutMember extends BatchTarget {
  readonly id: number;
  /** False when an extension (permessage-deflate) means the frames cannot be shared. */
  readonly batchable: boolean;
  /** Stamp of the last multi-topic broadcast that reached this member. */
  broadcastMark: number;
  send(data: SendData): boolean;
}

/** Topic membership of a server's connections, and the local fan-out of one broadcast. */
export class Fanout<M extends FanoutMember = FanoutMember> {
  private readonly members = new Map<string, Set<M>>();
  /** Stamps connections already reached by a broadcast to several topics. */
  private mark = 0;
  private frames: Buffer[] | undefined = undefined;
  private from = -1;

  constructor(
    private readonly batcher: FrameBatcher,
    private readonly clients: ReadonlySet<M>,
  ) {}

  /** How many topics have at least one member. */
  get topicCount(): number {
    return this.members.size;
  }

  join(connection: M, topic: string): void {
    let set = this.members.get(topic);
    if (set === undefined) this.members.set(topic, (set = new Set()));
    set.add(connection);
  }

  leave(connection: M, topic: string): void {
    const set = this.members.get(topic);
    if (set === undefined) return;
    set.delete(connection);
    if (set.size === 0) this.members.delete(topic);
  }

  /** Queues `data` for the open connections of `audience` that `filter` accepts; returns how many. */
  deliver(data: SendData, audience: Audience, filter?: (connection: M) => boolean): number {
    const { topics, exceptId } = audience;
    let count = 0;
    this.frames = undefined;
    if (topics === undefined) {
      for (const c of this.clients) count += this.offer(c, data, exceptId, filter);
    } else if (topics.length === 1) {
      const set = this.members.get(topics[0]);
      if (set !== undefined) for (const c of set) count += this.offer(c, data, exceptId, filter);
    } else {
      const mark = ++this.mark;
      for (const topic of topics) {
        const set = this.members.get(topic);
        if (set === undefined) continue;
        for (const c of set) {
          if (c.broadcastMark === mark) continue;
          c.broadcastMark = mark;
          count += this.offer(c, data, exceptId, filter);
        }
      }
    }
    this.frames = undefined;
    return count;
  }

  private offer(c: M, data: SendData, exceptId: number, filter?: (connection: M) => boolean): number {
    if (c.readyState !== OPEN || c.id === exceptId || (filter !== undefined && !filter(c))) return 0;
    if (!c.batchable) {
      c.send(data);
      return 1;
    }
    if (this.frames === undefined) {
      this.frames = encodeFrames(data);
      this.from = this.batcher.add(this.frames);
    }
    this.batcher.enqueue(c, this.frames, this.from);
    return 1;
  }
}
