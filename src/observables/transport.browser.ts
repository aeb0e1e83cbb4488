// The browser transport of `connect`, on the global WebSocket. tsup's browser build swaps
// `./transport` for this module. Browsers hide handshake details: no response headers, no
// HTTP status, no reason for a failed connection, no ping frames.
import { CloseCode, CONNECTING, DEFAULT_HANDSHAKE_TIMEOUT_MS, OPEN, type ReadyState } from '../core/constants';
import { WebSocketError } from '../core/errors';
import type { SendData, SocketHandle, WriteCallback, WriteError } from '../core/events';
import type { OpenOptions } from '../core/options';
import type { EventSink } from './sink';
import type { WebSocketUrl } from '../core/url';
import { sendDataSize, utf8Length } from '../core/utf8';
import { assertCloseArgs, assertControlPayload, assertSendData } from '../core/validation';

export interface TransportConnection {
  dispose(): void;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Close codes a page may send: WHATWG WebSockets `close()` throws for any other. */
function browserMaySend(code: number): boolean {
  return code === CloseCode.NORMAL || (code >= 3000 && code <= 4999);
}

/**
 * A browser WebSocket as a SocketHandle. Browsers give no signal per message written, only
 * `bufferedAmount` (bytes of messages not yet transmitted, oldest first): a message has left
 * once `bufferedAmount` is no more than the bytes sent after it. That is checked on each
 * `send` and at close, so `onWritten` comes late but true.
 */
class BrowserSocket implements SocketHandle {
  closedLocally = false;
  /** A local close with a code the browser refuses to send (1001–1014): reported as asked. */
  refusedCode: { code: number; reason: string } | undefined;
  /** Messages not yet known to have left, oldest first, as (callback or undefined, bytes) pairs. */
  private readonly unconfirmed: Array<WriteCallback | number | undefined> = [];
  private unconfirmedHead = 0;
  private unconfirmedBytes = 0;
  constructor(readonly ws: WebSocket) {}
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
    this.confirmWritten();
    this.ws.send(data as string | ArrayBufferView | ArrayBuffer);
    // Once something is watched, every later message counts: it stands behind it in bufferedAmount.
    if (onWritten !== undefined || this.unconfirmedHead < this.unconfirmed.length) {
      const size = sendDataSize(data);
      this.unconfirmed.push(onWritten, size);
      this.unconfirmedBytes += size;
    }
    return true;
  }
  /** Reports the oldest messages whose bytes have all left. */
  confirmWritten(): void {
    const list = this.unconfirmed;
    const buffered = this.ws.bufferedAmount;
    while (this.unconfirmedHead < list.length) {
      const size = list[this.unconfirmedHead + 1] as number;
      if (buffered > this.unconfirmedBytes - size) return;
      const callback = list[this.unconfirmedHead] as WriteCallback | undefined;
      list[this.unconfirmedHead] = undefined;
      this.unconfirmedHead += 2;
      this.unconfirmedBytes -= size;
      if (this.unconfirmedHead === list.length) list.length = this.unconfirmedHead = 0;
      callback?.();
    }
  }
  /** At the end: what has left is written; the rest was not (or, when we close ourselves, may yet be). */
  failUnwritten(maybeSent: boolean): void {
    this.confirmWritten();
    const list = this.unconfirmed.splice(this.unconfirmedHead);
    this.unconfirmed.length = this.unconfirmedHead = this.unconfirmedBytes = 0;
    for (let i = 0; i < list.length; i += 2) {
      const callback = list[i] as WriteCallback | undefined;
      if (callback === undefined) continue;
      const err: WriteError = Object.assign(
        new Error(maybeSent ? 'The connection was closing with this message still buffered: it may or may not be sent' : 'The connection closed before this message was sent'),
        { maybeSent },
      );
      callback(err);
    }
  }
  ping(data?: SendData): boolean {
    assertControlPayload('ping', data);
    return false; // browsers cannot send ping frames: use keepAlive's heartbeat message instead
  }
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    assertCloseArgs(code, reason);
    if (this.ws.readyState >= 2) return;
    this.closedLocally = true;
    if (browserMaySend(code)) {
      this.ws.close(code, reason);
      return;
    }
    // keepAlive's 1011 and the like: the browser only lets us send 1000, so the reason travels
    // with 1000 and the close event still reports the code the application asked for.
    this.refusedCode = { code, reason };
    this.ws.close(CloseCode.NORMAL, reason);
  }
}

