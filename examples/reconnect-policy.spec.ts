// Marble tests of a reconnect policy, with no network: rxws/testing's fakeConnect plays one
// scripted connection per try, and TestScheduler.run() makes the waits virtual.
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { reconnect, WebSocketError, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, textMessage, type FakeScript } from 'rxws/testing';
import { liveEvents } from './reconnect-policy';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to api.test on port 443' });
const unauthorized = new WebSocketError({ code: 'UNEXPECTED_STATUS', httpStatus: 401, reason: 'Expecting status 101 (Switching Protocol), got 401 status' });

/** `open`, `message`, `close 1006`, or `error 2/200` (retries/waitTimeMs). */
const summary = map((e: WebSocketEvent) =>
  e.type === 'error' ? `error ${e.retries}/${e.waitTimeMs}` : e.type === 'close' ? `close ${e.code}` : e.type,
);

describe('reconnect policies', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('retries after 100, 200, 400 ms, opens, and after a drop tries again at once with the count reset', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const down: FakeScript = () => cold('#', undefined, refused);
      const connect = fakeConnect(
        down, down, down,
        (socket) => cold('-o-m-c|', { o: openEvent({ socket }), m: textMessage('hi', socket), c: closeEvent({ code: 1006 }) }),
        down,
        (socket) => cold('-o', { o: openEvent({ socket }) }),
      );
      const events$ = connect('wss://api.test/live').pipe(reconnect(), summary);
      expectObservable(events$, '^ 1000ms !').toBe('a 99ms b 199ms c 399ms -o-m-(xa) 96ms -o', {
        a: 'error 1/100', b: 'error 2/200', c: 'error 3/400', o: 'open', m: 'message', x: 'close 1006',
      });
    });
  });

  it('the example policy stops at once on HTTP 401', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect(() => cold('#', undefined, refused), () => cold('--#', undefined, unauthorized));
      // random() = 1: equal jitter at its top, the full IXWebSocket delay.
      expectObservable(liveEvents('wss://api.test/live', { connect, random: () => 1 }).pipe(summary)).toBe('a 99ms --#', { a: 'error 1/100' }, unauthorized);
    });
  });

  it('the example policy completes after the server closes with 4001, and reconnects after other closes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect(
        (socket) => cold('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 1001, reason: 'Going away' }) }),
        (socket) => cold('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 4001, reason: 'Permission denied' }) }),
      );
      expectObservable(liveEvents('wss://api.test/live', { connect }).pipe(summary)).toBe('-o-ao-(b|)', { o: 'open', a: 'close 1001', b: 'close 4001' });
    });
  });

  it('the example policy gives up after 10 failures in a row, with waits capped at 30 s', () => {
    testScheduler.run(({ cold }) => {
      const connect = fakeConnect(() => cold('#', undefined, refused));
      const waits: number[] = [];
      let gaveUpWith: unknown;
      liveEvents('wss://api.test/live', { connect }).subscribe({
        next: (e) => e.type === 'error' && waits.push(e.waitTimeMs),
        error: (err: unknown) => (gaveUpWith = err),
      });
      testScheduler.flush();
      expect(waits).toHaveLength(10);
      waits.forEach((w, i) => {
        const full = Math.min(100 * 2 ** i, 30_000); // equal jitter: between half and all of it
        expect(w).toBeGreaterThanOrEqual(full / 2);
        expect(w).toBeLessThanOrEqual(full);
      });
      expect(gaveUpWith).toBe(refused);
      expect(connect.tries).toHaveLength(11);
    });
  });

  it('the example policy closes a connection whose pings go unanswered, and reconnects', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect((socket) => cold('-o', { o: openEvent({ socket }) }));
      // Ping at 1 ms, no pong by 5001 ms: closed with 1011, then a new try at once.
      expectObservable(liveEvents('wss://api.test/live', { connect }).pipe(summary), '^ 6000ms !').toBe('-o 4999ms xo', { o: 'open', x: 'close 1011' });
      testScheduler.flush();
      expect(connect.tries[0].socket.closes).toEqual([{ code: 1011, reason: 'Ping timeout: no pong within 5000 ms' }]);
    });
  });
});
