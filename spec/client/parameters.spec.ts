import { concat, map, NEVER, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { WebSocketClient, WebSocketError, type WebSocketEvent } from 'rxws';
import { fakeConnect, openEvent, closeEvent, type FakeScript } from 'rxws/testing';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to 127.0.0.1 on port 9' });
const summary = (e: WebSocketEvent): string => (e.type === 'error' ? `error ${e.retries}/${e.waitTimeMs}` : e.type === 'close' ? `close ${e.code}` : e.type);

describe('WebSocketClient parameters evaluated before each try', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const cold = (marbles: string, values?: Record<string, WebSocketEvent>, error?: unknown) => testScheduler.createColdObservable<WebSocketEvent>(marbles, values, error);
  const opens = (marbles = '-o'): FakeScript => (socket) => cold(marbles, { o: openEvent({ socket }), c: closeEvent({ code: 1006, wasClean: false }) });

  it('calls the url, headers and protocols functions before every try: a fresh token per reconnect', () => {
    // Promises settle in microtasks, outside virtual time: these scripts run in real time, with 1 ms waits.
    const connect = fakeConnect(
      () => throwError(() => refused),
      (socket) => of(openEvent({ socket }), closeEvent({ code: 1006, wasClean: false })),
      (socket) => concat(of(openEvent({ socket })), NEVER),
    );
    let token = 0;
    const client = new WebSocketClient({
      reconnect: { minWaitMs: 1, maxWaitMs: 1 },
      url: () => `ws://x/live?try=${token}`,
      headers: () => Promise.resolve({ authorization: `Bearer t${token}` }),
      protocols: () => of(['chat.v1', `token.t${token}`]),
      connect,
    });
    return new Promise<void>((resolve) => {
      client.events$.subscribe((e) => {
        if (e.type === 'error' || e.type === 'close') token += 1;
        if (connect.tries.length === 3 && e.type === 'open') resolve();
      });
      client.start();
    }).then(() => {
      client.stop();
      expect(connect.tries.map((t) => [t.url, t.options.headers, t.options.protocols])).toEqual([
        ['ws://x/live?try=0', { authorization: 'Bearer t0' }, ['chat.v1', 'token.t0']],
        ['ws://x/live?try=1', { authorization: 'Bearer t1' }, ['chat.v1', 'token.t1']],
        ['ws://x/live?try=2', { authorization: 'Bearer t2' }, ['chat.v1', 'token.t2']],
      ]);
      expect(client.url).toBe('ws://x/live?try=2');
    });
  });

  it('waits for an Observable parameter in virtual time and uses its first value', () => {
    const connect = fakeConnect(opens('-o'));
    testScheduler.run(({ cold: c, expectObservable }) => {
      const client = new WebSocketClient({ url: 'ws://x', headers: () => c('---a-b', { a: { token: 'first' }, b: { token: 'second' } }), connect });
      client.start();
      expectObservable(client.events$.pipe(map(summary)), '^ 20ms !').toBe('----o', { o: 'open' });
    });
    expect(connect.tries.map((t) => t.options.headers)).toEqual([{ token: 'first' }]);
  });

  it('a function that throws is a failed try (PARAMETER_FAILED), retried under the same policy', () => {
    const connect = fakeConnect(opens('-o'));
    let calls = 0;
    const client = new WebSocketClient({
      url: 'ws://x',
      headers: () => {
        calls += 1;
        if (calls < 3) throw new Error('token service unavailable');
        return { token: 'ok' };
      },
      connect,
    });
    const errors: WebSocketEvent[] = [];
    testScheduler.run(({ cold: c, expectObservable }) => {
      client.events$.subscribe((e) => e.type === 'error' && errors.push(e));
      expectObservable(client.events$.pipe(map(summary)), '^ 400ms !').toBe('a 99ms b 199ms -o', { a: 'error 1/100', b: 'error 2/200', o: 'open' });
      c('a').subscribe(() => client.start());
    });
    expect(connect.tries).toHaveLength(1);
    const first = errors[0];
    expect(first.type === 'error' && first.cause instanceof WebSocketError && first.cause.code).toBe('PARAMETER_FAILED');
    expect(first.type === 'error' && first.reason).toMatch(/^The headers function failed before the connection try: token service unavailable/);
  });

  it('an Observable parameter that completes empty also fails the try; shouldReconnect can stop on PARAMETER_FAILED', () => {
    const connect = fakeConnect(opens('-o'));
    testScheduler.run(({ cold: c, expectObservable }) => {
      const client = new WebSocketClient({
        url: () => c<string>('--|'),
        connect,
        reconnect: { shouldReconnect: (cause) => !(cause instanceof WebSocketError && cause.code === 'PARAMETER_FAILED') },
      });
      client.start();
      expectObservable(client.events$.pipe(map((e) => (e.type === 'error' ? e.reason : e.type))), '^ 20ms !').toBe('--e', {
        e: 'The url function failed before the connection try: its Observable completed without a value. The try counts as failed and the reconnect policy decides whether to try again',
      });
    });
    expect(connect.tries).toHaveLength(0);
  });

  it('a value of the wrong shape is INVALID_OPTIONS and is not retried; a bad URL is INVALID_URL', () => {
    const codes: string[] = [];
    testScheduler.run(() => {
      for (const client of [
        new WebSocketClient({ url: 'ws://x', headers: () => ({ n: 1 }) as unknown as Record<string, string>, connect: fakeConnect(opens()) }),
        new WebSocketClient({ url: () => 'ftp://x', connect: fakeConnect(opens()) }),
      ]) {
        client.events$.subscribe((e) => e.type === 'error' && e.cause instanceof WebSocketError && codes.push(`${e.cause.code} ${e.retries}/${e.waitTimeMs}`));
        client.start();
      }
    });
    expect(codes).toEqual(['INVALID_OPTIONS 1/0', 'UNSUPPORTED_SCHEME 1/0']);
  });

  it('fixed parameters are passed as given, with no evaluation', () => {
    const connect = fakeConnect(opens());
    const client = new WebSocketClient({ url: 'ws://x/a', headers: { a: '1' }, protocols: ['p'], connect });
    testScheduler.run(() => client.start());
    expect(connect.tries.map((t) => [t.url, t.options.headers, t.options.protocols])).toEqual([['ws://x/a', { a: '1' }, ['p']]]);
  });

  it('firstMessage goes first on every connection, before the queue, and is evaluated per try', () => {
    const connect = fakeConnect(opens('-o-c|'), opens('-o'));
    let n = 0;
    const client = new WebSocketClient({ url: 'ws://x', firstMessage: () => `token-${++n}`, queue: { maxMessages: 5 }, connect });
    testScheduler.run(() => {
      client.send('queued');
      client.start();
    });
    expect(connect.tries.map((t) => t.socket.sent)).toEqual([['token-1', 'queued'], ['token-2']]);
  });

  it('a firstMessage of the wrong type throws INVALID_OPTIONS from the constructor', () => {
    expect(() => new WebSocketClient({ url: 'ws://x', firstMessage: 42 as unknown as string })).toThrow(/firstMessage must be a string, a Uint8Array or an ArrayBuffer, got number/);
  });
});
