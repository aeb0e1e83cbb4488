// Client channels over the rxws envelope (docs/protocol.md: sub, subok, unsub, pub, err):
// refcounted per name, subscribed again on every open.
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { WebSocketEvent, WebSocketMessageEvent } from '../core/events';
import { json, type Codec } from '../messages/codecs';
import type { ClientMessaging } from '../messages/client-messaging';
import { envelopeProblem, MessageError, MAX_NAME_LENGTH, readEnvelope, type Envelope, type Position, type PubEnvelope, type SubOkEnvelope } from '../messages/envelope';
import type { ChannelEvent, ChannelGap } from './channel-events';

/** What the channels need of a client: its events, a way to send envelopes, whether it is open. */
export interface ChannelHost {
  /** The client's events: `open` subscribes again, `close` forgets the ids, `message` is read with `readEnvelope`. */
  readonly events$: Observable<WebSocketEvent>;
  sendEnvelope(envelope: Envelope): boolean;
  readonly isOpen: () => boolean;
  /** The next id of the client's id space (shared with requests, so an `err` names one of them). */
  readonly nextId: () => number;
  /** Told every gap in a channel's history (see `ChannelGap`), besides the channel's own event subscribers. */
  readonly onGap?: (gap: ChannelGap) => void;
  /**
   * The envelope a message event carries, if any. Undefined when a message layer reads the
   * frames and hands the envelopes to `Channels.receive` itself.
   */
  readonly readEnvelope?: (event: WebSocketMessageEvent) => Envelope | undefined;
}

/** Reads envelopes from frames with `codec` (a client without a codec); other frames give undefined. */
function frameReader(codec: Codec<unknown, unknown>): (event: WebSocketMessageEvent) => Envelope | undefined {
  // JSON text naming none of the kinds a client takes cannot be one: the application's frames skip the parse.
  const mayBeChannelFrame = codec.name === 'json'
    ? (data: string | Uint8Array) => typeof data !== 'string' || data.includes('"pub"') || data.includes('"subok"') || data.includes('"err"')
    : () => true;
  return (event) => {
    if (typeof event.data !== 'string' && !(event.data instanceof Uint8Array)) return undefined;
    if (!mayBeChannelFrame(event.data)) return undefined;
    const read = readEnvelope(codec, event.data, event.binary);
    return read.ok ? read.envelope : undefined;
  };
}

/** Reads envelopes from decoded values (a client with a codec and no message layer). */
function valueReader(event: WebSocketMessageEvent): Envelope | undefined {
  return envelopeProblem(event.data) === undefined ? (event.data as unknown as Envelope) : undefined;
}

/** One channel name's subscribers and its current subscription on the wire. */
interface Channel {
  readonly name: string;
  /** Subscribers of the bodies (`channel()`). */
  readonly subscribers: Set<Subscriber<unknown>>;
  /** Subscribers of the events (`channelEvents()`). */
  readonly watchers: Set<Subscriber<ChannelEvent<unknown>>>;
  /** The id of the `sub` sent on the current connection; 0 when none was sent on it. */
  id: number;
  /** The last position received (a channel with history); epoch undefined before any. */
  epoch: string | undefined;
  offset: number;
  /** The current `sub` asked to resume from that position. */
  resumed: boolean;
}

/** Throws a TypeError unless `name` is a usable channel name (docs/protocol.md, Limits). */
export function assertChannelName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new TypeError(`${where}: a channel name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${JSON.stringify(name)}`);
  }
}

/**
 * The channels of one client. The first subscriber of a name sends `sub`, the last one leaving
 * sends `unsub`; every `open` sends `sub` again for every name with subscribers. `pub` bodies go
 * to the name's subscribers; `err` for the current `sub` id errors them with a MessageError
 * (`CHANNEL_REFUSED`, `CHANNEL_CLOSED`, with the server's message).
 */
export class Channels {
  private readonly channels = new Map<string, Channel>();
  private watching: Subscription | undefined;

  constructor(private readonly host: ChannelHost) {}

