import type { Duplex } from 'node:stream';
import { filter, Observable, type Subscriber } from 'rxjs';
import type { WebSocket as WsWebSocket } from 'ws';
import { CloseCode, OPEN } from '../observables/constants';
import type {
  SendData,
  SocketHandle,
  WebSocketCloseEvent,
  WebSocketEvent,
  WebSocketMessageEvent,
  WebSocketOpenEvent,
} from '../observables/events';
import type { EventSink } from '../observables/sink';
import { WsSocket } from '../observables/ws-socket';
import type { BatchTarget, Broadcaster } from './broadcast';
import type { ConnectionRequest } from './types';

/** Events kept for a connection nobody has subscribed to yet; past this, reading pauses. */
export const MAX_PENDING_EVENTS = 64;

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly broadcaster: Broadcaster;
  readonly maxBufferedAmount: number;
  /** Called once, when the connection has closed. */
  closed(connection: ServerConnection): void;
}

const isMessage = (e: WebSocketEvent): e is WebSocketMessageEvent => e.type === 'message';

function flatHeaders(headers: ConnectionRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * One accepted WebSocket connection. It is its own `SocketHandle` (`socket === connection`).
 *
 * `events$` is hot: every subscriber first gets an `open` event, then live `message`, `ping`,
 * `pong` and `close` events, then completion. Events that arrive before the first subscription
 * are kept for it (so subscribing when the connection is emitted, or a little later, loses
 * nothing); after 64 of them the connection stops reading (TCP pushes back on the client) until
 * someone subscribes. Nothing is kept once the first subscriber has come.
 *
 * @example
 * server.connections$.subscribe((conn) => {
 *   console.log(conn.id, conn.request.url, conn.request.protocol);
 *   conn.messages$.subscribe((m) => conn.send(m.data));
 * });
 */
export class ServerConnection extends WsSocket implements SocketHandle, EventSink, BatchTarget {
  /** @internal Broadcast queue state (see Broadcaster). */
  batchFrom = -1;
  /** @internal */
  batchCount = 0;
  /** @internal */
  batchList: Buffer[] | undefined = undefined;
  /** @internal Set by the server's ping sweep, cleared by a pong. */
  awaitingPong = false;
  private subscribers: Subscriber<WebSocketEvent> | Subscriber<WebSocketEvent>[] | undefined = undefined;
  private pending: WebSocketEvent[] | undefined = undefined;
  private flowing = false;
  private pausedForPending = false;
  private completed = false;
  private closeEvent: WebSocketCloseEvent | undefined = undefined;
  private eventsObservable: Observable<WebSocketEvent> | undefined = undefined;
  private messagesObservable: Observable<WebSocketMessageEvent> | undefined = undefined;

  /** @internal Created by the server. */
  constructor(
    ws: WsWebSocket,
    /** Server-unique, counted from 1 in accept order. */
    readonly id: number,
    /** The handshake request. */
    readonly request: ConnectionRequest,
    /** @internal The network socket (for batched broadcast writes). */
    readonly stream: Duplex,
    private readonly context: ConnectionContext,
  ) {
    super(ws, true);
    this.batchable = ws.extensions === '';
    this.attach(this);
  }

  /** @internal False when an extension (permessage-deflate) was negotiated: broadcast then uses ws.send. */
  readonly batchable: boolean;

  /** This connection as a SocketHandle (it is one). */
  get socket(): SocketHandle {
    return this;
  }

  /** The connection's events: `open`, then `message` / `ping` / `pong`, then `close`, then completion. */
  get events$(): Observable<WebSocketEvent> {
    return (this.eventsObservable ??= new Observable<WebSocketEvent>((subscriber) => this.addSubscriber(subscriber)));
  }

  /** The `message` events of `events$`; completes when the connection closes. */
  get messages$(): Observable<WebSocketMessageEvent> {
    return (this.messagesObservable ??= this.events$.pipe(filter(isMessage)));
  }

  /**
   * Sends a text (string) or binary message after any broadcast still queued for this client.
   * False when the connection is not open, or when more than `maxBufferedAmount` bytes already
   * wait for this client: it is then closed with 1008 "client too slow".
   */
  override send(data: SendData): boolean {
    if (this.batchFrom !== -1 || this.batchList !== undefined) this.context.broadcaster.flush(this);
    if (this.ws.readyState !== OPEN) return false;
    if (this.ws.bufferedAmount > this.context.maxBufferedAmount) {
      this.tooSlow();
      return false;
    }
    return super.send(data);
  }

  /** Starts the closing handshake after any queued broadcast (default 1000). */
  override close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.batchFrom !== -1 || this.batchList !== undefined) this.context.broadcaster.flush(this);
    super.close(code, reason);
  }

  /** @internal */
  tooSlow(): void {
    this.closeForPolicy(CloseCode.POLICY_VIOLATION, 'client too slow');
  }

  /** @internal Receives this connection's events from WsSocket. */
  next(event: WebSocketEvent): void {
    if (event.type === 'pong') this.awaitingPong = false;
    else if (event.type === 'close') this.closeEvent = event;
    const subscribers = this.subscribers;
    if (subscribers === undefined) {
      if (!this.flowing) this.keep(event);
    } else if (Array.isArray(subscribers)) {
      for (const s of subscribers) s.next(event);
    } else {
      subscribers.next(event);
    }
  }

  /** @internal */
  error(): void {
    // WsSocket reports failures as close events; nothing to do.
  }

  /** @internal */
  complete(): void {
    this.completed = true;
    this.context.closed(this);
    const subscribers = this.subscribers;
    this.subscribers = undefined;
    if (Array.isArray(subscribers)) for (const s of subscribers) s.complete();
    else subscribers?.complete();
  }

  private keep(event: WebSocketEvent): void {
    const pending = (this.pending ??= []);
    pending.push(event);
    if (pending.length >= MAX_PENDING_EVENTS && !this.pausedForPending && this.ws.readyState === OPEN) {
      this.pausedForPending = true;
      this.ws.pause();
    }
  }

  private openEvent(): WebSocketOpenEvent {
    const { url, headers, protocol } = this.request;
    return { type: 'open', url, headers: flatHeaders(headers), protocol, socket: this };
  }

  private addSubscriber(subscriber: Subscriber<WebSocketEvent>): (() => void) | undefined {
    subscriber.next(this.openEvent());
    if (!this.flowing) {
      this.flowing = true;
      const pending = this.pending;
      this.pending = undefined;
      if (pending !== undefined) for (const e of pending) subscriber.next(e);
      if (this.pausedForPending) {
        this.pausedForPending = false;
        this.ws.resume();
      }
    } else if (this.completed && this.closeEvent !== undefined) {
      subscriber.next(this.closeEvent);
    }
    if (this.completed) {
      subscriber.complete();
      return undefined;
    }
    const current = this.subscribers;
    this.subscribers = current === undefined ? subscriber : Array.isArray(current) ? [...current, subscriber] : [current, subscriber];
    return () => this.removeSubscriber(subscriber);
  }

  private removeSubscriber(subscriber: Subscriber<WebSocketEvent>): void {
    const current = this.subscribers;
    if (current === subscriber) this.subscribers = undefined;
    else if (Array.isArray(current)) {
      const rest = current.filter((s) => s !== subscriber);
      this.subscribers = rest.length === 1 ? rest[0] : rest;
    }
  }
}
