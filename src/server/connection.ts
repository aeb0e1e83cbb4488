import type { Duplex } from 'node:stream';
import { Observable, type Subscriber } from 'rxjs';
import type { WebSocket as WsWebSocket } from 'ws';
import { CloseCode, OPEN } from '../core/constants';
import type {
  SendData,
  SocketHandle,
  WebSocketEvent,
  WebSocketMessageEvent,
  WebSocketOpenEvent,
  WriteCallback,
} from '../core/events';
import { headerRecord } from '../core/headers';
import { FIRST_FREE_FLAG, WsSocket } from '../observables/ws-socket';
import type { FrameBatcher } from './frame-batcher';
import { keptUrlAndHeaders, requestOf, type KeptRequest } from './kept-request';
import { assertTopic, type Fanout } from './fanout';
import type { ConnectionRequest } from './requests';

/** Events kept for a connection nobody has subscribed to yet; past this, reading pauses. */
const MAX_PENDING_EVENTS = 64;

// Flag bits (see WsSocket.flags): a field each would cost 8 bytes on every idle connection.
const AWAITING_PONG = FIRST_FREE_FLAG;
const FLOWING = FIRST_FREE_FLAG << 1;
const PAUSED_FOR_PENDING = FIRST_FREE_FLAG << 2;
const COMPLETED = FIRST_FREE_FLAG << 3;
const BATCHABLE = FIRST_FREE_FLAG << 4;

/** Events kept for the first subscriber, and the bytes of their messages. */
interface Pending {
  readonly events: WebSocketEvent[];
  bytes: number;
}

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly batcher: FrameBatcher;
  readonly maxBufferedAmount: number;
  /** Message bytes kept for a connection nobody has subscribed to yet; past this, reading pauses. */
  readonly maxPendingBytes: number;
  /** `corkWrites`: the frames sent to a connection in one turn leave together (one write, a few past 4 KiB). */
  readonly corkWrites: boolean;
  /** Topic membership (kept by the server so a topic broadcast visits only its members). */
  readonly fanout: Fanout;
  /** Called once, when the connection has closed. */
  closed(connection: ServerConnection): void;
}

/**
 * One accepted WebSocket connection. It is its own `SocketHandle` (`socket === connection`).
 *
 * `events$` is hot: every subscriber first gets an `open` event, then live `message`, `ping`,
 * `pong` and `close` events, then completion. Events that arrive before the first subscription
 * are kept for it (so subscribing when the connection is emitted, or a little later, loses
 * nothing); after 64 of them, or once their messages reach `maxPendingBytes` (default 1 MiB), the
 * connection stops reading (TCP pushes back on the client) until someone subscribes: nothing is
 * dropped, and memory stays within about one message past the limit. Nothing is kept once the
 * first subscriber has come.
 *
 * @example
 * server.connections$.subscribe((conn) => {
 *   console.log(conn.id, conn.request.url, conn.request.protocol);
 *   conn.messages$.subscribe((m) => conn.send(m.data));
 * });
 */
// It is also the batcher's BatchTarget and its WsSocket's EventSink, structurally: naming them
// in `implements` would put those internal interfaces, and the members they need, in the public types.
export class ServerConnection extends WsSocket implements SocketHandle {
  /** @internal Broadcast queue state (see FrameBatcher). */
  batchFrom = -1;
  /** @internal */
  batchCount = 0;
  /** @internal */
  batchList: Buffer[] | undefined = undefined;
  /** @internal Stamp of the last multi-topic broadcast that reached this connection (see Fanout). */
  broadcastMark = 0;
  /** Made on the first join: an idle connection carries no set. */
  private topicSet: Set<string> | undefined = undefined;
  private subscribers: Subscribers = undefined;
  private messageSubscribers: Subscribers = undefined;
  private pending: Pending | undefined = undefined;
  // The handshake request, kept compactly (fields, not an object: see KeptRequest) until
  // `request` is first read; `head` then holds the object made.
  private head: string | ConnectionRequest;
  private readonly key: string;
  private readonly remotePort: number;

  /** @internal Created by the server (with the request object itself when it holds a certificate). */
  constructor(
    ws: WsWebSocket,
    /** Server-unique, counted from 1 in accept order. */
    readonly id: number,
    request: KeptRequest | ConnectionRequest,
    private readonly context: ConnectionContext,
  ) {
    super(ws, true, context.corkWrites);
    if ('head' in request) {
      this.head = request.head;
      this.key = request.key;
      this.remotePort = request.remotePort;
    } else {
      this.head = request;
      this.key = '';
      this.remotePort = request.remotePort;
    }
    if (ws.extensions === '') this.flags |= BATCHABLE;
    this.attach(this);
  }