  /** A cold Observable of `name`'s publications; see WebSocketClient.channel. */
  channel<T>(name: string): Observable<T> {
    assertChannelName(name, 'channel()');
    return new Observable<T>((subscriber) => this.join(name, (channel) => channel.subscribers, subscriber as Subscriber<unknown>));
  }

  /** A cold Observable of `name`'s events: publications with their positions, and gaps; see WebSocketClient.channelEvents. */
  channelEvents<T>(name: string): Observable<ChannelEvent<T>> {
    assertChannelName(name, 'channelEvents()');
    return new Observable<ChannelEvent<T>>((subscriber) => this.join(name, (channel) => channel.watchers, subscriber as Subscriber<ChannelEvent<unknown>>));
  }

  private join<S>(name: string, set: (channel: Channel) => Set<S>, subscriber: S): () => void {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = { name, subscribers: new Set(), watchers: new Set(), id: 0, epoch: undefined, offset: 0, resumed: false };
      this.channels.set(name, channel);
      this.watch();
      if (this.host.isOpen()) this.subscribe(channel);
    }
    const current = channel;
    set(current).add(subscriber);
    return () => {
      if (set(current).delete(subscriber)) this.leave(current);
    };
  }

  private leave(channel: Channel): void {
    if (channel.subscribers.size > 0 || channel.watchers.size > 0) return;
    if (this.channels.get(channel.name) === channel) this.channels.delete(channel.name);
    if (channel.id !== 0 && this.host.isOpen()) this.send({ k: 'unsub', channel: channel.name });
    channel.id = 0;
    if (this.channels.size === 0) {
      this.watching?.unsubscribe();
      this.watching = undefined;
    }
  }

  /** Follows the client's events while some channel has subscribers. */
  private watch(): void {
    if (this.watching !== undefined) return;
    this.watching = this.host.events$.subscribe((event) => {
      switch (event.type) {
        case 'open':
          for (const channel of this.channels.values()) this.subscribe(channel);
          break;
        case 'close':
          for (const channel of this.channels.values()) channel.id = 0;
          break;
        case 'message': {
          // Frames that are not envelopes are the application's own messages: not ours to judge.
          const envelope = this.host.readEnvelope?.(event);
          if (envelope !== undefined) this.receive(envelope);
          break;
        }
      }
    });
  }

  private subscribe(channel: Channel): void {
    channel.id = this.host.nextId();
    // docs/protocol.md, Resume: from the last position received, on every (re)subscription.
    channel.resumed = channel.epoch !== undefined;
    const resume = channel.epoch === undefined ? undefined : { epoch: channel.epoch, offset: channel.offset };
    this.send(resume === undefined ? { k: 'sub', id: channel.id, channel: channel.name } : { k: 'sub', id: channel.id, channel: channel.name, resume });
  }

  /** Takes a channel envelope (`pub`, `subok`, `err` of a subscription); true when it was one. */
  receive(envelope: Envelope): boolean {
    if (envelope.k === 'pub') {
      const channel = this.channels.get(envelope.channel);
      if (channel !== undefined && channel.id !== 0) this.publication(channel, envelope);
      return true;
    }
    if (envelope.k === 'subok') {
      const channel = this.byId(envelope.id);
      if (channel !== undefined) this.subscribed(channel, envelope);
      return true;
    }
    if (envelope.k === 'err' && envelope.id !== undefined) {
      const channel = this.byId(envelope.id);
      if (channel === undefined) return false;
      this.channels.delete(channel.name);
      channel.id = 0;
      const error = new MessageError({ code: envelope.code, reason: envelope.message, data: envelope.data });
      for (const subscriber of [...channel.subscribers]) subscriber.error(error);
      for (const watcher of [...channel.watchers]) watcher.error(error);
      return true;
    }
    return false;
  }

  /** A `subok`: where the channel stands, and whether a resume worked (docs/protocol.md, Resume). */
  private subscribed(channel: Channel, subok: SubOkEnvelope): void {
    const { epoch, offset, recovered } = subok;
    if (epoch !== undefined && offset !== undefined) {
      if (channel.resumed && recovered === false) {
        this.gap(channel, 'not-recovered', { epoch, offset });
      } else if (!(channel.resumed && recovered === true && epoch === channel.epoch)) {
        channel.epoch = epoch;
        channel.offset = offset;
      }
      // A resume that worked keeps the client's own position: the missed publications follow.
    }
    if (channel.watchers.size === 0) return;
    const position = channel.epoch === undefined ? undefined : { epoch: channel.epoch, offset: channel.offset };
    const event: ChannelEvent<unknown> = { type: 'subscribed', channel: channel.name, position, recovered };
    for (const watcher of [...channel.watchers]) watcher.next(event);
  }

  /** A `pub`: delivered once, in order; a publication already had is dropped, a skip is a gap. */
  private publication(channel: Channel, pub: PubEnvelope): void {
    const { epoch, offset } = pub;
    if (epoch !== undefined && offset !== undefined) {
      if (channel.epoch === epoch) {
        if (offset <= channel.offset) return; // sent again (a replay that met the live publications)
        if (offset > channel.offset + 1) this.gap(channel, 'skipped', { epoch, offset: offset - 1 });
      } else if (channel.epoch !== undefined) {
        this.gap(channel, 'epoch-changed', { epoch, offset: offset - 1 });
      }
      channel.epoch = epoch;
      channel.offset = offset;
    }
    for (const subscriber of [...channel.subscribers]) subscriber.next(pub.body);
    if (channel.watchers.size === 0) return;
    const event: ChannelEvent<unknown> = { type: 'publication', channel: channel.name, data: pub.body, position: epoch === undefined || offset === undefined ? undefined : { epoch, offset } };
    for (const watcher of [...channel.watchers]) watcher.next(event);
  }

  /** Tells of missed publications: the channel moves on to `current`. */
  private gap(channel: Channel, reason: ChannelGap['reason'], current: Position): void {
    const previous: Position = { epoch: channel.epoch ?? '', offset: channel.offset };
    const missed = previous.epoch === current.epoch ? Math.max(0, current.offset - previous.offset) : undefined;
    const gap: ChannelGap = { type: 'gap', channel: channel.name, reason, previous, current, missed };
    channel.epoch = current.epoch;
    channel.offset = current.offset;
    this.host.onGap?.(gap);
    for (const watcher of [...channel.watchers]) watcher.next(gap);
  }

  private byId(id: number): Channel | undefined {
    for (const channel of this.channels.values()) if (channel.id === id) return channel;
    return undefined;
  }

  private send(envelope: Envelope): void {
    this.host.sendEnvelope(envelope);
  }
}

