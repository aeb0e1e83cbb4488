import { asyncScheduler, Observable, Subscription, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { CloseCode, OPEN } from '../core/constants';
import type { SendData, SocketHandle, WebSocketEvent } from '../core/events';
import { assertDuration, controlPayloadProblem } from '../core/validation';

/** Options of `keepAlive`. */
export interface KeepAliveOptions {
  /** A ping goes out right after `open` and then every `intervalMs`, whatever other traffic flows. */
  intervalMs: number;
  /** How long to wait for a pong after a ping before closing with 1011. Default `intervalMs`. */
  timeoutMs?: number;
  /** The ping payload, at most 125 bytes (RFC 6455 §5.5). Default empty. */
  data?: SendData;
  /**
   * Sent as an ordinary message when ping frames cannot be sent (browsers), or a function
   * making it. There, any message received counts as the answer. Without it browsers get no
   * keep-alive. Default none.
   */
  heartbeat?: SendData | (() => SendData);
  /** Where the timers run. Default `asyncScheduler` (virtual inside `TestScheduler.run`). */
  scheduler?: SchedulerLike;
}

function assertKeepAliveOptions(options: KeepAliveOptions): void {
  const { intervalMs, timeoutMs = intervalMs, data } = options;
  assertDuration('keepAlive intervalMs', intervalMs);
  assertDuration('keepAlive timeoutMs', timeoutMs);
  const problem = controlPayloadProblem('keepAlive ping data', data);
  if (problem !== undefined) throw new RangeError(`${problem}: shorten it`);
}

/** The pinging of one open connection: one interval timer and at most one answer deadline. */
class Heartbeat {
  private readonly timers = new Subscription();
  private deadline: Subscription | undefined;
  /** Set when pings are impossible (browsers) and heartbeat messages go instead. */
  private usesMessages = false;
  /** Our close, once the answer timed out: the close event reports it, whatever the peer echoed. */
  closedWith: { code: number; reason: string } | undefined;

  constructor(
    private readonly socket: SocketHandle,
    private readonly options: KeepAliveOptions & { timeoutMs: number; scheduler: SchedulerLike },
  ) {
    this.beat();
    this.timers.add(timer(options.intervalMs, options.intervalMs, options.scheduler).subscribe(() => this.beat()));
  }

  /** Any sign of life that answers an outstanding ping (a pong; a message in heartbeat mode). */
  answered(kind: 'pong' | 'message'): void {
    if (kind === 'pong' || this.usesMessages) this.clearDeadline();
  }

  stop(): void {
    this.clearDeadline();
    this.timers.unsubscribe();
  }

  private beat(): void {
    if (this.socket.readyState !== OPEN) return;
    if (!this.socket.ping(this.options.data)) {
      const { heartbeat } = this.options;
      if (heartbeat === undefined) return;
      this.usesMessages = true;
      if (!this.socket.send(typeof heartbeat === 'function' ? heartbeat() : heartbeat)) return;
    }
    // One deadline at a time, from the oldest unanswered ping: detection within interval + timeout.
    if (this.deadline === undefined) {
      this.deadline = timer(this.options.timeoutMs, this.options.scheduler).subscribe(() => this.expire());
      this.timers.add(this.deadline);
    }
  }

  private expire(): void {
    this.deadline = undefined;
    this.stop();
    const { timeoutMs } = this.options;
    const reason = this.usesMessages
      ? `Heartbeat timeout: no message within ${timeoutMs} ms`
      : `Ping timeout: no pong within ${timeoutMs} ms`;
    this.closedWith = { code: CloseCode.INTERNAL_ERROR, reason };
    this.socket.close(CloseCode.INTERNAL_ERROR, reason);
  }

  private clearDeadline(): void {
    this.deadline?.unsubscribe();
    this.deadline = undefined;
  }
}

/**
 * Detects dead and half-open connections. After each `open` it pings at once and then every
 * `intervalMs`; when no pong arrives within `timeoutMs` of a ping, it closes the socket with
 * 1011 and the reason `Ping timeout: no pong within N ms`, so that `reconnect` (placed after
 * it, or around it) tries again. Events pass through unchanged. A ping payload over 125 bytes
 * is refused with a RangeError when the operator is created.
 *
 * @example
 * connect('ws://127.0.0.1:8008').pipe(
 *   keepAlive({ intervalMs: 30_000, timeoutMs: 5_000 }),
 *   reconnect(),
 * ).subscribe((e) => e.type === 'close' && console.log(e.code, e.reason));
 */
export function keepAlive(options: KeepAliveOptions): MonoTypeOperatorFunction<WebSocketEvent> {
  assertKeepAliveOptions(options);
  const resolved = { ...options, timeoutMs: options.timeoutMs ?? options.intervalMs, scheduler: options.scheduler ?? asyncScheduler };
  return (source) =>
    new Observable<WebSocketEvent>((subscriber) => {
      let heartbeat: Heartbeat | undefined;
      const end = (): void => {
        heartbeat?.stop();
        heartbeat = undefined;
      };
      const subscription = source.subscribe({
        next: (event) => {
          switch (event.type) {
            case 'open':
              end();
              heartbeat = new Heartbeat(event.socket, resolved);
              break;
            case 'pong':
            case 'message':
              heartbeat?.answered(event.type);
              break;
            case 'close': {
              const ours = heartbeat?.closedWith;
              end();
              // Some peers answer a close with another code (or none): report why we closed.
              if (ours !== undefined) {
                subscriber.next({ ...event, ...ours, remote: false });
                return;
              }
              break;
            }
          }
          subscriber.next(event);
        },
        error: (err: unknown) => {
          end();
          subscriber.error(err);
        },
        complete: () => {
          end();
          subscriber.complete();
        },
      });
      return () => {
        end();
        subscription.unsubscribe();
      };
    });
}
