import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { CLOSED, CONNECTING, OPEN, WebSocketClient, WebSocketError, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, textMessage, type FakeScript } from 'rxws/testing';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to 127.0.0.1 on port 9' });

describe('WebSocketClient', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const cold = (marbles: string, values?: Record<string, WebSocketEvent>, error?: unknown) => testScheduler.createColdObservable<WebSocketEvent>(marbles, values, error);
  const fail: FakeScript = () => cold('#', undefined, refused);
  const opens = (marbles = '-o'): FakeScript => (socket) => cold(marbles, { o: openEvent({ socket }), m: textMessage('hi', socket), c: closeEvent({ code: 1006, wasClean: false }) });
  const summary = (e: WebSocketEvent): string => (e.type === 'error' ? `error ${e.retries}/${e.waitTimeMs}` : e.type === 'close' ? `close ${e.code}` : e.type);

  it('connects on start(), emits hot events, and reconnects by default with IXWebSocket delays', () => {
    const connect = fakeConnect(fail, fail, opens('-o-m-c|'), opens('-o'));
    const client = new WebSocketClient({ url: 'ws://example.test/chat', connect });
    testScheduler.run(({ expectObservable, cold: c }) => {
      c('a').subscribe(() => client.start());
      expectObservable(client.events$.pipe(map(summary)), '^ 500ms !').toBe('a 99ms b 199ms -o-m-co', {
        a: 'error 1/100', b: 'error 2/200', o: 'open', m: 'message', c: 'close 1006',
      });
      expectObservable(client.messages$.pipe(map((e) => e.data)), '^ 500ms !').toBe('300ms ---m', { m: 'hi' });
    });
    expect(connect.tries.map((t) => t.url)).toEqual(Array(4).fill('ws://example.test/chat'));
    expect(client.readyState).toBe(OPEN);
  });

  it('reports readyState: CLOSED before start, CONNECTING while trying, OPEN, CLOSED after stop', () => {
    const connect = fakeConnect(opens('--o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    const states: Array<[string, number]> = [['before', client.readyState]];
    testScheduler.run(({ cold: c }) => {
      client.events$.subscribe((e) => states.push([e.type, client.readyState]));
      c('a--b-(cd)').subscribe((step) => {
        if (step === 'a') client.start();
        if (step === 'c') client.stop(4000, 'done');
        states.push([step, client.readyState]);
      });
    });
    expect(states).toEqual([
      ['before', CLOSED], ['a', CONNECTING], ['open', OPEN], ['b', OPEN], ['close', CLOSED], ['c', CLOSED], ['d', CLOSED],
    ]);
    expect(connect.tries[0].socket.closes).toEqual([{ code: 4000, reason: 'done' }]);
  });

  it('stop() on an open connection closes it with the code and reason, reports the close, and does not reconnect', () => {
    const connect = fakeConnect(opens('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    let stateInStop = -1;
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a--b').subscribe((s) => (s === 'a' ? client.start() : client.stop(4001, 'bye')));
      client.events$.subscribe((e) => e.type === 'close' && (stateInStop = client.readyState));
      expectObservable(client.events$.pipe(map(summary)), '^ 100ms !').toBe('-o-c', { o: 'open', c: 'close 4001' });
    });
    expect(connect.tries).toHaveLength(1);
    expect(stateInStop).toBe(CLOSED);
  });

  it('stop() while waiting to retry cancels the wait at once', () => {
    const connect = fakeConnect(fail);
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a 50ms b').subscribe((s) => (s === 'a' ? client.start() : client.stop()));
      expectObservable(client.events$.pipe(map(summary)), '^ 1000ms !').toBe('e', { e: 'error 1/100' });
    });
    expect(connect.tries).toHaveLength(1);
    expect(client.readyState).toBe(CLOSED);
  });

  it('with reconnect: false reports a failed try as a last error event and stays stopped; start() tries again', () => {
    const connect = fakeConnect(fail, opens('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect, reconnect: false });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a 9ms b').subscribe(() => client.start());
      expectObservable(client.events$.pipe(map(summary)), '^ 100ms !').toBe('e 9ms -o', { e: 'error 1/0', o: 'open' });
    });
    expect(connect.tries).toHaveLength(2);
  });

  it('uses a new url from the next start()', () => {
    const connect = fakeConnect(opens('-o'));
    const client = new WebSocketClient({ url: 'ws://one.test', connect });
    testScheduler.run(({ cold: c }) => {
      c('a-b-c').subscribe((s) => {
        if (s === 'a') client.start();
        if (s === 'b') {
          client.url = 'ws://two.test/';
          client.stop();
        }
        if (s === 'c') client.start();
      });
    });
    expect(client.url).toBe('ws://two.test/');
    expect(connect.tries.map((t) => t.url)).toEqual(['ws://one.test/', 'ws://two.test/']);
  });

  it('refuses a bad url with a WebSocketError', () => {
    expect(() => new WebSocketClient({ url: 'ftp://x' })).toThrow(WebSocketError);
    const client = new WebSocketClient({ url: 'ws://ok.test' });
    expect(() => (client.url = 'not a url')).toThrow(WebSocketError);
    expect(client.url).toBe('ws://ok.test/');
  });

  it('without a queue, send() returns false unless open', () => {
    const connect = fakeConnect(opens('--o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    const results: boolean[] = [];
    testScheduler.run(({ cold: c }) => {
      c('a-b-c').subscribe((s) => {
        if (s === 'a') client.start();
        else results.push(client.send(s));
      });
    });
    expect(results).toEqual([false, true]);
    expect(connect.tries[0].socket.sent).toEqual(['c']);
  });

  it('with a queue, holds messages sent while disconnected and sends them in order before anything else after open', () => {
    const connect = fakeConnect(opens('-o-c|'), fail, opens('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 } });
    testScheduler.run(({ cold: c }) => {
      client.events$.subscribe((e) => e.type === 'open' && client.send('after-open'));
      c('ab-c-de').subscribe((s) => (s === 'a' ? client.start() : client.send(s)));
    });
    // b queued before the first open (1); c sent on it; d and e queued while down (3 to 104).
    expect(connect.tries[0].socket.sent).toEqual(['b', 'after-open', 'c']);
    expect(connect.tries[2].socket.sent).toEqual(['d', 'e', 'after-open']);
    expect(client.queuedMessages).toBe(0);
  });

  it('with a full queue, send() returns false and drops only that message', () => {
    const connect = fakeConnect(opens('-----o'));
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 2 } });
    const results: boolean[] = [];
    testScheduler.run(({ cold: c }) => {
      c('abcd').subscribe((s) => (s === 'a' ? client.start() : results.push(client.send(s))));
    });
    expect(results).toEqual([true, true, false]);
    expect(connect.tries[0].socket.sent).toEqual(['b', 'c']);
    expect(() => new WebSocketClient({ url: 'ws://x', queue: { maxMessages: 0 } })).toThrow(/maxMessages must be a whole number >= 1/);
    expect(() => new WebSocketClient({ url: 'ws://x', keepAlive: { intervalMs: 0 } })).toThrow(/intervalMs must be a finite number of milliseconds from 1/);
    expect(() => new WebSocketClient({ url: 'ws://x', reconnect: { maxRetries: -1 } })).toThrow(/maxRetries/);
  });

  it('pings with the keepAlive option and reconnects after a ping timeout', () => {
    const connect = fakeConnect(opens('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect, keepAlive: { intervalMs: 100, timeoutMs: 10 } });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a 20ms b').subscribe((s) => (s === 'a' ? client.start() : client.stop()));
      expectObservable(client.events$.pipe(map(summary)), '^ 30ms !').toBe('-o 9ms co 8ms x', { o: 'open', c: 'close 1011', x: 'close 1000' });
    });
    expect(connect.tries[0].socket.closes).toEqual([{ code: 1011, reason: 'Ping timeout: no pong within 10 ms' }]);
    expect(connect.tries[1].socket.pings).toEqual([undefined]);
  });

  it('reports the last failure as an error event when maxRetries is exceeded', () => {
    const connect = fakeConnect(fail);
    const client = new WebSocketClient({ url: 'ws://x', connect, reconnect: { maxRetries: 1 } });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a').subscribe(() => client.start());
      expectObservable(client.events$.pipe(map(summary)), '^ 1000ms !').toBe('a 99ms b', { a: 'error 1/100', b: 'error 2/0' });
    });
    expect(client.readyState).toBe(CLOSED);
  });

  it('start() while started does nothing; stop() while stopped does nothing; stop() checks its arguments', () => {
    const connect = fakeConnect(opens('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    expect(() => client.stop()).not.toThrow();
    testScheduler.run(({ cold: c }) => {
      c('ab').subscribe(() => client.start());
    });
    expect(connect.tries).toHaveLength(1);
    expect(() => client.stop(1005)).toThrow(/Invalid close code 1005/);
  });

  describe('the examples of docs/client.md and docs/testing.md', () => {
    it('a message sent right after start() is held and sent on the open', () => {
      const connect = fakeConnect((socket) => testScheduler.createColdObservable('-o', { o: openEvent({ socket }) }));
      const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 } });
      testScheduler.run(({ cold: c }) => {
        c('ab').subscribe((step) => (step === 'a' ? client.start() : client.send('hi')));
      });
      expect(connect.tries[0].socket.sent).toEqual(['hi']);
    });

    it('a ping timeout closes the first connection, stop() the second', () => {
      const connect = fakeConnect((socket) => testScheduler.createColdObservable('-o', { o: openEvent({ socket }) }));
      const client = new WebSocketClient({ url: 'ws://x', connect, keepAlive: { intervalMs: 100, timeoutMs: 10 } });
      testScheduler.run(({ cold: c, expectObservable }) => {
        c('a 20ms b').subscribe((s) => (s === 'a' ? client.start() : client.stop()));
        expectObservable(client.events$.pipe(map((e) => e.type)), '^ 30ms !').toBe('-o 9ms co 8ms c', { o: 'open', c: 'close' });
      });
      expect(connect.tries.map((t) => t.socket.closes[0].code)).toEqual([1011, 1000]);
    });
  });
});
