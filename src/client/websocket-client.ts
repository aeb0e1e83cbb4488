import { defer, filter, identity, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { connect as realConnect } from '../observables/connect';
import { CLOSED, CLOSING, CloseCode, CONNECTING, OPEN, type ReadyState } from '../observables/constants';
import { WebSocketError } from '../observables/errors';
import type { SendData, SocketHandle, WebSocketErrorEvent, WebSocketEvent, WebSocketMessageEvent } from '../observables/events';
import type { ConnectOptions } from '../observables/options';
import { parseWebSocketUrl } from '../observables/url';
import { assertCloseArgs } from '../observables/validation';
import { keepAlive, type KeepAliveOptions } from '../operators/keep-alive';
import { defaultShouldReconnect, reconnect, type ReconnectOptions } from '../operators/reconnect';
import { SendQueue, type QueueOptions } from './send-queue';

/** A function with `connect`'s shape: `rxws/testing`'s `fakeConnect` is one. */
export type ConnectFunction = (url: string | URL, options?: ConnectOptions) => Observable<WebSocketEvent>;

/** Options of `WebSocketClient`: `connect`'s options plus the policies. */
export interface WebSocketClientOptions extends ConnectOptions {
  /** Where to connect (`ws:`, `wss:`, or `http(s):` taken as `ws(s):`). */
  url: string | URL;
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

/**
 * A long-lived WebSocket client in the IXWebSocket style, built from `connect`, `keepAlive` and
 * `reconnect`. `events$` is hot and shared: every subscriber sees the events from the moment
 * it subscribes. Reconnection is on by default. With `queue`, messages sent while disconnected
 * are delivered in order after the next open. Messages handed to a socket that then drops may
 * or may not have reached the peer: acknowledge at the application level when that matters.
 *
 * @example
 * const client = new WebSocketClient({ url: 'ws://127.0.0.1:8008', keepAlive: { intervalMs: 30_000 }, queue: { maxMessages: 100 } });
 * client.messages$.subscribe((m) => console.log(m.data));
 * client.events$.subscribe((e) => e.type === 'error' && console.warn(e.reason, `retry in ${e.waitTimeMs} ms`));
 * client.start();
 * client.send('hello'); // queued until open
 * // later: client.stop();
 */
export class WebSocketClient {
  /** Every event of every connection: open, message, ping, pong, close, and error before each retry. Hot. */
  readonly events$: Observable<WebSocketEvent>;
  /** The `message` events of `events$`. */
  readonly messages$: Observable<WebSocketMessageEvent>;
  private readonly subject = new Subject<WebSocketEvent>();
  private readonly queue: SendQueue | undefined;
  private currentUrl: string;
  private state: ReadyState = CLOSED;
  private socket: SocketHandle | undefined;
  private running: Subscription | undefined;
  private stopping = false;
  /** start() was called while a stop() was closing: start again once the close has come. */
  private restartPending = false;
  private failures = 0;
  private readonly pipeline: (url: string) => Observable<WebSocketEvent>;

  constructor(private readonly options: WebSocketClientOptions) {
    this.currentUrl = parseWebSocketUrl(options.url).href;
    this.queue = options.queue ? new SendQueue(options.queue.maxMessages) : undefined;
    this.pipeline = this.buildPipeline();
    this.events$ = this.subject.asObservable();
    this.messages$ = this.events$.pipe(filter(isMessage));
  }

  /** The URL of the next `start()`. Setting it checks it (a bad URL throws a WebSocketError) and does not touch a running connection. */
  get url(): string {
    return this.currentUrl;
  }

  set url(value: string | URL) {
    this.currentUrl = parseWebSocketUrl(value).href;
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
    const running = this.pipeline(this.currentUrl).subscribe({
      next: (event) => this.handle(event),
      error: (err: unknown) => this.fail(err),
      complete: () => {
        const restart = this.restartPending;
        this.ended();
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
   * is full (false: the message is dropped); without a queue, returns false.
   */
  send(data: SendData): boolean {
    if (this.state === OPEN && this.socket !== undefined && this.socket.send(data)) return true;
    return this.queue?.push(data) ?? false;
  }

  /** Builds the policies once, so that bad options throw from the constructor. */
  private buildPipeline(): (url: string) => Observable<WebSocketEvent> {
    const { reconnect: reconnectOptions = {}, keepAlive: keepAliveOptions = false, scheduler, queue: _q, connect: connectFn = realConnect, url: _u, ...connectOptions } = this.options;
    const heartbeat = keepAliveOptions === false ? identity : keepAlive({ scheduler, ...keepAliveOptions });
    const shouldReconnect = (reconnectOptions && reconnectOptions.shouldReconnect) || defaultShouldReconnect;
    const retry = reconnectOptions === false
      ? identity
      : reconnect({ scheduler, ...reconnectOptions, shouldReconnect: (cause) => !this.stopping && shouldReconnect(cause) });
    return (url) =>
      defer(() => {
        this.state = CONNECTING;
        return connectFn(url, connectOptions).pipe(heartbeat);
      }).pipe(retry);
  }

  private handle(event: WebSocketEvent): void {
    switch (event.type) {
      case 'open':
        this.state = OPEN;
        this.socket = event.socket;
        this.failures = 0;
        this.queue?.flush(event.socket);
        break;
      case 'close':
        this.state = CLOSED;
        this.socket = undefined;
        break;
      case 'error':
        this.state = CLOSED;
        this.failures = event.retries;
        break;
    }
    this.subject.next(event);
  }

  /** The tries ended with a failure that is not retried: report it as a last `error` event. */
  private fail(cause: unknown): void {
    this.ended();
    const reason = cause instanceof WebSocketError ? cause.reason : cause instanceof Error ? cause.message : String(cause);
    const httpStatus = cause instanceof WebSocketError ? cause.httpStatus : 0;
    const event: WebSocketErrorEvent = { type: 'error', reason, retries: this.failures + 1, waitTimeMs: 0, httpStatus, cause };
    this.subject.next(event);
  }

  private ended(): void {
    this.state = CLOSED;
    this.socket = undefined;
    this.running = undefined;
    this.stopping = false;
    this.restartPending = false;
  }
}
