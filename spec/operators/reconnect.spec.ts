import { map, take, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { defaultShouldReconnect, reconnect, WebSocketError, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, textMessage, type FakeSocket } from 'rxws/testing';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to 127.0.0.1 on port 9' });
const unauthorized = new WebSocketError({ code: 'UNEXPECTED_STATUS', httpStatus: 401, reason: 'Expecting status 101 (Switching Protocol), got 401 status' });

/** Each event as a short string: `open`, `close 1006`, `error 3/400` (retries/waitTimeMs), `message hi`. */
function summary(e: WebSocketEvent): string {
  switch (e.type) {
    case 'error':
      return `error ${e.retries}/${e.waitTimeMs}`;
    case 'close':
      return `close ${e.code}`;
    case 'message':
      return `message ${String(e.data)}`;
    default:
      return e.type;
  }
}
const summarize = (source: Observable<WebSocketEvent>): Observable<string> => source.pipe(map(summary));

describe('reconnect()', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it("waits 100, 200, 400 … 6400 ms, then 10000 from the 8th failed try on, as IXWebSocket", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const failing = cold<WebSocketEvent>('#', undefined, refused);
      const result = summarize(failing.pipe(reconnect(), take(10)));
      expectObservable(result).toBe('a 99ms b 199ms c 399ms d 799ms e 1599ms f 3199ms g 6399ms h 9999ms i 9999ms (j|)', {
        a: 'error 1/100', b: 'error 2/200', c: 'error 3/400', d: 'error 4/800', e: 'error 5/1600',
        f: 'error 6/3200', g: 'error 7/6400', h: 'error 8/10000', i: 'error 9/10000', j: 'error 10/10000',
      });
    });
  });

  it('resets the count after an open, and tries again at once after a dropped connection', () => {
    const fail = () => testScheduler.createColdObservable<WebSocketEvent>('#', undefined, refused);
    const opening = (marbles: string) => (socket: FakeSocket) =>
      testScheduler.createColdObservable<WebSocketEvent>(marbles, { o: openEvent({ socket }), c: closeEvent({ code: 1006 }) });
    const connect = fakeConnect(fail, fail, fail, opening('-o-c|'), fail, opening('-o'));
    testScheduler.run(({ expectObservable }) => {
      const result = summarize(connect('ws://x').pipe(reconnect()));
      // Failures at 0, 100, 300; open at 701, drop at 703, immediate retry fails at 703 (count back to 1), open at 804.
      expectObservable(result, '^ 1000ms !').toBe('a 99ms b 199ms c 399ms -o-(xd) 96ms -o', {
        a: 'error 1/100', b: 'error 2/200', c: 'error 3/400', o: 'open', x: 'close 1006', d: 'error 1/100',
      });
    });
    expect(connect.tries).toHaveLength(6);
  });

  it('emits the reason, httpStatus and cause of the failed try', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold<WebSocketEvent>('#', undefined, unauthorized).pipe(reconnect(), take(1));
      expectObservable(result).toBe('(e|)', {
        e: { type: 'error', reason: unauthorized.reason, retries: 1, waitTimeMs: 100, httpStatus: 401, cause: unauthorized },
      });
    });
  });

  it('gives up after maxRetries and errors with the last cause', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<WebSocketEvent>('#', undefined, refused);
      expectObservable(summarize(failing.pipe(reconnect({ maxRetries: 2 })))).toBe('a 99ms b 199ms #', { a: 'error 1/100', b: 'error 2/200' }, refused);
      expectSubscriptions(failing.subscriptions).toBe(['(^!)', '100ms (^!)', '300ms (^!)']);
    });
  });

  it('with maxRetries 0 errors at the first failure', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<WebSocketEvent>('--#', undefined, refused).pipe(reconnect({ maxRetries: 0 }))).toBe('--#', undefined, refused);
    });
  });

  it('stops when shouldReconnect says no: errors with a failed try\'s cause', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect(() => cold('#', undefined, refused), () => cold('-#', undefined, unauthorized));
      const result = connect('ws://x').pipe(reconnect({ shouldReconnect: (cause) => !(cause instanceof WebSocketError && cause.httpStatus === 401) }));
      expectObservable(summarize(result)).toBe('a 99ms -#', { a: 'error 1/100' }, unauthorized);
    });
  });

  it('stops when shouldReconnect says no: completes after a close with code 4001', () => {
    const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 4001, reason: 'Permission denied' }) }));
    testScheduler.run(({ expectObservable }) => {
      const result = connect('ws://x').pipe(reconnect({ shouldReconnect: (cause) => defaultShouldReconnect(cause) && !('type' in cause && cause.code === 4001) }));
      expectObservable(summarize(result)).toBe('-o-(c|)', { o: 'open', c: 'close 4001' });
    });
    expect(connect.tries).toHaveLength(1);
  });

  it('by default does not reconnect after a local close with 1000, but does after a local 1011 and any remote close', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const local1000 = fakeConnect((socket) => cold('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 1000, remote: false }) }));
      expectObservable(summarize(local1000('ws://x').pipe(reconnect()))).toBe('-o-(c|)', { o: 'open', c: 'close 1000' });

      const local1011 = fakeConnect((socket) => cold('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 1011, remote: false }) }), (socket) => cold('-o', { o: openEvent({ socket }) }));
      expectObservable(summarize(local1011('ws://x').pipe(reconnect()))).toBe('-o-co', { o: 'open', c: 'close 1011' });

      const remote1000 = fakeConnect((socket) => cold('-o-c|', { o: openEvent({ socket }), c: closeEvent({ code: 1000 }) }), (socket) => cold('-o', { o: openEvent({ socket }) }));
      expectObservable(summarize(remote1000('ws://x').pipe(reconnect()))).toBe('-o-co', { o: 'open', c: 'close 1000' });
    });
  });

  it('by default does not retry a bad URL or bad options', () => {
    const badUrl = new WebSocketError({ code: 'INVALID_URL', reason: 'Could not parse url' });
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<WebSocketEvent>('#', undefined, badUrl).pipe(reconnect())).toBe('#', undefined, badUrl);
    });
    expect(defaultShouldReconnect(new WebSocketError({ code: 'INVALID_OPTIONS', reason: 'x' }))).toBe(false);
    expect(defaultShouldReconnect(new WebSocketError({ code: 'TLS_UNTRUSTED_CERTIFICATE', reason: 'x' }))).toBe(true);
    expect(defaultShouldReconnect(closeEvent({ code: 1002, remote: false }))).toBe(false);
    expect(defaultShouldReconnect(closeEvent({ code: 1006, remote: false }))).toBe(true);
    expect(defaultShouldReconnect(closeEvent({ code: 4001 }))).toBe(true);
  });

  it('cancels a pending wait at once on unsubscribe', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<WebSocketEvent>('#', undefined, refused);
      expectObservable(summarize(failing.pipe(reconnect())), '^ 150ms !').toBe('a 99ms b', { a: 'error 1/100', b: 'error 2/200' });
      // The try due at 300 ms never happens.
      expectSubscriptions(failing.subscriptions).toBe(['(^!)', '100ms (^!)']);
    });
  });

  it('unsubscribing while connected closes that connection and starts no other', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect((socket) => cold('-o-m', { o: openEvent({ socket }), m: textMessage('hi', socket) }));
      expectObservable(summarize(connect('ws://x').pipe(reconnect())), '^---!').toBe('-o-m', { o: 'open', m: 'message hi' });
      testScheduler.flush();
      expect(connect.tries).toHaveLength(1);
      expect(connect.tries[0].socket.closes).toEqual([{ code: 1000, reason: '' }]);
    });
  });

  it('treats a source that completes without opening as a failed try', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold<WebSocketEvent>('--|').pipe(reconnect(), take(2));
      expectObservable(summarize(result)).toBe('--a 101ms (b|)', { a: 'error 1/100', b: 'error 2/200' });
    });
  });

  it('applies jitter to the waits', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const failing = cold<WebSocketEvent>('#', undefined, refused);
      const result = failing.pipe(reconnect({ jitter: 'equal', random: () => 0 }), take(3));
      expectObservable(summarize(result)).toBe('a 49ms b 99ms (c|)', { a: 'error 1/50', b: 'error 2/100', c: 'error 3/200' });
    });
  });

  it('keeps random jitter within [d/2, d] (equal) and [1, d] (full)', () => {
    testScheduler.run(({ cold }) => {
      for (const jitter of ['equal', 'full'] as const) {
        const waits: number[] = [];
        cold<WebSocketEvent>('#', undefined, refused).pipe(reconnect({ jitter }), take(12)).subscribe((e) => e.type === 'error' && waits.push(e.waitTimeMs));
        testScheduler.flush();
        expect(waits).toHaveLength(12);
        waits.forEach((w, i) => {
          const d = Math.min(100 * 2 ** i, 10000);
          expect(w).toBeLessThanOrEqual(d);
          expect(w).toBeGreaterThanOrEqual(jitter === 'equal' ? d / 2 : 1);
        });
      }
    });
  });

  it('uses the scheduler it is given, outside run() too', () => {
    const failing = testScheduler.createColdObservable<WebSocketEvent>('#', undefined, refused);
    const times: number[] = [];
    failing.pipe(reconnect({ scheduler: testScheduler }), take(3)).subscribe(() => times.push(testScheduler.now()));
    testScheduler.flush();
    expect(times).toEqual([0, 100, 300]);
  });

  it('refuses bad options when created', () => {
    expect(() => reconnect({ maxRetries: -1 })).toThrow(/maxRetries must be a whole number >= 0 or Infinity, got -1/);
    expect(() => reconnect({ maxWaitMs: 0, minWaitMs: 5 })).toThrow(RangeError);
    expect(() => reconnect({ jitter: 'all' as 'full' })).toThrow(/jitter/);
  });

  it('errors with the error of a shouldReconnect that throws', () => {
    const bug = new Error('policy bug');
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold<WebSocketEvent>('-#', undefined, refused).pipe(reconnect({ shouldReconnect: () => { throw bug; } }));
      expectObservable(result).toBe('-#', undefined, bug);
    });
  });
});
