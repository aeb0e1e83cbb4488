// The events of a connection that has a codec: `message` carries decoded values, `send` encodes.
import type {
  SocketHandle,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketEvent,
  WebSocketOpenEvent,
  WebSocketPingEvent,
  WebSocketPongEvent,
  WriteCallback,
} from '../core/events';
import type { Codec, RawData } from './codecs';
import type { MessageError } from './envelope';

/** The socket of a connection with a codec: `send` takes the codec's `Out` values and encodes them. */
export interface TypedSocketHandle<Out> extends Omit<SocketHandle, 'send'> {
  /**
   * Encodes `value` and sends it; false when the connection is not open. A value the codec cannot
   * encode throws its error (a TypeError for JSON), and nothing is sent.
   */
  send(value: Out, onWritten?: WriteCallback): boolean;
  /** The socket underneath, which sends frames as they are. */
  readonly raw: SocketHandle;
}

/** `open`, with the typed socket. */
export interface TypedOpenEvent<Out> extends Omit<WebSocketOpenEvent, 'socket'> {
  readonly socket: TypedSocketHandle<Out>;
}

/** A message the codec decoded. */
export interface DecodedMessageEvent<In, Out> {
  readonly type: 'message';
  /** The decoded value. */
  readonly data: In;
  /** The frame as received. */
  readonly raw: RawData;
  /** True for a binary frame. */
  readonly binary: boolean;
  /** Payload size in bytes as received. */
  readonly wireSize: number;
  readonly socket: TypedSocketHandle<Out>;
}

/**
 * A message that did not decode (or, with requests on, was not an envelope): reported, never
 * dropped silently. `error.code` is `DECODE_FAILED` (or `INVALID_ENVELOPE`), `error.raw` the frame,
 * `error.cause` the codec's error. With `decodeErrors: 'close'` the connection is then closed with 1007.
 */
export interface DecodeErrorEvent<Out> {
  readonly type: 'decodeError';
  readonly error: MessageError;
  readonly raw: RawData;
  readonly binary: boolean;
  readonly wireSize: number;
  readonly socket: TypedSocketHandle<Out>;
}

/** Everything a connection with a codec can tell, discriminated by `type`. */
export type TypedWebSocketEvent<In, Out> =
  | TypedOpenEvent<Out>
  | DecodedMessageEvent<In, Out>
  | DecodeErrorEvent<Out>
  | WebSocketPingEvent
  | WebSocketPongEvent
  | WebSocketCloseEvent
  | WebSocketErrorEvent;

/**
 * What to do with a message that does not decode: `'event'` (default) emits a `decodeError`
 * event and goes on; `'close'` emits it and closes the connection with 1007 (RFC 6455 §7.4.1:
 * data inconsistent with the type of the message).
 */
export type DecodeErrorPolicy = 'event' | 'close';

/** The codec options of `connect`, `WebSocketClient` and `serve()`. */
export interface CodecOptions<In, Out> {
  /** How messages are encoded and decoded: `json()`, `msgpack()`, `text()`, `binary()`, or your own. */
  codec: Codec<In, Out>;
  /** What to do with a message that does not decode. Default `'event'`. */
  decodeErrors?: DecodeErrorPolicy;
}

/** The type parameter of a connection without a codec (its events are the plain `WebSocketEvent`s). */
export interface NoCodec {
  readonly __rxwsNoCodec: never;
}

/** `WebSocketEvent` without a codec, `TypedWebSocketEvent<In, Out>` with one. */
export type EventOf<In, Out> = [In] extends [NoCodec] ? WebSocketEvent : TypedWebSocketEvent<In, Out>;
/** The message event without a codec or with one. */
export type MessageEventOf<In, Out> = Extract<EventOf<In, Out>, { type: 'message' }>;
