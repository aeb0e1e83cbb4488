import type { Observable, Subscription } from 'rxjs';
import { OPEN, WebSocketClient, type ConnectionStatus, type ConnectOptions, type SendData, type SocketHandle, type WebSocketEvent } from '../index';
import { interrupted, stdinLines$ } from './lifetime';

/** How long an interrupted session waits for the closing handshake before it gives up. */
const INTERRUPT_CLOSE_BOUND_MS = 2000;

/** The send queue holds everything typed while disconnected, as IXWebSocket's ws tool does. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export interface ClientSessionOptions {
  url: string;
  connectOptions: ConnectOptions;
  /** Reconnect after failures and drops (IXWebSocket's default); false to fail at once. */
  reconnect: boolean;
  maxWaitMs?: number;
  /** Ping interval; 0 or undefined for none. */
  pingIntervalMs?: number;
  onEvent(event: WebSocketEvent): void;
}

function byteLength(data: SendData): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * One interactive client on `WebSocketClient` (which connects, reconnects and queues what is sent
 * before the open): counts bytes, pings on demand, and ends with a clean closing handshake.
 */
export class ClientSession {
  sentBytes = 0;
  receivedBytes = 0;
  /** Resolves when the session is over; rejects when the connection failed and reconnecting is off. */
  readonly done: Promise<void>;
  private readonly client: WebSocketClient;
  private socket: SocketHandle | undefined;
  /** Sizes of the messages the client queued, oldest first: counted as sent once it writes them. */
  private readonly queuedSizes: number[] = [];
  private readonly pendingPings: string[] = [];
  private status: ConnectionStatus = 'closed';
  private paused = false;
  private ending = false;
  private readonly subscriptions: Subscription[] = [];
  private finish!: () => void;
  private fail!: (cause: unknown) => void;

  constructor(options: ClientSessionOptions) {
    const { url, connectOptions, pingIntervalMs, maxWaitMs } = options;
    this.client = new WebSocketClient({
      url,
      ...connectOptions,
      reconnect: options.reconnect && (maxWaitMs === undefined ? {} : { maxWaitMs }),
      keepAlive: pingIntervalMs ? { intervalMs: pingIntervalMs } : false,
      queue: { maxMessages: UNBOUNDED },
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
    this.subscriptions.push(
      this.client.state$.subscribe((state) => this.changed(state.status)),
      this.client.events$.subscribe((event) => this.handle(event, options.onEvent)),
    );
    this.client.start();
  }

  get connected(): boolean {
    return this.client.readyState === OPEN;
  }

  /** Sends now when open, else queues until the next open. */
  send(data: SendData): void {
    const queued = this.client.queuedMessages;
    const taken = this.client.send(data);
    if (this.client.queuedMessages > queued) this.queuedSizes.push(byteLength(data));
    else if (taken) this.sentBytes += byteLength(data);
  }

  /** Sends a ping now when open, else after the next open. */
  ping(data: string): void {
    if (this.socket !== undefined && this.connected) this.socket.ping(data);
    else this.pendingPings.push(data);
  }

  /** Closes the connection (1000) and stays disconnected until start(). */
  stop(): void {
    this.paused = true;
    this.client.stop();
  }

  start(): void {
    this.paused = false;
    this.client.start();
  }

  /** Ends after everything queued is sent: closes with 1000 and waits for the close event. */
  end(): Promise<void> {
    this.ending = true;
    if (this.paused) this.close();
    else if (this.connected) this.client.stop(1000, 'Normal closure');
    return this.done;
  }

  /** Ctrl-C: a clean close when connected (bounded), else stop at once. */
  async interrupt(): Promise<void> {
    if (!this.connected) return this.close();
    const bound = setTimeout(() => this.close(), INTERRUPT_CLOSE_BOUND_MS);
    await this.end().finally(() => clearTimeout(bound));
  }

  private close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.client.stop();
    this.finish();
  }

  private changed(status: ConnectionStatus): void {
    const closed = status === 'closed' && this.status !== 'closed';
    this.status = status;
    // Judged a moment later: a failure that ends the tries comes as an `error` event right after
    // (it rejects first), and a /start made while /stop was closing starts again right after.
    if (closed) queueMicrotask(() => this.status === 'closed' && !this.paused && this.close());
  }

  private handle(event: WebSocketEvent, onEvent: (event: WebSocketEvent) => void): void {
    // The tries are over (reconnecting is off, or the failure is not retried): the session fails with it.
    if (event.type === 'error' && this.status === 'closed') return this.fail(event.cause);
    if (event.type === 'message') this.receivedBytes += event.wireSize;
    if (event.type === 'close') this.socket = undefined;
    onEvent(event);
    if (event.type === 'open') {
      this.socket = event.socket;
      this.countFlushed();
      for (const data of this.pendingPings.splice(0)) event.socket.ping(data);
      if (this.ending) this.client.stop(1000, 'Normal closure');
    }
  }

  /**
   * The client wrote its queue on open, oldest first. Ours are its last messages (any before them
   * were written once already and came back with a dropped connection), so those it no longer
   * holds were written.
   */
  private countFlushed(): void {
    const stillQueued = Math.min(this.queuedSizes.length, this.client.queuedMessages);
    for (const size of this.queuedSizes.splice(0, this.queuedSizes.length - stillQueued)) this.sentBytes += size;
  }
}

/**
 * Runs `session` on stdin: each line goes to `onLine`, end of input ends the session with a clean
 * close, Ctrl-C (or SIGTERM) interrupts it. Settles as `session.done` does, with stdin and the
 * signal handlers released.
 */
export function runOnStdinLines(session: ClientSession, onLine: (line: string) => void): Promise<void> {
  return runOnLines(session, stdinLines$(), onLine);
}

/** `runOnStdinLines` with the lines of another source (`stdinByteLines$()` for binary mode). */
export async function runOnLines<T>(session: ClientSession, lines$: Observable<T>, onLine: (line: T) => void): Promise<void> {
  const signal = interrupted();
  const input = lines$.subscribe({ next: onLine, complete: () => void session.end().catch(() => undefined) });
  void signal.promise.then(() => session.interrupt());
  try {
    await session.done;
  } finally {
    input.unsubscribe();
    signal.dispose();
  }
}
