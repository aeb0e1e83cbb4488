// Node-only: wraps a `ws` WebSocket (client or server side) as an rxws SocketHandle and
// maps its events to the rxws event union. Reached only through the Node transport and the
// server; the browser build replaces the transport and never bundles this file.
import WebSocket, { type WebSocket as WsWebSocket } from 'ws';
import { CLOSED, CloseCode, OPEN, type ReadyState } from '../core/constants';
import type { SendData, SocketHandle, WebSocketCloseEvent, WriteCallback, WriteError } from '../core/events';
import type { EventSink } from './sink';
import { assertCloseArgs, assertControlPayload, assertSendData } from '../core/validation';

/**
 * The close code `ws` sent for a receiver error: it keeps it on the error under its private
 * `kStatusCode` symbol (1009 for a 2^53 length, 1008 for too many fragments, 1007 for bad
 * deflate data), while its close event says 1006. Read by the symbol's description; undefined
 * if a `ws` release stops attaching it.
 */
function wireCloseCode(err: object): number | undefined {
  for (const key of Object.getOwnPropertySymbols(err)) {
    if (key.description !== 'status-code') continue;
    const code = (err as Record<symbol, unknown>)[key];
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The close code a `ws` receiver error stands for (RFC 6455 §7.4.1): the one ws sent, else by its code. */
function closeCodeOfWsError(err: Error & { code?: string }): number {
  const sent = wireCloseCode(err);
  if (sent !== undefined) return sent;
  switch (err.code) {
    case 'WS_ERR_INVALID_UTF8':
      return CloseCode.INVALID_PAYLOAD;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return CloseCode.MESSAGE_TOO_BIG;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS': // over 16384 fragments in one message (ws's guard)
      return CloseCode.POLICY_VIOLATION;
    default:
      return CloseCode.PROTOCOL_ERROR;
  }
}

const EMPTY = new Uint8Array(0);

/** ws's count of automatic pongs not yet written, and its limit (60 by default): private fields. */
type PongCounts = { _pendingAutoPongs?: number; _maxPendingAutoPongs?: number };

function pendingPongLimit(ws: WsWebSocket): number {
  return (ws as unknown as PongCounts)._maxPendingAutoPongs ?? 0;
}

/** Whether ws dropped the connection because the peer sent more pings than it read pongs for. */
function isPingFlood(ws: WsWebSocket): boolean {
  const { _pendingAutoPongs: pending = 0 } = ws as unknown as PongCounts;
  const limit = pendingPongLimit(ws);
  return limit > 0 && pending >= limit;
}

/** Where a `ws` WebSocket's events go: its WsSocket, found by the shared listeners below. */
const OWNER = Symbol('rxws.WsSocket');
type OwnedWs = WsWebSocket & { [OWNER]?: WsSocket };

/**
 * A `ws` WebSocket that hands its message, ping, pong, close and error events to its WsSocket
 * without listeners: five listeners grow the emitter's table by ~90 bytes on every idle
 * connection, and cost their registration on every handshake. Listeners others add (the client
 * transport's handshake ones) are called as usual. The server makes its connections of this
 * class (ws's `WebSocket` option), the client transport its sockets.
 */
export class OwnedWebSocket extends WebSocket {
  [OWNER]: WsSocket | undefined = undefined;

  /** ws's close, after making the second `end()` of its socket and receiver free (see `endOnce`). */
  override close(code?: number, data?: string | Buffer): void {
    if (this.readyState === OPEN) quietSecondEnds(this);
    super.close(code, data);
  }

  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    const owner = this[OWNER];
    if (owner !== undefined) {
      switch (event) {
        case 'message':
          WsSocket.onMessage.call(this, a as Buffer, b as boolean);
          break;
        case 'ping':
          WsSocket.onPing.call(this, a as Buffer);
          break;
        case 'pong':
          WsSocket.onPong.call(this, a as Buffer);
          break;
        case 'close':
          WsSocket.onClose.call(this, a as number, b as Buffer);
          break;
        case 'error':
          WsSocket.onError.call(this, a as Error);
          // Handled: without other listeners an emitter would throw it.
          if (this.listenerCount('error') === 0) return true;
          break;
      }
    }
    // ws emits at most two arguments; pass on as many as it gave.
    if (b !== undefined) return super.emit(event, a, b);
    if (a !== undefined) return super.emit(event, a);
    return super.emit(event);
  }
}

/** What `endOnce` reads of a stream: Node's writable state. */
type Endable = { end(...args: unknown[]): unknown; _writableState?: { finished: boolean; destroyed: boolean; corked: number } };

