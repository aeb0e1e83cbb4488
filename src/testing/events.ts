import type {
  SocketHandle,
  WebSocketBinaryMessageEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketOpenEvent,
  WebSocketPingEvent,
  WebSocketPongEvent,
  WebSocketTextMessageEvent,
} from '../core/events';
import { toBytes, utf8Length } from '../core/utf8';
import { FakeSocket } from './fake-socket';

/** Fields of an `open` event; all have defaults. */
export interface OpenEventInit {
  /** Default `ws://test.invalid/`. */
  url?: string;
  /** Default ''. */
  protocol?: string;
  /** Default {}. */
  headers?: Record<string, string>;
  /** Default a new open FakeSocket with the same protocol. */
  socket?: SocketHandle;
}

/**
 * Event factories for marble diagrams: the same shapes `connect` emits.
 *
 * @example
 * const socket = new FakeSocket();
 * const events$ = cold('o-m-c|', {
 *   o: openEvent({ socket }), m: textMessage('hi', socket), c: closeEvent({ code: 1001 }),
 * });
 */
export function openEvent(init: OpenEventInit = {}): WebSocketOpenEvent {
  const protocol = init.protocol ?? init.socket?.protocol ?? '';
  return {
    type: 'open',
    url: init.url ?? 'ws://test.invalid/',
    headers: init.headers ?? {},
    protocol,
    socket: init.socket ?? new FakeSocket({ protocol }),
  };
}

/** A text `message` event; `wireSize` is the UTF-8 length. */
export function textMessage(data: string, socket: SocketHandle = new FakeSocket()): WebSocketTextMessageEvent {
  return { type: 'message', binary: false, data, wireSize: utf8Length(data), socket };
}

/** A binary `message` event from bytes (or an array of byte values). */
export function binaryMessage(data: Uint8Array | ArrayBuffer | readonly number[], socket: SocketHandle = new FakeSocket()): WebSocketBinaryMessageEvent {
  const bytes = Array.isArray(data) ? Uint8Array.from(data as readonly number[]) : toBytes(data as Uint8Array | ArrayBuffer);
  return { type: 'message', binary: true, data: bytes, wireSize: bytes.byteLength, socket };
}

/** A `ping` event (a ping received from the peer). */
export function pingEvent(data: string | Uint8Array = new Uint8Array(0)): WebSocketPingEvent {
  return { type: 'ping', data: toBytes(data) };
}

/** A `pong` event (the answer to one of our pings). */
export function pongEvent(data: string | Uint8Array = new Uint8Array(0)): WebSocketPongEvent {
  return { type: 'pong', data: toBytes(data) };
}

/**
 * A `close` event. Defaults: code 1000, reason '', `remote` true, `wasClean` true unless the
 * code is 1006.
 */
export function closeEvent(init: Partial<Omit<WebSocketCloseEvent, 'type'>> = {}): WebSocketCloseEvent {
  const code = init.code ?? 1000;
  return { type: 'close', code, reason: init.reason ?? '', remote: init.remote ?? true, wasClean: init.wasClean ?? code !== 1006 };
}

/** An `error` event as `reconnect` emits it. Defaults: retries 1, waitTimeMs 100, httpStatus 0, cause undefined. */
export function errorEvent(init: Partial<Omit<WebSocketErrorEvent, 'type'>> & { reason: string }): WebSocketErrorEvent {
  return {
    type: 'error',
    reason: init.reason,
    retries: init.retries ?? 1,
    waitTimeMs: init.waitTimeMs ?? 100,
    httpStatus: init.httpStatus ?? 0,
    cause: init.cause,
  };
}
