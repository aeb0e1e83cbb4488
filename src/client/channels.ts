// Client channels over the rxws envelope (docs/protocol.md: sub, subok, unsub, pub, err):
// refcounted per name, subscribed again on every open.
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { WebSocketEvent, WebSocketMessageEvent } from '../core/events';
import { json, type Codec } from '../messages/codecs';
import type { ClientMessaging } from '../messages/client-messaging';
import { envelopeProblem, MessageError, MAX_NAME_LENGTH, readEnvelope, type Envelope } from '../messages/envelope';

/** What the channels need of a client: its events, a way to send envelopes, whether it is open. */
export interface ChannelHost {
  /** The client's events: `open` subscribes again, `close` forgets the ids, `message` is read with `readEnvelope`. */
  readonly events$: Observable<WebSocketEvent>;
  sendEnvelope(envelope: Envelope): boolean;
  readonly isOpen: () => boolean;
  /** The next id of the client's id space (shared with requests, so an `err` names one of them). */
  readonly nextId: () => number;
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
  readonly subscribers: Set<Subscriber<unknown>>;
  /** The id of the `sub` sent on the current connection; 0 when none was sent on it. */
  id: number;
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
    return new Observable<T>((subscriber) => {
      let channel = this.channels.get(name);
      if (channel === undefined) {
        channel = { name, subscribers: new Set(), id: 0 };
        this.channels.set(name, channel);
        this.watch();
        if (this.host.isOpen()) this.subscribe(channel);
      }
      const current = channel;
      current.subscribers.add(subscriber as Subscriber<unknown>);
      return () => this.leave(current, subscriber as Subscriber<unknown>);
    });
  }

  private leave(channel: Channel, subscriber: Subscriber<unknown>): void {
    if (!channel.subscribers.delete(subscriber) || channel.subscribers.size > 0) return;
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
    this.send({ k: 'sub', id: channel.id, channel: channel.name });
  }

  /** Takes a channel envelope (`pub`, `subok`, `err` of a subscription); true when it was one. */
  receive(envelope: Envelope): boolean {
    if (envelope.k === 'pub') {
      const channel = this.channels.get(envelope.channel);
      if (channel !== undefined && channel.id !== 0) for (const subscriber of [...channel.subscribers]) subscriber.next(envelope.body);
      return true;
    }
    if (envelope.k === 'subok') return true;
    if (envelope.k === 'err' && envelope.id !== undefined) {
      const channel = this.byId(envelope.id);
      if (channel === undefined) return false;
      this.channels.delete(channel.name);
      channel.id = 0;
      const error = new MessageError({ code: envelope.code, reason: envelope.message, data: envelope.data });
      for (const subscriber of [...channel.subscribers]) subscriber.error(error);
      return true;
    }
    return false;
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
}

/**
 * A client's channels: over its message layer when there is one (envelopes through its handlers,
 * ids from its requests' id space), else over its codec's values, else over JSON text frames.
 */
export function channelsOf(client: ChannelClient): Channels {
  const { events$, isOpen, messaging } = client;
  if (messaging !== undefined) {
    const channels = new Channels({ events$, isOpen, sendEnvelope: (e) => messaging.sendEnvelope(e), nextId: () => messaging.requester.allocateId() });
    messaging.addHandler((envelope) => channels.receive(envelope));
    return channels;
  }
  let lastId = 0; // docs/protocol.md: ids never repeat in a session
  const nextId = (): number => ++lastId;
  // With a codec, send encodes what it is given: hand it the envelope as a value.
  if (client.hasCodec) return new Channels({ events$, isOpen, nextId, sendEnvelope: (e) => client.send(e), readEnvelope: valueReader });
  const frames = json();
  return new Channels({ events$, isOpen, nextId, sendEnvelope: (e) => client.send(frames.encode(e)), readEnvelope: frameReader(frames) });
}
