// Marble tests of the live service with no network: fakeConnect plays the server's frames,
// TestScheduler makes the backoff waits virtual.
import { TestScheduler } from 'rxjs/testing';
import { WebSocketError, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, textMessage, type FakeScript } from 'rxws/testing';
import { LiveService, main } from './live-channels-service';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to api.test on port 443' });

describe('LiveService (examples/live-channels-service.ts)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const pub = (price: number, socket: Parameters<FakeScript>[0]) =>
    textMessage(JSON.stringify({ k: 'pub', channel: 'quotes:ACME', body: { symbol: 'ACME', price } }), socket);

  it('status$ reads connecting, reconnecting in 1 s, live; quotes resume after a drop', () => {
    const connect = fakeConnect(
      () => testScheduler.createColdObservable<WebSocketEvent>('#', undefined, refused),
      (socket) => testScheduler.createColdObservable<WebSocketEvent>('-o-a-c|', { o: openEvent({ socket }), a: pub(10, socket), c: closeEvent({ code: 1006, wasClean: false }) }),
      (socket) => testScheduler.createColdObservable<WebSocketEvent>('-o-b', { o: openEvent({ socket }), b: pub(11, socket) }),
    );
    // A synchronous token keeps the tries in virtual time (a Promise would settle outside it).
    const live = new LiveService({ url: 'wss://api.test/live', token: () => 'token', connect });
    testScheduler.run(({ expectObservable }) => {
      expectObservable(live.status$, '^ 200ms !').toBe('(scr) 95ms tl 3ms xl', {
        s: 'offline', c: 'connecting…', r: 'reconnecting in 1 s', t: 'reconnecting…', l: 'live', x: 'reconnecting…',
      });
      expectObservable(live.quotes('ACME'), '^ 200ms !').toBe('103ms a 4ms b', { a: { symbol: 'ACME', price: 10 }, b: { symbol: 'ACME', price: 11 } });
      testScheduler.schedule(() => live.connect());
    });
    // Each connection subscribed once (the last one left when the marble subscription ended); the token went in a subprotocol on every try.
    expect(connect.tries.map((t) => t.socket.sent.map((f) => (JSON.parse(String(f)) as { k: string }).k))).toEqual([[], ['sub'], ['sub', 'unsub']]);
    expect(connect.tries.map((t) => t.options.protocols)).toEqual(Array(3).fill(['live.v1', 'bearer.token']));
  });

  it('runs against a real server: three quotes arrive', async () => {
    const log: string[] = [];
    expect((await main((line) => log.push(line))).map((q) => q.price)).toEqual([10, 11, 12]);
    expect(log).toContain('status: live');
  });
});
