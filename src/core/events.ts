import type { ReadyState } from './constants';

/** Data a socket can send: text frames for strings, binary frames for bytes. */
export type SendData = string | Uint8Array | ArrayBuffer;

/**
 * Why a message `send` accepted was not (surely) written: `maybeSent` is true when the
 * connection died while the message was being written, so part or all of it may have left.
 */
export interface WriteError extends Error {
  readonly maybeSent?: boolean;
}

/**
 * Called once for each message `send` accepted, in send order: with no argument when the whole
 * message was handed to the operating system, or with a `WriteError` when the connection died
 * first. Written is not received: bytes the OS took are still lost if the connection then dies
 * before they reach the peer. (`FakeSocket` calls it during `send` unless told to wait.)
 *
 * @example
 * socket.send('hello', (err) => err && console.warn(err.maybeSent ? 'may not have arrived' : 'not sent', err.message));
 */
export type WriteCallback = (err?: WriteError) => void;

/**
 * The handle of one open connection, carried by `open` and `message` events.
 * It stays the same object for the whole life of the connection.
 */
export interface SocketHandle {
  /**
   * Queues a text (string) or binary message; false when the connection is not open (then
   * `onWritten` is never called). `onWritten` reports, in send order, when the message was
   * written to the OS or could not be (Node: `ws.send`'s callback; browsers: from
   * `bufferedAmount`, checked on the next `send` and at close).
   */
  send(data: SendData, onWritten?: WriteCallback): boolean;
  /** Sends a ping (at most 125 bytes; more throws a RangeError); false when not open or not possible (browsers). */
  ping(data?: SendData): boolean;
  /** Starts the closing handshake; an invalid code or a reason over 123 bytes throws a RangeError. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: ReadyState;
  /** The negotiated subprotocol, '' if none. */
  readonly protocol: string;
}

export interface WebSocketOpenEvent {
  readonly type: 'open';
  /** The URL that was opened. */
  readonly url: string;
  /** Handshake response headers with lower-case keys; empty in browsers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The negotiated subprotocol, '' if none. */
  readonly protocol: string;
  /** The proxy the connection went through, its password masked (`http://user:***@host:3128`); absent when direct. */
  readonly proxy?: string;
  readonly socket: SocketHandle;
}

interface MessageBase {
  readonly type: 'message';
  /** Payload size in bytes as received (after inflation when per-message deflate is on). */
  readonly wireSize: number;
  readonly socket: SocketHandle;
}

/** A text message. */
export interface WebSocketTextMessageEvent extends MessageBase {
  readonly binary: false;
  readonly data: string;
}

/** A binary message. */
export interface WebSocketBinaryMessageEvent extends MessageBase {
  readonly binary: true;
  readonly data: Uint8Array;
}

/** A message: narrow on `binary` to get `data` as string or Uint8Array. */
export type WebSocketMessageEvent = WebSocketTextMessageEvent | WebSocketBinaryMessageEvent;

/** A ping from the peer (already answered with a pong) — Node only. */
export interface WebSocketPingEvent {
  readonly type: 'ping';
  readonly data: Uint8Array;
}

/** A pong from the peer — Node only. */
export interface WebSocketPongEvent {
  readonly type: 'pong';
  readonly data: Uint8Array;
}

export interface WebSocketCloseEvent {
  readonly type: 'close';
  /** The close code: the peer's, 1005 when its close frame had none, 1006 when the connection just ended. */
  readonly code: number;
  readonly reason: string;
  /** True when the peer started the closing handshake (or the connection dropped). */
  readonly remote: boolean;
  /** True when close frames were exchanged. */
  readonly wasClean: boolean;
}

/** A failed try, emitted by `reconnect` before it tries again. */
export interface WebSocketErrorEvent {
  readonly type: 'error';
  readonly reason: string;
  /** How many tries in a row have failed, counted from 1. */
  readonly retries: number;
  /** How long `reconnect` waits before the next try. */
  readonly waitTimeMs: number;
  /** The HTTP status of a refused upgrade, 0 when there was none. */
  readonly httpStatus: number;
  /** What failed: a WebSocketError, or the close event of a dropped connection. */
  readonly cause: unknown;
}

/** Everything a connection can tell, discriminated by `type`. */
export type WebSocketEvent =
  | WebSocketOpenEvent
  | WebSocketMessageEvent
  | WebSocketPingEvent
  | WebSocketPongEvent
  | WebSocketCloseEvent
  | WebSocketErrorEvent;

export type WebSocketEventType = WebSocketEvent['type'];
