import { defer, filter, identity, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { connect as realConnect } from '../observables/connect';
import { CLOSED, CLOSING, CloseCode, CONNECTING, OPEN, type ReadyState } from '../core/constants';
import { WebSocketError } from '../core/errors';
import type { SendData, SocketHandle, WebSocketCloseEvent, WebSocketErrorEvent, WebSocketEvent, WebSocketMessageEvent } from '../core/events';
import type { ConnectOptions } from '../core/options';
import { parseWebSocketUrl } from '../core/url';
import { assertCloseArgs, assertSendData } from '../core/validation';
import { keepAlive, type KeepAliveOptions } from '../operators/keep-alive';
import { defaultShouldReconnect, reconnect, type ReconnectCause, type ReconnectOptions } from '../operators/reconnect';
import { InFlight } from './in-flight';
import { browserNetworkStatus } from './network';
import { checkFirstMessage, connectWithParameters, type PerTry, type TryParameters } from './parameters';
import { channelsOf, type Channels } from './channels';
import type { ChannelEvent, ChannelGap } from './channel-events';
import { multiplex, type MultiplexOptions } from './multiplex';
import { closeProblem, ConnectionStateStore, errorProblem, type ConnectionProblem, type ConnectionState } from './state';
import { SendQueue, type QueueOptions } from './send-queue';
import { ClientCodec, type ClientCodecOptions } from '../messages/client-codec';
import type { RequestOptions } from '../messages/requests';
import type { EventOf, MessageEventOf, NoCodec } from '../messages/typed-events';

/** A function with `connect`'s shape: `rxws/testing`'s `fakeConnect` is one. */
export type ConnectFunction = (url: string | URL, options?: ConnectOptions) => Observable<WebSocketEvent>;

/**
 * Options of `WebSocketClient`: `connect`'s options plus the policies. `url`, `headers` and
 * `protocols` may be functions evaluated before every try (see `PerTry`); optionally a codec
 * and the message layer (requests) — see `ClientCodecOptions`.
 */
export interface WebSocketClientOptions<In = NoCodec, Out = SendData> extends Omit<ConnectOptions, 'headers' | 'protocols'>, ClientCodecOptions<In, Out> {
  /** Where to connect (`ws:`, `wss:`, or `http(s):` taken as `ws(s):`), or a function giving it before each try. */
  url: PerTry<string | URL>;
  /** Extra handshake headers (Node only), or a function giving them before each try: a fresh token per reconnect. */
  headers?: PerTry<Record<string, string>>;
  /** Subprotocols to offer, or a function giving them before each try (a browser's way to carry a token). */
  protocols?: PerTry<string | readonly string[]>;
  /**
   * Whether the network is up, for reconnecting: no try while offline, one at once (backoff
   * reset) when it comes back. Default: the `online`/`offline` events of `globalThis` in
   * browsers (`browserNetworkStatus()`), none in Node. False: ignore the network.
   */
  network?: Observable<boolean> | false;
  /**
   * A message sent first on every connection, before queued messages and channel subscriptions
   * (a browser's way to send a token: `authenticateFirstMessage` on the server reads it), or a
   * function giving it before each try. It is never queued or sent again on another connection.
   */
  firstMessage?: PerTry<SendData>;
  /** Reconnection policy, or false for none. Default `{}`: on, with IXWebSocket's delays. */
  reconnect?: ReconnectOptions | false;
  /** Ping policy, or false for none. Default false (IXWebSocket: ping interval off). */
  keepAlive?: KeepAliveOptions | false;
  /** Hold messages sent while disconnected and send them on the next open. Default none: `send` returns false then. */
  queue?: QueueOptions;
  /** Scheduler for reconnect and keep-alive timers, unless their own options name one. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** How to open a connection. Default `connect`; pass `fakeConnect(...)` from `rxws/testing` in tests. */
  connect?: ConnectFunction;
}

const isMessage = (e: WebSocketEvent): e is WebSocketMessageEvent => e.type === 'message';

/** A message `send` took that will not be delivered (or may not have been): see `undelivered$`. */
export interface UndeliveredMessage<Out = SendData> {
  /** The message as given to `send`. */
  readonly data: Out;
  /** What happened, naming the close of the connection. */
  readonly reason: string;
  /**
   * False: the message never left the process (the peer did not get it). True: the connection
   * died while it was being written, so part or all of it may have reached the peer.
   */
  readonly maybeSent: boolean;
}

/**
 * A long-lived WebSocket client in the IXWebSocket style, built from `connect`, `keepAlive` and
 * `reconnect`. `events$` is hot and shared: every subscriber sees the events from the moment
 * it subscribes. Reconnection is on by default. With `queue`, messages sent while disconnected
 * are delivered in order after the next open, and so are messages a dropped connection never
 * wrote. Nothing is dropped silently: what cannot be sent is reported on `undelivered$`. Bytes
 * the operating system took can still be lost with the connection: acknowledge at the
 * application level when every message must arrive.
 *
 * @example
 * const client = new WebSocketClient({ url: 'ws://127.0.0.1:8008', keepAlive: { intervalMs: 30_000 }, queue: { maxMessages: 100 } });
 * client.messages$.subscribe((m) => console.log(m.data));
 * client.events$.subscribe((e) => e.type === 'error' && console.warn(e.reason, `retry in ${e.waitTimeMs} ms`));
 * client.undelivered$.subscribe((u) => console.warn('not delivered:', u.data, u.reason));
 * client.start();
 * client.send('hello'); // queued until open
 * // later: client.stop();
 */
export class WebSocketClient<In = NoCodec, Out = SendData> {
  /**
   * Every event of every connection: open, message, ping, pong, close, and error before each retry.
   * Hot. With a codec, messages carry decoded values and undecodable ones are `decodeError` events.
   */
  readonly events$: Observable<EventOf<In, Out>>;
  /** The `message` events of `events$`. */
  readonly messages$: Observable<MessageEventOf<In, Out>>;
  /**
   * Messages `send` took that a connection died with before writing them, and that the send
   * queue could not take back (there is none, or it is full); and, queue or not, messages the
   * connection died in the middle of writing (`maybeSent`). Reported before that connection's
   * `close` event. Hot: subscribe before `start()`.
   */
  readonly undelivered$: Observable<UndeliveredMessage<Out>>;
  /**
   * Every gap in the history of every channel (docs/channels.md, History): publications this
   * client missed and will not get (`recovered: false` on a resubscription, an epoch change, a
   * skip), so the app can refetch. Hot: subscribe before `start()`. Each channel's
   * `channelEvents(name)` carries its own gaps too, in place.
   */
  readonly channelGaps$: Observable<ChannelGap>;
  private readonly gaps = new Subject<ChannelGap>();
  private readonly subject = new Subject<WebSocketEvent>();
  private readonly undelivered = new Subject<UndeliveredMessage<Out>>();
  /** The codec and message layer, when there is a codec. */
  private readonly codec: ClientCodec | undefined;
  private readonly queue: SendQueue | undefined;
  /** The open connection's messages not yet reported written. */
  private inFlight: InFlight | undefined;
  private currentUrl: string;
  private state: ReadyState = CLOSED;
  private socket: SocketHandle | undefined;
  private running: Subscription | undefined;
  private stopping = false;
  /** start() was called while a stop() was closing: start again once the close has come. */
  private restartPending = false;
  private failures = 0;
  private readonly pipeline: (url: PerTry<string | URL>) => Observable<WebSocketEvent>;
  private urlSource: PerTry<string | URL>;
  private readonly store = new ConnectionStateStore();
  /** Made on the first `channel()` call. */
  private channelSet: Channels | undefined;
  /** The first message of the try under way, sent on its open. */
  private firstMessage: SendData | undefined;
  /** The close of the current connection, for the state once the policy gives up. */
  private lastClose: WebSocketCloseEvent | undefined;

  constructor(private readonly options: WebSocketClientOptions<In, Out>) {
    this.urlSource = options.url;
    this.currentUrl = typeof options.url === 'function' ? '' : parseWebSocketUrl(options.url).href;
    this.codec = ClientCodec.from(options);
    if (this.codec?.messaging !== undefined) {
      this.codec.messaging.onGivenUp = (body) =>
        this.undelivered.next({ data: body as Out, maybeSent: true, reason: 'Maybe not delivered: the server had not acknowledged it and too many messages waited for their acknowledgement' });
    }
    this.queue = options.queue ? new SendQueue(options.queue.maxMessages) : undefined;
    this.pipeline = this.buildPipeline();
    this.events$ = this.subject.asObservable() as Observable<EventOf<In, Out>>;
    this.messages$ = this.subject.pipe(filter(isMessage)) as Observable<MessageEventOf<In, Out>>;
    this.undelivered$ = this.undelivered.asObservable();
    this.channelGaps$ = this.gaps.asObservable();
    this.state$ = this.store.state$;
  }

  /**
   * The connection's state, replayed: the current value on subscribe (synchronously, so
   * Angular's `toSignal` needs no initial value), then every change.
   *
   * @example
   * client.state$.subscribe((s) => {
   *   if (s.status === 'reconnecting') console.log(`retry ${s.retries} in ${s.nextTryInMs} ms: ${s.lastError?.reason}`);
   * });
   */
  readonly state$: Observable<ConnectionState>;

  /**
   * Sends a request to the server's handler `target` and emits its reply: one value, or every
   * value of a streamed reply, then completes. Errors with the server's error (its `code`,
   * `message`, `data`), REQUEST_TIMEOUT, TOO_MANY_REQUESTS or CONNECTION_LOST (a `MessageError`).
   * Unsubscribing before the end cancels it on the server. Cold: each subscription is one request.
   * Made while disconnected, it is sent on the next open; sent on a connection that dies, it is
   * sent again (same id) while `retries` remain, and the server runs its handler once. Needs the
   * `messaging` option (docs/messages.md).
   *
   * @example
   * const client = new WebSocketClient({ url: 'ws://127.0.0.1:8008', codec: json(), messaging: true });
   * client.start();
   * client.request<number>('add', { a: 2, b: 3 }, { timeoutMs: 5000 }).subscribe((sum) => console.log(sum));
   * client.request<string>('tail', { file: 'app.log' }).subscribe((line) => console.log(line)); // a stream
   */
  request<R = unknown>(target: string, body?: unknown, options?: RequestOptions): Observable<R> {
    return ClientCodec.request<R>(this.codec, target, body, options);
  }

  /**
   * The URL of the next `start()`; with a url function, the URL of the last try ('' before the
   * first). Setting it (a URL, or a function evaluated before each try) checks a URL at once
   * (a bad one throws a WebSocketError) and does not touch a running connection.
   */
  get url(): string {
    return this.currentUrl;
  }

  set url(value: PerTry<string | URL>) {
    this.currentUrl = typeof value === 'function' ? '' : parseWebSocketUrl(value).href;
    this.urlSource = value;
  }

  /** CONNECTING (0) while a try is under way, OPEN (1), CLOSING (2) after `stop()`, CLOSED (3) when stopped or between tries. */
  get readyState(): ReadyState {
    return this.state;
  }

  /** How many messages wait in the send queue (0 without one). */
  get queuedMessages(): number {
    return this.queue?.size ?? 0;
  }

  /**
   * Starts connecting (and reconnecting). Does nothing while already started. Called while a
   * `stop()` is still closing, starts again once that close event has come.
   */
  start(): void {
    if (this.stopping) {
      this.restartPending = true;
      return;
    }
    if (this.running !== undefined && !this.running.closed) return;
    this.stopping = false;
    this.failures = 0;
    this.lastClose = undefined;
    this.store.started();
    const running = this.pipeline(typeof this.urlSource === 'function' ? this.urlSource : this.currentUrl).subscribe({
      next: (event) => this.handle(event),
      error: (err: unknown) => this.fail(err),
      complete: () => {
        const restart = this.restartPending;
        const gaveUp = this.stopping ? undefined : this.lastClose;
        this.ended(gaveUp && closeProblem(gaveUp));
        if (restart) this.start();
      },
    });
    // A pipeline that ended while subscribing has already reset the state.
    if (!running.closed) this.running = running;
  }

  /**
   * Closes the connection with `code` (default 1000) and `reason`, and stops reconnecting. The
   * close event still arrives on `events$`. While connecting or waiting to retry, stops at
   * once. Queued messages stay queued for the next `start()`. A bad code or reason throws a RangeError.
   */
  stop(code: number = CloseCode.NORMAL, reason = ''): void {
    assertCloseArgs(code, reason);
    this.restartPending = false;
    this.codec?.stopped();
    if (this.running === undefined || this.running.closed || this.state === CLOSING) return;
    if (this.socket !== undefined && this.state === OPEN) {
      this.stopping = true;
      this.state = CLOSING;
      this.socket.close(code, reason);
      return;
    }
    this.running.unsubscribe();
    this.ended();
  }

  /**
   * Sends now when open. When not open: with a queue, holds the message (true) unless the queue
   * is full (false: the message is not taken); without a queue, returns false. A message taken
   * that the connection dies with before writing it goes back to the queue, or to `undelivered$`.
   * Anything but a string, a Uint8Array (or Buffer) or an ArrayBuffer throws a TypeError at once,
   * queue or not: serialize objects first (`JSON.stringify`).
   */
  send(data: Out): boolean {
    // Without a codec only raw frames go out; a codec checks (and encodes) its own values.
    if (this.codec === undefined) assertSendData(data as SendData);
    if (this.state === OPEN && this.socket !== undefined && this.write(this.socket, data)) return true;
    return this.queue?.push(data as SendData) ?? false;
  }

  /**
   * A cold Observable of the publications on channel `name` (docs/channels.md): the first
   * subscriber sends a subscribe request (`sub`), the last one to leave an unsubscribe
   * (`unsub`), and every reconnect subscribes again by itself. A refusal, then or on a later
   * reconnect, errors it with a MessageError (`CHANNEL_REFUSED`, the server's reason in
   * `message`); so does a server that ends the subscription (`CHANNEL_CLOSED`). Bodies are
   * JSON. The server side is `channels(server, …)` from `rxws/server`.
   *
   * @example
   * client.channel<{ price: number }>('quotes:ACME').subscribe({
   *   next: (q) => console.log(q.price),
   *   error: (e: MessageError) => console.warn(e.code, e.message),
   * });
   * client.start();
   */
  channel<T = unknown>(name: string): Observable<T> {
    return this.channels().channel<T>(name);
  }

  /**
   * As `channel(name)`, as events: each publication with its position (`epoch`, `offset`) on a
   * channel with history, `subscribed` after each (re)subscription, and `gap` where publications
   * were missed for good (the server could not replay them: refetch). Shares the subscription of
   * `channel(name)`. Resuming is automatic: every resubscription asks for what was missed since
   * the last position received, and the server sends it before the live publications.
   *
   * @example
   * client.channelEvents<Order>('orders').subscribe((e) => {
   *   if (e.type === 'publication') orders.add(e.data);
   *   else if (e.type === 'gap') orders.reload(); // e.missed publications are gone
   * });
   */
  channelEvents<T = unknown>(name: string): Observable<ChannelEvent<T>> {
    return this.channels().channelEvents<T>(name);
  }

  private channels(): Channels {
    this.channelSet ??= channelsOf({
      events$: this.subject.asObservable(),
      isOpen: () => this.state === OPEN,
      send: (data) => this.send(data as Out),
      messaging: this.codec?.messaging,
      hasCodec: this.codec !== undefined,
      onGap: (gap) => this.gaps.next(gap),
    });
    return this.channelSet;
  }

  /**
   * RxJS `WebSocketSubject.multiplex`, for servers with their own subscribe messages: each
   * subscription sends `subMsg()` (at once when open, and again after every reconnect), emits
   * the messages `messageFilter` accepts, and sends `unsubMsg()` when it ends. Values are JSON
   * unless `options` say otherwise; with a `codec`, the codec's values as they are.
   *
   * @example
   * const ticks$ = client.multiplex<{ symbol: string; price: number }>(
   *   () => ({ subscribe: 'ACME' }),
   *   () => ({ unsubscribe: 'ACME' }),
   *   (m) => m.symbol === 'ACME',
   * );
   */
  multiplex<T = unknown>(subMsg: () => unknown, unsubMsg: () => unknown, messageFilter: (value: T) => boolean, options?: MultiplexOptions<T>): Observable<T> {
    // With a codec, values are already decoded and send encodes: pass them as they are.
    const defaults: MultiplexOptions<T> = this.codec === undefined ? {} : { serializer: (value) => value as SendData, deserializer: (event) => event.data as unknown as T };
    return multiplex<T>({ events$: this.subject.asObservable(), send: (data) => this.send(data as Out), isOpen: () => this.state === OPEN }, subMsg, unsubMsg, messageFilter, { ...defaults, ...options });
  }

  /** Hands `data` to the socket, watching for its write report. */
  private write(socket: SocketHandle, data: Out): boolean {
    const inFlight = (this.inFlight ??= new InFlight());
    inFlight.push(data as SendData); // first: a socket may report during send
    let sent: boolean;
    try {
      // With a codec the socket is a TypedSocket: it encodes `data`, and throws when it cannot.
      sent = socket.send(data as SendData, inFlight.onWritten);
    } catch (err) {
      inFlight.popLast();
      throw err;
    }
    if (sent) return true;
    inFlight.popLast();
    return false;
  }

  /** Writes a queued message on open; one the codec cannot encode is reported, not thrown into the pipeline. */
  private flushOne(socket: SocketHandle, data: Out): boolean {
    try {
      return this.write(socket, data);
    } catch (err) {
      this.undelivered.next({ data, maybeSent: false, reason: `Not sent: the codec could not encode it (${(err as Error).message})` });
      return true;
    }
  }

  /**
   * The connection has ended: what it never wrote goes back to the head of the queue, in order
   * (it never left, so sending it again cannot duplicate it); what does not fit, or everything
   * without a queue, is reported, as are messages it died in the middle of writing.
   */
  private settleInFlight(close: WebSocketCloseEvent | undefined): void {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    if (inFlight === undefined) return;
    const { unwritten, maybeSent } = inFlight.end();
    // The message layer numbered them and sends every unacknowledged one again on the next open.
    if (this.codec?.messaging?.resendsMessages === true) return;
    const how = close === undefined ? 'the connection ended' : `the connection closed (${close.code}${close.reason ? ` ${close.reason}` : ''})`;
    for (const data of maybeSent) {
      this.undelivered.next({ data: data as Out, maybeSent: true, reason: `Maybe not delivered: ${how} while it was being written; part or all of it may have reached the peer` });
    }
    const requeued = this.queue?.requeue(unwritten) ?? 0;
    const why = this.queue === undefined ? 'there is no send queue' : `the send queue is full (maxMessages ${this.queue.maxMessages})`;
    for (let i = requeued; i < unwritten.length; i++) {
      this.undelivered.next({ data: unwritten[i] as Out, maybeSent: false, reason: `Not sent: ${how} before it was written, and ${why}` });
    }
  }

  /** Builds the policies once, so that bad options throw from the constructor. */
  private buildPipeline(): (url: PerTry<string | URL>) => Observable<WebSocketEvent> {
    const {
      reconnect: reconnectOptions = {}, keepAlive: keepAliveOptions = false, scheduler, queue: _q, connect: connectFn = realConnect,
      url: _u, headers, protocols, firstMessage, network = browserNetworkStatus(), codec: _c, decodeErrors: _d, messaging: _m, ...connectOptions
    } = this.options;
    if (typeof firstMessage !== 'function' && firstMessage !== undefined) checkFirstMessage(firstMessage); // a bad one throws here
    const decode = this.codec?.decoder() ?? identity;
    const heartbeat = keepAliveOptions === false ? identity : keepAlive({ scheduler, ...keepAliveOptions });
    const shouldReconnect = (reconnectOptions && reconnectOptions.shouldReconnect) || defaultShouldReconnect;
    const online$ = network === false ? undefined : network;
    const retry = reconnectOptions === false
      ? identity
      : reconnect({ scheduler, online$, ...reconnectOptions, shouldReconnect: (cause) => this.allowsRetry(shouldReconnect, cause) });
    const onTry = (p: TryParameters): void => {
      this.currentUrl = p.url;
      this.firstMessage = p.firstMessage;
    };
    return (url) => {
      const tryOnce = connectWithParameters({ url, headers, protocols, firstMessage }, connectFn, connectOptions, onTry);
      return defer(() => {
        this.state = CONNECTING;
        this.store.trying();
        return tryOnce().pipe(heartbeat, decode) as Observable<WebSocketEvent>;
      }).pipe(retry);
    };
  }

  /** The reconnect policy, which also tells the state that a dropped connection will be tried again. */
  private allowsRetry(shouldReconnect: (cause: ReconnectCause) => boolean, cause: ReconnectCause): boolean {
    const retry = !this.stopping && shouldReconnect(cause);
    if (retry && 'type' in cause && cause.type === 'close') this.store.dropped(cause);
    return retry;
  }

  private handle(event: WebSocketEvent): void {
    switch (event.type) {
      case 'open':
        this.state = OPEN;
        this.socket = event.socket;
        this.failures = 0;
        this.lastClose = undefined;
        this.store.opened(event.protocol);
        this.settleInFlight(undefined); // a previous connection that ended with no close event
        this.inFlight = new InFlight();
        // Not tracked in flight: credentials of this connection must not be requeued for the next one.
        if (this.firstMessage !== undefined) event.socket.send(this.firstMessage);
        this.queue?.flush((data) => this.flushOne(event.socket, data as Out));
        break;
      case 'close':
        this.state = CLOSED;
        this.socket = undefined;
        this.lastClose = event;
        this.settleInFlight(event);
        break;
      case 'error':
        this.state = CLOSED;
        this.failures = event.retries;
        this.store.failed(event);
        break;
    }
    this.subject.next(event);
  }

  /** The tries ended with a failure that is not retried: report it as a last `error` event. */
  private fail(cause: unknown): void {
    const reason = cause instanceof WebSocketError ? cause.reason : cause instanceof Error ? cause.message : String(cause);
    const httpStatus = cause instanceof WebSocketError ? cause.httpStatus : 0;
    const event: WebSocketErrorEvent = { type: 'error', reason, retries: this.failures + 1, waitTimeMs: 0, httpStatus, cause };
    this.ended(errorProblem(event), event.retries);
    this.subject.next(event);
  }

  /** Back to CLOSED; `problem` is what made the policy give up, if it did. */
  private ended(problem?: ConnectionProblem, retries?: number): void {
    this.settleInFlight(undefined);
    this.state = CLOSED;
    this.socket = undefined;
    this.running = undefined;
    this.stopping = false;
    this.restartPending = false;
    this.store.closed(problem, retries);
  }
}