/**
 * `end()` as Node's, minus the error it builds and drops. Once the closing handshake is over, ws
 * ends the socket again when the peer's FIN arrives and its receiver again when the socket
 * closes; on a stream already finished Node's `end()` does nothing but construct an
 * ERR_STREAM_ALREADY_FINISHED, stack trace and all, that no one reads: two per connection, about
 * 7 % of a handshake's CPU on either side. With no arguments (as ws calls it) on a finished or
 * destroyed stream this returns at once; any other call is Node's.
 */
function endOnce(this: Endable, ...args: unknown[]): unknown {
  const state = this._writableState;
  if (args.length === 0 && state !== undefined && (state.finished || state.destroyed) && state.corked === 0) return this;
  return (Object.getPrototypeOf(this) as Endable).end.apply(this, args);
}

/**
 * Gives ws's socket and receiver `endOnce`, when the connection starts closing (not at the open:
 * an idle connection carries nothing for it).
 */
function quietSecondEnds(ws: WsWebSocket): void {
  const { _socket: socket, _receiver: receiver } = ws as unknown as { _socket?: Endable | null; _receiver?: Endable };
  if (socket) socket.end = endOnce;
  if (receiver) receiver.end = endOnce;
}

/** The network socket under a `ws` WebSocket: `_socket` is ws's (set once, never cleared). */
function transportOf(ws: WsWebSocket): { readonly destroyed: boolean; readonly errored: Error | null } | undefined {
  return (ws as unknown as { _socket?: { destroyed: boolean; errored: Error | null } | null })._socket ?? undefined;
}

/** The network socket under a `ws` WebSocket, as far as corking needs it. */
type Corkable = { cork(): void; uncork(): void; readonly writableLength: number };

function corkableOf(ws: WsWebSocket): Corkable | undefined {
  return (ws as unknown as { _socket?: Corkable | null })._socket ?? undefined;
}

/**
 * What a corked socket holds before its first write of a turn. A turn of many small sends is
 * written in a few writes, not one: the first once 4 KiB are held, each next one holding twice
 * as much as the one before, up to CORK_FLUSH_BYTES. The peer starts reading (and answering)
 * the first frames while this end still produces the rest, so both ends work at once instead of
 * taking turns; a turn of 100 requests leaves in two writes, one of 1000 small echoes in four.
 */
const CORK_FIRST_WRITE_BYTES = 4 * 1024;
/**
 * The most a corked socket holds before writing, so that a turn of large sends reaches the
 * kernel about as it would uncorked and `bufferedAmount` (and with it the 1008 back-pressure
 * limit) counts little more than what the kernel did not take. Writes this large already cost
 * few system calls per byte.
 */
const CORK_FLUSH_BYTES = 64 * 1024;
/**
 * A message this large (in bytes, or UTF-16 units for text: never more than its bytes) is not
 * corked: one write of it costs little next to copying it, and holding it back only delays it.
 * What the turn corked before it is written first, so the order stays.
 */
const CORK_MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * Network sockets corked in this turn by `coalesceWrites`, uncorked together by one microtask,
 * each with the bytes it may hold before its next write.
 */
const corked = new Map<Corkable, number>();
function uncorkAll(): void {
  for (const socket of corked.keys()) socket.uncork();
  corked.clear();
}

/** Writes now what `socket` holds for this turn (before a terminate, which would drop it). */
function uncorkNow(socket: Corkable | undefined): void {
  if (socket !== undefined && corked.delete(socket)) socket.uncork();
}

function writeInDoubt(): WriteError {
  return Object.assign(new Error('The connection died while this message was being written: part or all of it may have reached the peer'), { maybeSent: true });
}

/**
 * The `onWritten` callbacks of one connection's messages not yet reported, oldest first. `ws`
 * calls send callbacks in send order, so its one callback (`done`) settles the oldest.
 */
class WriteReports {
  private readonly callbacks: Array<WriteCallback | undefined> = [];
  private head = 0;
  readonly done = (err?: Error | null): void => {
    const callbacks = this.callbacks;
    if (this.head >= callbacks.length) return;
    const callback = callbacks[this.head];
    callbacks[this.head++] = undefined;
    if (this.head === callbacks.length) callbacks.length = this.head = 0;
    // Node reports a write cut short by a destroyed socket as done (its bytes may be partly
    // sent): a write reported after the socket was destroyed is in doubt, not written.
    callback?.(err ?? (transportOf(this.ws)?.destroyed === true ? writeInDoubt() : undefined));
  };

  constructor(private readonly ws: WsWebSocket) {}

  add(callback: WriteCallback): void {
    this.callbacks.push(callback);
  }
}

/** What a connection learns as it ends; made when the first of it is known (an open one carries none). */
interface Ending {
  /** Set once the peer violated the protocol: reported as the close code instead of ws's 1006. */
  violation?: { code: number; reason: string };
  /** The code and reason of our own close: reported when the peer never answers it (half-open). */
  localClose?: { code: number; reason: string };
  lastError?: Error;
  /** The close event reported. */
  closeEvent?: WebSocketCloseEvent;
}