/** What `channelsOf` needs of a client. */
export interface ChannelClient {
  readonly events$: Observable<WebSocketEvent>;
  readonly isOpen: () => boolean;
  /** The client's `send`: frames without a codec, values with one. */
  send(data: unknown): boolean;
  /** The client's message layer, when it has one. */
  readonly messaging: ClientMessaging | undefined;
  readonly hasCodec: boolean;
  /** Told every gap of every channel. */
  readonly onGap?: (gap: ChannelGap) => void;
}

/**
 * A client's channels: over its message layer when there is one (envelopes through its handlers,
 * ids from its requests' id space), else over its codec's values, else over JSON text frames.
 */
export function channelsOf(client: ChannelClient): Channels {
  const { events$, isOpen, messaging, onGap } = client;
  if (messaging !== undefined) {
    const channels = new Channels({ events$, isOpen, onGap, sendEnvelope: (e) => messaging.sendEnvelope(e), nextId: () => messaging.requester.allocateId() });
    messaging.addHandler((envelope) => channels.receive(envelope));
    return channels;
  }
  let lastId = 0; // docs/protocol.md: ids never repeat in a session
  const nextId = (): number => ++lastId;
  // With a codec, send encodes what it is given: hand it the envelope as a value.
  if (client.hasCodec) return new Channels({ events$, isOpen, nextId, onGap, sendEnvelope: (e) => client.send(e), readEnvelope: valueReader });
  const frames = json();
  return new Channels({ events$, isOpen, nextId, onGap, sendEnvelope: (e) => client.send(frames.encode(e)), readEnvelope: frameReader(frames) });
}
