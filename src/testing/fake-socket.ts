import { CLOSED, CloseCode, CONNECTING, MAX_CONTROL_PAYLOAD, OPEN, type ReadyState } from '../observables/constants';
import type { SendData, SocketHandle } from '../observables/events';
import { utf8Length } from '../observables/utf8';
import { assertCloseArgs } from '../observables/validation';

/** Options of `FakeSocket`. */
export interface FakeSocketOptions {
  /** The negotiated subprotocol. Default ''. */
  protocol?: string;
  /** The starting state. Default OPEN (1); `fakeConnect` starts its sockets CONNECTING and opens them on `open`. */
  readyState?: ReadyState;
  /** Whether ping frames can be sent; false behaves as a browser (ping returns false). Default true. */
  canPing?: boolean;
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
  private readonly canPing: boolean;

  constructor(options: FakeSocketOptions = {}) {
    this.protocol = options.protocol ?? '';
    this.readyState = options.readyState ?? OPEN;
    this.canPing = options.canPing ?? true;
  }

  send(data: SendData): boolean {
    if (this.readyState !== OPEN) return false;
    this.sent.push(data);
    return true;
  }

  ping(data?: SendData): boolean {
    if (data !== undefined) {
      const size = typeof data === 'string' ? utf8Length(data) : data.byteLength;
      if (size > MAX_CONTROL_PAYLOAD) throw new RangeError(`A ping payload is ${size} bytes; control frames carry at most ${MAX_CONTROL_PAYLOAD} bytes (RFC 6455 §5.5)`);
    }
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
