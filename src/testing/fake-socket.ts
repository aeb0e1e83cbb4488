import { CLOSED, CloseCode, CONNECTING, OPEN, type ReadyState } from '../core/constants';
import type { SendData, SocketHandle, WriteCallback, WriteError } from '../core/events';
import { assertCloseArgs, assertControlPayload } from '../core/validation';

/** Options of `FakeSocket`. */
export interface FakeSocketOptions {
  /** The negotiated subprotocol. Default ''. */
  protocol?: string;
  /** The starting state. Default OPEN (1); `fakeConnect` starts its sockets CONNECTING and opens them on `open`. */
  readyState?: ReadyState;
  /** Whether ping frames can be sent; false behaves as a browser (ping returns false). Default true. */
  canPing?: boolean;
  /** Whether `send` reports each message written at once. Default true; false keeps them for `confirmWrites` / `failWrites`. */
  autoConfirmWrites?: boolean;
}

/** A close asked for through the socket handle. */
export interface FakeClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * A SocketHandle with no network that records what your code does with it: `sent` messages,
 * `pings` and `closes`. Put it in the events you feed your code (`openEvent({ socket })`,
 * `textMessage('hi', socket)`), then assert on the records.
 *
 * @example
 * const socket = new FakeSocket();
 * socket.send('hello');
 * socket.close(4000, 'bye');
 * expect(socket.sent).toEqual(['hello']);
 * expect(socket.closes).toEqual([{ code: 4000, reason: 'bye' }]);
 *
 * // Writes the network has not finished: report them yourself.
 * const slow = new FakeSocket({ autoConfirmWrites: false });
 * slow.send('a', (err) => console.log('a', err ?? 'written'));
 * slow.send('b', (err) => console.log('b', err?.message));
 * slow.confirmWrites(1); // a written
 * slow.failWrites();     // b: Error 'The connection closed before this message was written'
 */
export class FakeSocket implements SocketHandle {
  /** Every message accepted by `send`, in order. */
  readonly sent: SendData[] = [];
  /** The payload of every ping sent (undefined for an empty ping), in order. */
  readonly pings: Array<SendData | undefined> = [];
  /** Every close asked for, in order (a second one while closing is recorded too). */
  readonly closes: FakeClose[] = [];
  readyState: ReadyState;
  protocol: string;
  bufferedAmount = 0;
  /** Set by `fakeConnect` to turn a local close into a close event. */
  onClose: ((close: FakeClose) => void) | undefined;
  /** Whether `send` reports each message written at once (see FakeSocketOptions); may be changed at any time. */
  autoConfirmWrites: boolean;
  private readonly canPing: boolean;
  /** One entry per message sent and not yet reported, oldest first (undefined: sent with no callback). */
  private readonly writes: Array<WriteCallback | undefined> = [];

  constructor(options: FakeSocketOptions = {}) {
    this.protocol = options.protocol ?? '';
    this.readyState = options.readyState ?? OPEN;
    this.canPing = options.canPing ?? true;
    this.autoConfirmWrites = options.autoConfirmWrites ?? true;
  }

  /** Messages sent and not yet reported written or failed (with `autoConfirmWrites: false`). */
  get unconfirmedWrites(): number {
    return this.writes.length;
  }

  send(data: SendData, onWritten?: WriteCallback): boolean {
    if (this.readyState !== OPEN) return false;
    this.sent.push(data);
    if (this.autoConfirmWrites && this.writes.length === 0) onWritten?.();
    else this.writes.push(onWritten);
    return true;
  }

  /** Reports the oldest `count` unconfirmed messages (default all) written, in order. */
  confirmWrites(count = this.writes.length): void {
    for (const callback of this.writes.splice(0, count)) callback?.();
  }

  /**
   * Reports every unconfirmed message as not written, with `error` (default: an Error saying
   * the connection closed first; pass `{ maybeSent: true }` in it for a write cut short).
   * `fakeConnect` calls it when a connection ends, as a real socket does.
   */
  failWrites(error?: WriteError): void {
    for (const callback of this.writes.splice(0)) callback?.(error ?? new Error('The connection closed before this message was written'));
  }

  ping(data?: SendData): boolean {
    assertControlPayload('ping', data);
    if (this.readyState !== OPEN || !this.canPing) return false;
    this.pings.push(data);
    return true;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    assertCloseArgs(code, reason);
    if (this.readyState === CLOSED) return;
    this.closes.push({ code, reason });
    const wasOpen = this.readyState !== CONNECTING;
    this.readyState = CLOSED;
    if (wasOpen) this.onClose?.({ code, reason });
  }
}
