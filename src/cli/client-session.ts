import { BehaviorSubject, defer, distinctUntilChanged, EMPTY, identity, switchMap, takeWhile, type Observable, type Subscription } from 'rxjs';
import { connect, keepAlive, reconnect, type ConnectOptions, type SendData, type SocketHandle, type WebSocketEvent } from '../index';
import { interrupted, stdinLines$ } from './lifetime';

/** How long an interrupted session waits for the closing handshake before it gives up. */
export const INTERRUPT_CLOSE_BOUND_MS = 2000;

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
 * One interactive client: connects (and reconnects), sends what it is given once open (queued
 * before), counts bytes, and ends with a clean closing handshake.
 */
export class ClientSession {
  sentBytes = 0;
  receivedBytes = 0;
  /** Resolves when the session is over; rejects when the connection failed and reconnecting is off. */
  readonly done: Promise<void>;
  private socket: SocketHandle | null = null;
  private readonly queue: Array<(socket: SocketHandle) => void> = [];
  private readonly running$ = new BehaviorSubject(true);
  private ending = false;
  private subscription!: Subscription;
  private finish!: () => void;

  constructor(private readonly options: ClientSessionOptions) {
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      this.subscription = this.running$
        .pipe(
          distinctUntilChanged(),
          switchMap((running) => (running ? this.connection$() : EMPTY)),
          // Once ending, the close event is the last: reconnect must not start another try.
          takeWhile((e) => !(this.ending && e.type === 'close'), true),
        )
        .subscribe({ next: (e) => this.handle(e), error: reject, complete: resolve });
    });
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Sends now when open, else queues until the next open. */
  send(data: SendData): void {
    this.whenOpen((socket) => {
      if (socket.send(data)) this.sentBytes += byteLength(data);
    });
  }

  /** Sends a ping now when open, else after the next open. */
  ping(data: string): void {
    this.whenOpen((socket) => socket.ping(data));
  }

  private whenOpen(action: (socket: SocketHandle) => void): void {
    if (this.socket && this.socket.readyState === 1) action(this.socket);
    else this.queue.push(action);
  }

  /** Closes the connection (1000) and stays disconnected until start(). */
  stop(): void {
    this.socket = null;
    this.running$.next(false);
  }

  start(): void {
    this.running$.next(true);
  }

  /** Ends after everything queued is sent: closes with 1000 and waits for the close event. */
  end(): Promise<void> {
    this.ending = true;
    if (!this.running$.value) this.running$.complete();
    else if (this.socket) this.socket.close(1000, 'Normal closure');
    return this.done;
  }

  /** Ctrl-C: a clean close when connected (bounded), else stop at once. */
  async interrupt(): Promise<void> {
    if (!this.socket) return this.abort();
    const bound = setTimeout(() => this.abort(), INTERRUPT_CLOSE_BOUND_MS);
    await this.end().finally(() => clearTimeout(bound));
  }

  private abort(): void {
    this.subscription.unsubscribe();
    this.finish();
  }

  private connection$(): Observable<WebSocketEvent> {
    const { url, connectOptions, pingIntervalMs, maxWaitMs } = this.options;
    return defer(() => connect(url, connectOptions)).pipe(
      pingIntervalMs ? keepAlive({ intervalMs: pingIntervalMs }) : identity,
      this.options.reconnect ? reconnect(maxWaitMs === undefined ? {} : { maxWaitMs }) : identity,
    );
  }

  private handle(event: WebSocketEvent): void {
    if (event.type === 'message') this.receivedBytes += event.wireSize;
    if (event.type === 'close') this.socket = null;
    this.options.onEvent(event);
    if (event.type === 'open') {
      this.socket = event.socket;
      for (const action of this.queue.splice(0)) action(event.socket);
      if (this.ending) event.socket.close(1000, 'Normal closure');
    }
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