// Bits of WsSocket.flags: booleans of a connection in one number field, not a field each (each
// field is 8 bytes on every idle server connection). Subclasses use the bits from FIRST_FREE_FLAG.
const PLAIN_BINARY = 1;
const CORKS_WRITES = 2;
const CLOSED_LOCALLY = 4;
/** @internal The first flag bit a subclass may use. */
export const FIRST_FREE_FLAG = 8;

/**
 * One open (or opening) `ws` connection as a SocketHandle. The `ws` listeners are shared by all
 * connections (an emitter calls them with itself as `this`, which leads to its WsSocket): no
 * closure per connection, which counts at 10,000 idle server connections. The message path
 * allocates only the event object.
 */
export class WsSocket implements SocketHandle {
  /** @internal Flag bits (PLAIN_BINARY …; subclasses' from FIRST_FREE_FLAG). */
  protected flags: number;
  private ending: Ending | undefined = undefined;
  private sink: EventSink | undefined = undefined;
  /** Made on the first send with `onWritten`: an idle server connection carries none. */
  private writeReports: WriteReports | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The ws connection (kept out of the public types: they do not depend on @types/ws). */
    readonly ws: WsWebSocket,
    plainBinary: boolean,
    /** Frames sent in one turn leave together: one write, a few past 4 KiB (`corkWrites`, default on). */
    corksWrites = true,
  ) {
    this.flags = (plainBinary ? PLAIN_BINARY : 0) | (corksWrites ? CORKS_WRITES : 0);
  }

  private get ended(): Ending {
    return (this.ending ??= {});
  }

  /** @internal The close event this connection reported, once it has. */
  protected get reportedClose(): WebSocketCloseEvent | undefined {
    return this.ending?.closeEvent;
  }

  get readyState(): ReadyState {
    return this.ws.readyState as ReadyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: SendData, onWritten?: WriteCallback): boolean {
    assertSendData(data);
    if (this.ws.readyState !== OPEN) return false;
    const payload = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if ((typeof payload === 'string' ? payload.length : payload.byteLength) < CORK_MAX_MESSAGE_BYTES) this.coalesceWrites();
    else uncorkNow(corkableOf(this.ws));
    if (onWritten === undefined) {
      this.ws.send(payload);
    } else {
      const reports = (this.writeReports ??= new WriteReports(this.ws));
      reports.add(onWritten);
      this.ws.send(payload, reports.done);
    }
    return true;
  }

  /**
   * @internal Holds this connection's writes until the current turn's microtasks have run, so
   * that the frames sent in one turn leave in a few write system calls instead of one each
   * (every `send`, and the message layer's requests and replies): one for a turn under 4 KiB,
   * else writes growing from CORK_FIRST_WRITE_BYTES to CORK_FLUSH_BYTES. Nothing waits
   * for a timer: the microtask runs before the event loop goes on, so latency is unchanged. The
   * socket keeps the frames, in order, with their write callbacks, and counts them in
   * `bufferedAmount`. Corked sockets are kept in a module-level map, so a connection carries no
   * field for it. A no-op with `corkWrites: false`.
   */
  coalesceWrites(): void {
    if ((this.flags & CORKS_WRITES) === 0) return;
    const socket = corkableOf(this.ws);
    if (socket === undefined) return;
    const limit = corked.get(socket);
    if (limit !== undefined) {
      if (socket.writableLength >= limit) {
        // Writes what is held (this message goes into the next write) and holds again.
        socket.uncork();
        socket.cork();
        if (limit < CORK_FLUSH_BYTES) corked.set(socket, limit * 2);
      }
      return;
    }
    if (corked.size === 0) queueMicrotask(uncorkAll);
    corked.set(socket, CORK_FIRST_WRITE_BYTES);
    socket.cork();
  }

  ping(data?: SendData): boolean {
    if (data !== undefined) {
      assertSendData(data, 'ping()');
      assertControlPayload('ping', data);
    }
    if (this.ws.readyState !== OPEN) return false;
    this.ws.ping(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    return true;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    assertCloseArgs(code, reason);
    if (this.ws.readyState >= 2) return;
    this.flags |= CLOSED_LOCALLY;
    this.ended.localClose = { code, reason };
    this.ws.close(code, reason);
  }

  /**
   * @internal
   * Closes because of a local policy (a ping timeout, a client too slow): the `close` event
   * reports this code and reason even when the peer never answers the close frame.
   */
  closeForPolicy(code: number, reason: string): void {
    if (this.ws.readyState >= 2) return;
    this.ended.violation = { code, reason };
    this.flags |= CLOSED_LOCALLY;
    this.ws.close(code, reason);
  }

  /** Ends the connection at once, without a closing handshake. */
  terminate(): void {
    this.flags |= CLOSED_LOCALLY;
    // What was sent before, in this turn, goes to the kernel first, as it would uncorked.
    uncorkNow(corkableOf(this.ws));
    this.ws.terminate();
  }

  /** @internal Starts delivering message, ping, pong and close events to `sink`. */
  attach(sink: EventSink): void {
    this.sink = sink;
    const ws = this.ws as OwnedWs;
    if (ws[OWNER] === this) return;
    ws[OWNER] = this;
    if (ws instanceof OwnedWebSocket) return;
    ws.on('message', WsSocket.onMessage);
    ws.on('ping', WsSocket.onPing);
    ws.on('pong', WsSocket.onPong);
    ws.on('close', WsSocket.onClose);
    ws.on('error', WsSocket.onError);
  }

  /** @internal Stops delivering events; the connection itself is left as it is. */
  detach(): void {
    this.sink = undefined;
  }

  // The shared `ws` listeners (called by OwnedWebSocket.emit): `this` is the emitting WebSocket.
  /** @internal */
  static onMessage(this: OwnedWs, data: Buffer, isBinary: boolean): void {
    const socket = this[OWNER];
    const sink = socket?.sink;
    if (socket === undefined || sink === undefined) return;
    if (isBinary) {
      sink.next({
        type: 'message',
        binary: true,
        data: (socket.flags & PLAIN_BINARY) !== 0 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : data,
        wireSize: data.length,
        socket,
      });
    } else {
      sink.next({ type: 'message', binary: false, data: data.toString(), wireSize: data.length, socket });
    }
  }

  /** @internal */
  static onPing(this: OwnedWs, data: Buffer): void {
    const socket = this[OWNER];
    if (socket !== undefined && this.readyState !== OPEN && socket.ending?.violation === undefined && isPingFlood(this)) {
      // ws has just terminated the connection (no close frame): say why instead of a bare 1006.
      socket.ended.violation = {
        code: CloseCode.ABNORMAL,
        reason: `Abnormal closure: ping flood (the peer sent ${pendingPongLimit(this)} pings without reading the pongs; the connection was dropped)`,
      };
    }
    socket?.sink?.next({ type: 'ping', data: data.length ? new Uint8Array(data) : EMPTY });
  }

  /** @internal */
  static onPong(this: OwnedWs, data: Buffer): void {
    this[OWNER]?.sink?.next({ type: 'pong', data: data.length ? new Uint8Array(data) : EMPTY });
  }

  /** @internal */
  static onError(this: OwnedWs, err: Error & { code?: string }): void {
    const socket = this[OWNER];
    if (socket === undefined) return;
    const ending = socket.ended;
    ending.lastError = err;
    // A protocol error (WS_ERR_*) or a frame that would not inflate (a zlib error): ws closed with a code.
    if (err.code?.startsWith('WS_ERR_')) {
      ending.violation = { code: closeCodeOfWsError(err), reason: err.message };
    } else if (wireCloseCode(err) !== undefined) {
      ending.violation = { code: closeCodeOfWsError(err), reason: `Invalid permessage-deflate data: ${err.message}` };
    }
  }

  /** @internal */
  static onClose(this: OwnedWs, code: number, reasonBytes: Buffer): void {
    this[OWNER]?.reportClose(code, reasonBytes);
  }

  private reportClose(code: number, reasonBytes: Buffer): void {
    const sink = this.sink;
    this.sink = undefined;
    if (sink === undefined) return;
    let reason = reasonBytes.toString();
    let remote = (this.flags & CLOSED_LOCALLY) === 0;
    let wasClean = code !== CloseCode.ABNORMAL;
    const { violation, localClose, lastError } = this.ending ?? {};
    if (violation !== undefined) {
      // We closed because the peer broke the protocol: report why, not ws's 1006.
      ({ code, reason } = violation);
      remote = false;
      wasClean = false;
    } else if (code === CloseCode.ABNORMAL && localClose !== undefined) {
      // We closed (say 1011 on a ping timeout) and the peer never answered: report our close.
      ({ code, reason } = localClose);
    } else if (code === CloseCode.ABNORMAL && reason === '') {
      // The TCP/TLS socket's own error, which ws does not re-emit, names the cause
      // (`read ECONNRESET`); Node keeps it on the destroyed socket, so no listener is needed.
      const cause = lastError ?? transportOf(this.ws)?.errored ?? undefined;
      reason = cause ? `Abnormal closure: ${cause.message}` : 'Abnormal closure';
    } else if (code === CloseCode.NO_STATUS && reason === '') {
      reason = 'No status received';
    }
    const event: WebSocketCloseEvent = { type: 'close', code, reason, remote, wasClean };
    this.ended.closeEvent = event;
    sink.next(event);
    sink.complete();
  }

  /** True once the connection is fully closed. */
  get isClosed(): boolean {
    return this.ws.readyState === CLOSED;
  }
}
