import { Observable } from 'rxjs';
import { CLOSED, CONNECTING, OPEN } from '../core/constants';
import type { WebSocketEvent } from '../core/events';
import type { ConnectOptions } from '../core/options';
import { FakeSocket } from './fake-socket';

/** The events of one scripted connection try; put `socket` in its `open` and `message` events. */
export type FakeScript = (socket: FakeSocket) => Observable<WebSocketEvent>;

/** One connection try made through a fake `connect`. */
export interface FakeTry {
  readonly url: string;
  readonly options: ConnectOptions;
  /** The try's socket: what the code under test sent, pinged and closed. */
  readonly socket: FakeSocket;
}

/** A drop-in for `connect` whose connections follow scripts; `tries` records each subscription. */
export interface FakeConnect {
  (url: string | URL, options?: ConnectOptions): Observable<WebSocketEvent>;
  /** Every try so far, in order: one per subscription. */
  readonly tries: readonly FakeTry[];
}

/**
 * Makes a `connect` look-alike for tests with no network. The n-th subscription plays the n-th
 * script (the last one again once they run out), with a new `FakeSocket` that starts CONNECTING,
 * becomes OPEN on the `open` event and CLOSED on `close`. As with a real connection: a local
 * `socket.close(code, reason)` emits a close event (`remote: false`) and completes; the
 * Observable completes after a `close` event; unsubscribing while open closes with 1000. When
 * a connection ends, messages its socket has not reported written (`autoConfirmWrites: false`)
 * are reported failed first, as a real socket does.
 *
 * @example
 * testScheduler.run(({ cold, expectObservable }) => {
 *   const connect = fakeConnect(
 *     () => cold('--#', undefined, new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'refused' })),
 *     (socket) => cold('-o', { o: openEvent({ socket }) }),
 *   );
 *   expectObservable(connect('ws://x').pipe(reconnect(), map((e) => e.type))).toBe('--e 99ms -o', { e: 'error', o: 'open' });
 * });
 */
export function fakeConnect(...scripts: FakeScript[]): FakeConnect {
  if (scripts.length === 0) throw new RangeError('fakeConnect needs at least one script: (socket) => Observable of events');
  const tries: FakeTry[] = [];
  const fake = (url: string | URL, options: ConnectOptions = {}): Observable<WebSocketEvent> =>
    new Observable<WebSocketEvent>((subscriber) => {
      const socket = new FakeSocket({ readyState: CONNECTING });
      const script = scripts[Math.min(tries.length, scripts.length - 1)];
      tries.push({ url: String(url), options, socket });
      socket.onClose = ({ code, reason }) => {
        socket.onClose = undefined;
        socket.failWrites();
        subscriber.next({ type: 'close', code, reason, remote: false, wasClean: true });
        subscriber.complete();
      };
      const subscription = script(socket).subscribe({
        next: (event) => {
          if (event.type === 'open') {
            socket.readyState = OPEN;
            socket.protocol = event.protocol;
          } else if (event.type === 'close') {
            socket.onClose = undefined;
            socket.readyState = CLOSED;
            socket.failWrites(); // a socket reports its unwritten messages before its close event
          }
          subscriber.next(event);
          if (event.type === 'close') subscriber.complete();
        },
        error: (err: unknown) => {
          socket.onClose = undefined;
          socket.readyState = CLOSED;
          socket.failWrites();
          subscriber.error(err);
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        socket.onClose = undefined;
        subscription.unsubscribe();
        if (socket.readyState === OPEN) socket.close();
        socket.readyState = CLOSED;
        socket.failWrites();
      };
    });
  return Object.assign(fake, { tries });
}