  /**
   * The handshake request: `url` (path and query), `headers` (lower-case names), `remoteAddress`,
   * `remotePort`, the negotiated `protocol` and, with client certificates, `certificate`. The
   * same object on every read, readable after the connection has closed.
   */
  get request(): ConnectionRequest {
    const head = this.head;
    if (typeof head !== 'string') return head;
    return (this.head = requestOf({ head, key: this.key, remotePort: this.remotePort }, this.ws.protocol));
  }

  /** @internal The network socket (for batched broadcast writes). */
  get stream(): Duplex {
    return (this.ws as unknown as { _socket: Duplex })._socket;
  }

  /** @internal False when an extension (permessage-deflate) was negotiated: broadcast then uses ws.send. */
  get batchable(): boolean {
    return (this.flags & BATCHABLE) !== 0;
  }

  /** @internal Set by the server's ping sweep, cleared by a pong. */
  get awaitingPong(): boolean {
    return (this.flags & AWAITING_PONG) !== 0;
  }

  /** @internal */
  set awaitingPong(awaiting: boolean) {
    this.flags = awaiting ? this.flags | AWAITING_PONG : this.flags & ~AWAITING_PONG;
  }

  /** This connection as a SocketHandle (it is one). */
  get socket(): SocketHandle {
    return this;
  }

  // events$ and messages$ are made on each read, not kept: a connection subscribed to once
  // carries no Observable (nor its closure) afterwards.

  /** The connection's events: `open`, then `message` / `ping` / `pong`, then `close`, then completion. */
  get events$(): Observable<WebSocketEvent> {
    return new Observable<WebSocketEvent>((subscriber) => this.addSubscriber(subscriber, false));
  }

  /** The `message` events of `events$`; completes when the connection closes. */
  get messages$(): Observable<WebSocketMessageEvent> {
    // Its own subscriber list rather than events$.pipe(filter(...)): one object less per subscription.
    return new Observable<WebSocketMessageEvent>((subscriber) => this.addSubscriber(subscriber as Subscriber<WebSocketEvent>, true));
  }

  /**
   * Sends a text (string) or binary message after any broadcast still queued for this client.
   * False when the connection is not open, or when more than `maxBufferedAmount` bytes already
   * wait for this client: it is then closed with 1008 "client too slow".
   */
  override send(data: SendData, onWritten?: WriteCallback): boolean {
    if (this.batchFrom !== -1 || this.batchList !== undefined) this.context.batcher.flush(this);
    if (this.ws.readyState !== OPEN) return false;
    if (this.ws.bufferedAmount > this.context.maxBufferedAmount) {
      this.tooSlow();
      return false;
    }
    return super.send(data, onWritten);
  }

