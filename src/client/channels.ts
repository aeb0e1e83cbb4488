// Client channels over the rxws envelope (docs/protocol.md: sub, subok, unsub, pub, err):
// refcounted per name, subscribed again on every open.
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { SendData, WebSocketEvent } from '../observables/events';
import type { Codec } from '../messages/codecs';
import { MessageError, MAX_NAME_LENGTH, readEnvelope, writeEnvelope, type Envelope } from '../messages/envelope';

/** What the channels need of a client: its events, a way to send, and whether it is open. */
export interface ChannelHost {
  readonly events$: Observable<WebSocketEvent>;
  send(data: SendData): boolean;
  readonly isOpen: () => boolean;
  /** The next id of the client's id space (shared with requests, so an `err` names one of them). */
  readonly nextId: () => number;
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

  constructor(
    private readonly host: ChannelHost,
    private readonly codec: Codec<unknown, unknown>,
  ) {}

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
          const read = readEnvelope(this.codec, event.data, event.binary);
          // Frames that are not envelopes are the application's own messages: not ours to judge.
          if (read.ok) this.receive(read.envelope);
          break;
        }
      }
    });
  }

  private subscribe(channel: Channel): void {
    channel.id = this.host.nextId();
    this.send({ k: 'sub', id: channel.id, channel: channel.name });
  }

  private receive(envelope: Envelope): void {
    if (envelope.k === 'pub') {
      const channel = this.channels.get(envelope.channel);
      if (channel === undefined || channel.id === 0) return;
      for (const subscriber of [...channel.subscribers]) subscriber.next(envelope.body);
    } else if (envelope.k === 'err' && envelope.id !== undefined) {
      const channel = this.byId(envelope.id);
      if (channel === undefined) return;
      this.channels.delete(channel.name);
      channel.id = 0;
      const error = new MessageError({ code: envelope.code, message: envelope.message, data: envelope.data });
      for (const subscriber of [...channel.subscribers]) subscriber.error(error);
    }
  }

  private byId(id: number): Channel | undefined {
    for (const channel of this.channels.values()) if (channel.id === id) return channel;
    return undefined;
  }

  private send(envelope: Envelope): void {
    this.host.send(writeEnvelope(this.codec, envelope));
  }
}
