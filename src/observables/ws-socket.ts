// Node-only: wraps a `ws` WebSocket (client or server side) as an rxws SocketHandle and
// maps its events to the rxws event union. Reached only through the Node transport and the
// server; the browser build replaces the transport and never bundles this file.
import type { WebSocket as WsWebSocket } from 'ws';
import { CLOSED, CloseCode, OPEN, type ReadyState } from './constants';
import type { SendData, SocketHandle } from './events';
import type { EventSink } from './sink';
import { assertCloseArgs, assertControlPayload } from './validation';

/** The close code a `ws` receiver error stands for (RFC 6455 §7.4.1); ws itself reports 1006. */
function closeCodeOfWsError(err: { code?: string }): number {
  switch (err.code) {
    case 'WS_ERR_INVALID_UTF8':
      return CloseCode.INVALID_PAYLOAD;
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return CloseCode.MESSAGE_TOO_BIG;
    default:
      return CloseCode.PROTOCOL_ERROR;
  }
}

const EMPTY = new Uint8Array(0);

function byteLength(data: SendData): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * One open (or opening) `ws` connection as a SocketHandle. Listeners are bound once per
 * connection; the message path allocates only the event object.
 */
export class WsSocket implements SocketHandle {
  /** Set once the peer violated the protocol: reported as the close code instead of ws's 1006. */
  private violation: { code: number; reason: string } | undefined;
  private lastError: Error | undefined;
  private closedLocally = false;
  /** The code and reason of our own close: reported when the peer never answers it (half-open). */
  private localClose: { code: number; reason: string } | undefined;
  private sink: EventSink | undefined;

  constructor(
    readonly ws: WsWebSocket,
    private readonly plainBinary: boolean,
  ) {}

  get readyState(): ReadyState {
    return this.ws.readyState as ReadyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(data: SendData): boolean {
    if (this.ws.readyState !== OPEN) return false;
    this.ws.send(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    return true;
  }

  ping(data?: SendData): boolean {
    if (data !== undefined) assertControlPayload('ping', byteLength(data));
    if (this.ws.readyState !== OPEN) return false;
    this.ws.ping(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    return true;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    assertCloseArgs(code, reason);
    if (this.ws.readyState >= 2) return;
    this.closedLocally = true;
    this.localClose = { code, reason };
    this.ws.close(code, reason);
  }

  /**
   * Closes because of a local policy (a ping timeout, a client too slow): the `close` event
   * reports this code and reason even when the peer never answers the close frame.
   */
  closeForPolicy(code: number, reason: string): void {
    if (this.ws.readyState >= 2) return;
    this.violation = { code, reason };
    this.closedLocally = true;
    this.ws.close(code, reason);
  }

  /** Ends the connection at once, without a closing handshake. */
  terminate(): void {
    this.closedLocally = true;
    this.ws.terminate();
  }

  /** Starts delivering message, ping, pong and close events to `sink`. */
  attach(sink: EventSink): void {
    this.sink = sink;
    this.ws.on('message', this.onMessage);
    this.ws.on('ping', this.onPing);
    this.ws.on('pong', this.onPong);
    this.ws.on('close', this.onClose);
    this.ws.on('error', this.onError);
  }

  /** Stops delivering events; the connection itself is left as it is. */
  detach(): void {
    this.sink = undefined;
  }

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    const sink = this.sink;
    if (sink === undefined) return;
    if (isBinary) {
      sink.next({
        type: 'message',
        binary: true,
        data: this.plainBinary ? new Uint8Array(data.buffer, data.byteOffset, data.length) : data,
        wireSize: data.length,
        socket: this,
      });
    } else {
      sink.next({ type: 'message', binary: false, data: data.toString(), wireSize: data.length, socket: this });
    }
  };

  private readonly onPing = (data: Buffer): void => {
    this.sink?.next({ type: 'ping', data: data.length ? new Uint8Array(data) : EMPTY });
  };

  private readonly onPong = (data: Buffer): void => {
    this.sink?.next({ type: 'pong', data: data.length ? new Uint8Array(data) : EMPTY });
  };

  /**
   * Listener for the TCP/TLS socket's own errors, which `ws` does not re-emit: it lets a
   * dropped connection's close reason name the cause (`read ECONNRESET`) instead of a bare 1006.
   */
  readonly onTransportError = (err: Error): void => {
    this.lastError ??= err;
  };

  private readonly onError = (err: Error & { code?: string }): void => {
    this.lastError = err;
    if (err.code?.startsWith('WS_ERR_')) {
      this.violation = { code: closeCodeOfWsError(err), reason: err.message };
    }
  };

  private readonly onClose = (code: number, reasonBytes: Buffer): void => {
    const sink = this.sink;
    this.sink = undefined;
    if (sink === undefined) return;
    let reason = reasonBytes.toString();
    let remote = !this.closedLocally;
    let wasClean = code !== CloseCode.ABNORMAL;
    if (this.violation !== undefined) {
      // We closed because the peer broke the protocol: report why, not ws's 1006.
      ({ code, reason } = this.violation);
      remote = false;
      wasClean = false;
    } else if (code === CloseCode.ABNORMAL && this.localClose !== undefined) {
      // We closed (say 1011 on a ping timeout) and the peer never answered: report our close.
      ({ code, reason } = this.localClose);
    } else if (code === CloseCode.ABNORMAL && reason === '') {
      reason = this.lastError ? `Abnormal closure: ${this.lastError.message}` : 'Abnormal closure';
    } else if (code === CloseCode.NO_STATUS && reason === '') {
      reason = 'No status received';
    }
    sink.next({ type: 'close', code, reason, remote, wasClean });
    sink.complete();
  };

  /** True once the connection is fully closed. */
  get isClosed(): boolean {
    return this.ws.readyState === CLOSED;
  }
}