  /** Starts the closing handshake after any queued broadcast (default 1000). */
  override close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.batchFrom !== -1 || this.batchList !== undefined) this.context.batcher.flush(this);
    super.close(code, reason);
  }

  /** The topics this connection has joined (a live, read-only view). */
  get topics(): ReadonlySet<string> {
    return this.topicSet ?? NO_TOPICS;
  }

  /**
   * Joins `topic`, so that `broadcast(data, { topic })` reaches this connection (on every
   * instance's broadcast, with an adapter). Returns false when it was already a member or has
   * closed (a closed connection leaves every topic). A topic is a non-empty string of at most 1024 characters.
   *
   * @example
   * conn.join(`room:${new URL(conn.request.url, 'ws://x').searchParams.get('room')}`);
   */
  join(topic: string): boolean {
    assertTopic(topic, 'join()');
    if ((this.flags & COMPLETED) !== 0 || this.topicSet?.has(topic) === true) return false;
    (this.topicSet ??= new Set()).add(topic);
    this.context.fanout.join(this, topic);
    return true;
  }

  /** Leaves `topic`; returns false when this connection was not a member. */
  leave(topic: string): boolean {
    if (this.topicSet?.delete(topic) !== true) return false;
    this.context.fanout.leave(this, topic);
    return true;
  }

  /** @internal */
  tooSlow(): void {
    this.closeForPolicy(CloseCode.POLICY_VIOLATION, 'client too slow');
  }

  /** @internal Receives this connection's events from WsSocket. */
  next(event: WebSocketEvent): void {
    if (event.type === 'message') {
      if (this.subscribers === undefined && this.messageSubscribers === undefined) {
        if ((this.flags & FLOWING) === 0) this.keep(event);
        return;
      }
      if (deliver(this.subscribers, event)) this.subscribers = pruned(this.subscribers);
      if (deliver(this.messageSubscribers, event)) this.messageSubscribers = pruned(this.messageSubscribers);
      return;
    }
    if (event.type === 'pong') this.flags &= ~AWAITING_PONG;
    if (this.subscribers !== undefined) {
      if (deliver(this.subscribers, event)) this.subscribers = pruned(this.subscribers);
    } else if ((this.flags & FLOWING) === 0) this.keep(event);
  }

  /** @internal */
  error(): void {
    // WsSocket reports failures as close events; nothing to do.
  }

  /** @internal */
  complete(): void {
    this.flags |= COMPLETED;
    if (this.topicSet !== undefined) for (const topic of this.topicSet) this.context.fanout.leave(this, topic);
    this.context.closed(this);
    const all = this.subscribers;
    const messagesOnly = this.messageSubscribers;
    this.subscribers = this.messageSubscribers = undefined;
    completeAll(all);
    completeAll(messagesOnly);
  }

  private keep(event: WebSocketEvent): void {
    const pending = (this.pending ??= { events: [], bytes: 0 });
    pending.events.push(event);
    if (event.type === 'message') pending.bytes += event.wireSize;
    const full = pending.events.length >= MAX_PENDING_EVENTS || pending.bytes >= this.context.maxPendingBytes;
    if (full && (this.flags & PAUSED_FOR_PENDING) === 0 && this.ws.readyState === OPEN) {
      this.flags |= PAUSED_FOR_PENDING;
      this.ws.pause();
    }
  }

  private openEvent(): WebSocketOpenEvent {
    // From the kept request when nobody has read `request`: the event does not make it stay.
    const head = this.head;
    const { url, headers } = typeof head === 'string' ? keptUrlAndHeaders({ head, key: this.key, remotePort: this.remotePort }) : head;
    return { type: 'open', url, headers: headerRecord(headers), protocol: this.ws.protocol, socket: this };
  }

  /**
   * Replays what a new subscriber is owed, then adds it (to the message-only list for `messages$`).
   * Returns no teardown: RxJS would keep it in an array made for each subscription (with the
   * closure, ~280 B per idle subscribed connection). A subscriber that unsubscribed is closed:
   * it gets nothing more, and leaves the list at the next event or subscription.
   */
  private addSubscriber(subscriber: Subscriber<WebSocketEvent>, onlyMessages: boolean): undefined {
    if (!onlyMessages) subscriber.next(this.openEvent());
    const completed = (this.flags & COMPLETED) !== 0;
    if ((this.flags & FLOWING) === 0) {
      this.flags |= FLOWING;
      const pending = this.pending;
      this.pending = undefined;
      if (pending !== undefined) for (const e of pending.events) if (!onlyMessages || e.type === 'message') subscriber.next(e);
      if ((this.flags & PAUSED_FOR_PENDING) !== 0) {
        this.flags &= ~PAUSED_FOR_PENDING;
        this.ws.resume();
      }
    } else if (completed && !onlyMessages) {
      const closeEvent = this.reportedClose;
      if (closeEvent !== undefined) subscriber.next(closeEvent);
    }
    if ((this.flags & COMPLETED) !== 0) {
      subscriber.complete();
      return undefined;
    }
    if (subscriber.closed) return undefined;
    if (onlyMessages) this.messageSubscribers = added(this.messageSubscribers, subscriber);
    else this.subscribers = added(this.subscribers, subscriber);
    return undefined;
  }
}

const NO_TOPICS: ReadonlySet<string> = new Set();

// Subscriber lists: one subscriber (the usual case) is kept without an array.
type Subscribers = Subscriber<WebSocketEvent> | Subscriber<WebSocketEvent>[] | undefined;

// Subscribers that unsubscribed are `closed`; they are skipped, and dropped by `pruned`.

/** The list without its closed subscribers. */
function pruned(list: Subscribers): Subscribers {
  if (!Array.isArray(list)) return list?.closed === true ? undefined : list;
  const open = list.filter((s) => !s.closed);
  return open.length === 0 ? undefined : open.length === 1 ? open[0] : open;
}

function added(list: Subscribers, s: Subscriber<WebSocketEvent>): Subscribers {
  const open = pruned(list);
  return open === undefined ? s : Array.isArray(open) ? [...open, s] : [open, s];
}

/** Gives `event` to the open subscribers; true when a closed one was seen (the list needs pruning). */
function deliver(list: Subscribers, event: WebSocketEvent): boolean {
  if (list === undefined) return false;
  if (!Array.isArray(list)) {
    if (list.closed) return true;
    list.next(event);
    return false;
  }
  let sawClosed = false;
  for (const s of list) {
    if (s.closed) sawClosed = true;
    else s.next(event);
  }
  return sawClosed;
}

function completeAll(list: Subscribers): void {
  if (Array.isArray(list)) {
    for (const s of list) if (!s.closed) s.complete();
  } else if (list?.closed === false) list.complete();
}