/**
 * Opens one browser WebSocket and feeds its events to `sink`. `options.proxy` is ignored here:
 * browsers go through the system's proxy settings and let no page choose one.
 */
export function openConnection(target: WebSocketUrl, options: OpenOptions, sink: EventSink): TransportConnection {
  if (typeof WebSocket === 'undefined') {
    throw new WebSocketError({ code: 'INVALID_OPTIONS', url: target.href, reason: 'No global WebSocket in this environment: use the Node build of rxws' });
  }
  const ws = new WebSocket(target.href, options.protocols ? [...options.protocols] : undefined);
  ws.binaryType = 'arraybuffer';
  const socket = new BrowserSocket(ws);
  let opened = false;
  let done = false;
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const timer = setTimeout(() => {
    finish();
    ws.close();
    sink.error(new WebSocketError({ code: 'HANDSHAKE_TIMEOUT', url: target.href, reason: `Handshake with ${target.href} did not complete within ${timeoutMs} ms` }));
  }, timeoutMs);

  const onOpen = (): void => {
    opened = true;
    clearTimeout(timer);
    if (options.requireProtocol === true && (options.protocols?.length ?? 0) > 0 && ws.protocol === '') {
      const list = (options.protocols ?? []).map((p) => `'${p}'`).join(', ');
      finish();
      ws.close();
      sink.error(new WebSocketError({ code: 'PROTOCOL_MISMATCH', url: target.href, reason: `The server at ${target.href} accepted none of the offered subprotocols (${list}): its answer had no Sec-WebSocket-Protocol` }));
      return;
    }
    sink.next({ type: 'open', url: target.href, headers: NO_HEADERS, protocol: ws.protocol, socket });
  };
  const onMessage = (e: MessageEvent): void => {
    const data: unknown = e.data;
    if (typeof data === 'string') {
      sink.next({ type: 'message', binary: false, data, wireSize: utf8Length(data), socket });
    } else {
      const bytes = new Uint8Array(data as ArrayBuffer);
      sink.next({ type: 'message', binary: true, data: bytes, wireSize: bytes.byteLength, socket });
    }
  };
  const onClose = (e: CloseEvent): void => {
    finish();
    socket.failUnwritten(false);
    if (!opened) {
      sink.error(new WebSocketError({
        code: 'NETWORK_ERROR',
        url: target.href,
        reason: `Could not connect to ${target.href} (close code ${e.code}; browsers do not say why: check that the server is up and accepts the offered subprotocols)`,
      }));
      return;
    }
    const asked = socket.refusedCode;
    const code = asked?.code ?? e.code;
    const reason = asked?.reason || e.reason || (code === CloseCode.ABNORMAL ? 'Abnormal closure' : code === CloseCode.NO_STATUS ? 'No status received' : '');
    sink.next({ type: 'close', code, reason, remote: !socket.closedLocally, wasClean: e.wasClean });
    sink.complete();
  };
  // Browsers fire `error` with no detail, then `close`: the close handler reports it.
  const onError = (): void => undefined;
  ws.addEventListener('open', onOpen);
  ws.addEventListener('error', onError);
  ws.addEventListener('message', onMessage);
  ws.addEventListener('close', onClose);

  function finish(): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    ws.removeEventListener('open', onOpen);
    ws.removeEventListener('message', onMessage);
    ws.removeEventListener('close', onClose);
    // Keep swallowing late errors: an unheard `error` must not surface as an exception.
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) return;
    ws.removeEventListener('error', onError);
  }

  return {
    dispose(): void {
      const state = ws.readyState;
      finish();
      socket.failUnwritten(true);
      if (state === OPEN || state === CONNECTING) {
        socket.closedLocally = true;
        ws.close(CloseCode.NORMAL);
      }
    },
  };
}
