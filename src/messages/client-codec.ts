import { Observable, type OperatorFunction } from 'rxjs';
import type { SendData, WebSocketEvent } from '../core/events';
import { ClientMessaging, type MessagingOptions } from './client-messaging';
import { assertCodec, type Codec } from './codecs';
import { decodeEvents } from './decode-events';
import { MessageError } from './envelope';
import type { RequestOptions } from './requests';
import type { DecodeErrorPolicy, NoCodec } from './typed-events';

/** The codec options of `WebSocketClient`. */
export interface ClientCodecOptions<In = NoCodec, Out = SendData> {
  /**
   * How messages are encoded and decoded: `json()`, `msgpack()`, `text()`, `binary()` or your own.
   * Then `messages$` carries decoded values, `send` takes values to encode, and a message that does
   * not decode is a `decodeError` event. Default none: frames as they are.
   */
  codec?: Codec<In, Out>;
  /** What to do with a message that does not decode: `'event'` (default) or `'close'` (1007). */
  decodeErrors?: DecodeErrorPolicy;
  /**
   * Speak rxws's envelope (docs/protocol.md) with the codec: `request()` works, `send(value)`
   * sends a `msg` envelope and `messages$` gives their bodies. Needs a `codec` (`json()` or
   * `msgpack()`). `true` or options (`maxInFlight`, request defaults `timeoutMs` / `retries`,
   * `session`). Default off.
   */
  messaging?: boolean | MessagingOptions;
}

/** What `WebSocketClient` delegates its codec and requests to. */
export class ClientCodec {
  private constructor(
    private readonly codec: Codec<unknown, unknown>,
    private readonly decodeErrors: DecodeErrorPolicy | undefined,
    readonly messaging: ClientMessaging | undefined,
  ) {}

  /** The client's codec layer, or undefined without a codec; bad options throw a TypeError. */
  static from(options: ClientCodecOptions<unknown, unknown> & { scheduler?: MessagingOptions['scheduler'] }): ClientCodec | undefined {
    const { codec, decodeErrors, messaging } = options;
    if (codec === undefined) {
      if (messaging !== undefined && messaging !== false) throw new TypeError('WebSocketClient: messaging needs a codec to carry the envelope: add codec: json() or codec: msgpack()');
      return undefined;
    }
    assertCodec(codec, 'WebSocketClient');
    if (decodeErrors !== undefined && decodeErrors !== 'event' && decodeErrors !== 'close') throw new TypeError(`WebSocketClient: decodeErrors must be 'event' or 'close', got ${JSON.stringify(decodeErrors)}`);
    const layer = messaging === undefined || messaging === false ? undefined : new ClientMessaging({ scheduler: options.scheduler, ...(messaging === true ? {} : messaging) });
    return new ClientCodec(codec, decodeErrors, layer);
  }

  /** `request()` of a client with this layer (or with none: a clear error). */
  static request<R>(layer: ClientCodec | undefined, target: string, body: unknown, options: RequestOptions | undefined): Observable<R> {
    const messaging = layer?.messaging;
    if (messaging === undefined) {
      return new Observable<R>((subscriber) =>
        subscriber.error(new MessageError({ code: 'INVALID_OPTIONS', reason: 'request() needs the message layer: create the WebSocketClient with codec: json() (or msgpack()) and messaging: true' })),
      );
    }
    return messaging.request<R>(target, body, options);
  }

  /** The operator that decodes a connection's events. */
  decoder(): OperatorFunction<WebSocketEvent, WebSocketEvent> {
    return decodeEvents(this.codec, { decodeErrors: this.decodeErrors, layer: this.messaging }) as unknown as OperatorFunction<WebSocketEvent, WebSocketEvent>;
  }

  /** The client stopped: requests waiting for a reply end with CANCELLED. */
  stopped(): void {
    this.messaging?.requester.failAll(new MessageError({ code: 'CANCELLED', reason: 'The client stopped before the reply ended' }));
  }
}
