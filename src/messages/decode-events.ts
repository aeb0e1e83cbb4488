import { Observable, type OperatorFunction } from 'rxjs';
import { CloseCode } from '../core/constants';
import type { SendData, SocketHandle, WebSocketEvent, WriteCallback } from '../core/events';
import type { ReadyState } from '../core/constants';
import type { Codec, RawData } from './codecs';
import { decodeFailed, type MessageError } from './envelope';
import type { DecodeErrorPolicy, TypedSocketHandle, TypedWebSocketEvent } from './typed-events';

/** Returned by `MessageLayer.unwrap` for a frame the layer handled itself (a reply, a welcome…). */
export const TAKEN: unique symbol = Symbol('taken');

/**
 * What sits between the codec and the application when the envelope is on (requests, channels):
 * it wraps sent values in `msg` envelopes and takes the envelopes that are not application messages.
 */
export interface MessageLayer {
  /** What `send(value)` encodes: e.g. `{ k: 'msg', body: value }`. */
  wrap(value: unknown): unknown;
  /** A decoded frame: the application value it carries, TAKEN, or the error to report for it. */
  unwrap(value: unknown, raw: RawData): unknown;
  /** A connection has opened on `socket` (a typed socket that encodes what it is given as is). */
  opened(socket: SocketHandle, send: (value: unknown) => boolean): void;
  /** That connection has ended. */
  closed(): void;
  /** A frame was refused (did not decode, or is not an envelope): e.g. tell the peer. */
  rejected(error: MessageError): void;
  /** The socket did not take the value last given to `wrap` (it was not open, or did not encode). */
  notSent?(): void;
}

/** The error type `unwrap` returns (not throws) for a frame it refuses. */
export class UnwrapError {
  constructor(readonly error: MessageError) {}
}

/** A socket that encodes values with a codec (and the layer, when the envelope is on). */
class TypedSocket<Out> implements TypedSocketHandle<Out> {
  constructor(
    readonly raw: SocketHandle,
    private readonly codec: Codec<unknown, unknown>,
    private readonly layer: MessageLayer | undefined,
  ) {}

  /** Encodes `value` (wrapped by the layer when there is one) and sends it. */
  send(value: Out, onWritten?: WriteCallback): boolean {
    const layer = this.layer;
    if (layer === undefined) return this.raw.send(this.codec.encode(value), onWritten);
    let sent = false;
    try {
      sent = this.raw.send(this.codec.encode(layer.wrap(value)), onWritten);
    } finally {
      if (!sent) layer.notSent?.();
    }
    return sent;
  }

  /** Encodes `value` as is (an envelope), without the layer's wrapping. */
  sendEncoded(value: unknown): boolean {
    return this.raw.send(this.codec.encode(value));
  }

  /** As `SocketHandle.ping`. */
  ping(data?: SendData): boolean {
    return this.raw.ping(data);
  }

  /** As `SocketHandle.close`. */
  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }

  /** Bytes queued but not yet written to the network. */
  get bufferedAmount(): number {
    return this.raw.bufferedAmount;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): ReadyState {
    return this.raw.readyState;
  }

  /** The negotiated subprotocol, '' if none. */
  get protocol(): string {
    return this.raw.protocol;
  }
}

/** Options of `decodeEvents`. */
export interface DecodeEventsOptions {
  /** What to do with a message that does not decode. Default `'event'`. */
  decodeErrors?: DecodeErrorPolicy;
  /** The envelope layer, when requests or channels are on. */
  layer?: MessageLayer;
}

/**
 * Turns a connection's events into typed ones: `message` data decoded with `codec`, the socket
 * encoding what it sends. A frame that does not decode becomes a `decodeError` event (and, with
 * `decodeErrors: 'close'`, closes the connection with 1007). Other events pass as they are.
 *
 * @example
 * connect('ws://127.0.0.1:8008').pipe(decodeEvents(json<{ n: number }>())).subscribe((e) => {
 *   if (e.type === 'message') console.log(e.data.n);
 * });
 */
export function decodeEvents<In, Out>(codec: Codec<In, Out>, options: DecodeEventsOptions = {}): OperatorFunction<WebSocketEvent, TypedWebSocketEvent<In, Out>> {
  const closeOnError = options.decodeErrors === 'close';
  const layer = options.layer;
  const anyCodec = codec as Codec<unknown, unknown>;
  return (source) =>
    new Observable<TypedWebSocketEvent<In, Out>>((subscriber) => {
      let socket: TypedSocket<Out> | undefined;
      let opened = false;
      const end = (): void => {
        if (!opened) return;
        opened = false;
        layer?.closed();
      };
      const subscription = source.subscribe({
        next: (event) => {
          switch (event.type) {
            case 'open': {
              socket = new TypedSocket<Out>(event.socket, anyCodec, layer);
              const typed = socket;
              // The layer first: its hello goes before anything sent from an open handler.
              opened = true;
              layer?.opened(event.socket, (value) => typed.sendEncoded(value));
              subscriber.next({ type: 'open', url: event.url, headers: event.headers, protocol: event.protocol, socket: typed });
              return;
            }
            case 'message': {
              const typed = socket ?? (socket = new TypedSocket<Out>(event.socket, anyCodec, layer));
              let value: unknown;
              let error: MessageError | undefined;
              try {
                value = codec.decode(event.data, event.binary);
              } catch (cause) {
                error = decodeFailed(anyCodec, event.data, cause);
              }
              if (error === undefined && layer !== undefined) {
                value = layer.unwrap(value, event.data);
                if (value === TAKEN) return;
                if (value instanceof UnwrapError) error = value.error;
              }
              if (error === undefined) {
                subscriber.next({ type: 'message', data: value as In, raw: event.data, binary: event.binary, wireSize: event.wireSize, socket: typed });
                return;
              }
              subscriber.next({ type: 'decodeError', error, raw: event.data, binary: event.binary, wireSize: event.wireSize, socket: typed });
              layer?.rejected(error);
              if (closeOnError) event.socket.close(CloseCode.INVALID_PAYLOAD, error.code === 'DECODE_FAILED' ? 'Message did not decode' : 'Message is not an envelope');
              return;
            }
            case 'close':
              end();
              socket = undefined;
              subscriber.next(event);
              return;
            default:
              subscriber.next(event);
          }
        },
        error: (err: unknown) => {
          end();
          subscriber.error(err);
        },
        complete: () => {
          end();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        end();
      };
    });
}
