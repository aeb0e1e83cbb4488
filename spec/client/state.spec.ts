import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { WebSocketClient, WebSocketError, type ConnectionState, type ReconnectCause, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, type FakeScript } from 'rxws/testing';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to 127.0.0.1 on port 9' });
const unauthorized = new WebSocketError({ code: 'UNEXPECTED_STATUS', httpStatus: 401, reason: 'Expecting status 101 (Switching Protocol), got 401 status' });

/** A state as a short string: `open chat.v1`, `reconnecting 2/200 [refused]` (retries/nextTryInMs), `closed [401]`. */
function summary(s: ConnectionState): string {
  const error = s.lastError === undefined ? '' : ` [${s.lastError.httpStatus || s.lastError.closeCode || (s.lastError.reason === refused.reason ? 'refused' : s.lastError.reason)}]`;
  switch (s.status) {
    case 'open':
      return `open ${s.protocol}`.trim();
    case 'reconnecting':
      return `reconnecting ${s.retries}/${s.nextTryInMs}${error}`;
    default:
      return `${s.status}${error}`;
  }
}

describe('WebSocketClient.state$', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const cold = (marbles: string, values?: Record<string, WebSocketEvent>, error?: unknown) => testScheduler.createColdObservable<WebSocketEvent>(marbles, values, error);
  const fail = (error: unknown = refused): FakeScript => () => cold('#', undefined, error);
  const opens = (marbles = '-o', protocol = ''): FakeScript => (socket) =>
    cold(marbles, { o: openEvent({ socket, protocol }), c: closeEvent({ code: 1006, wasClean: false }), x: closeEvent({ code: 4001, reason: 'token expired' }) });

  it('replays the current state at once: closed before start, to a subscriber that comes later', () => {
    const client = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(opens()) });
    const seen: ConnectionState[] = [];
    client.state$.subscribe((s) => seen.push(s)).unsubscribe(); // synchronous: what toSignal needs
    expect(seen).toEqual([{ status: 'closed', retries: 0, nextTryInMs: 0, lastError: undefined, protocol: '' }]);
  });

  it('goes connecting, reconnecting with each wait, open with the protocol, then closed after stop()', () => {
    const client = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(fail(), fail(), opens('--o', 'chat.v1')) });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('-a 400ms b').subscribe((step) => (step === 'a' ? client.start() : client.stop()));
      // start at 1: fails at once (wait 100), tries at 101 and fails (wait 200), tries at 301, opens at 303.
      expectObservable(client.state$.pipe(map(summary)), '^ 500ms !').toBe('s(cf) 96ms (gh) 196ms i-o 98ms d', {
        s: 'closed', c: 'connecting', f: 'reconnecting 1/100 [refused]', g: 'reconnecting 1/0 [refused]',
        h: 'reconnecting 2/200 [refused]', i: 'reconnecting 2/0 [refused]', o: 'open chat.v1', d: 'closed',
      });
    });
  });

  it('after a dropped connection: reconnecting with the close code, then open again', () => {
    const client = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(opens('-o-c|'), opens('-o')) });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a').subscribe(() => client.start());
      expectObservable(client.state$.pipe(map(summary)), '^ 20ms !').toBe('co-ro', {
        c: 'connecting', o: 'open', r: 'reconnecting 0/0 [1006]',
      });
    });
  });

  it('closed with the reason when the policy stops: HTTP 401 on a try, or close code 4001 from the server', () => {
    const stopOn401Or4001 = {
      shouldReconnect: (cause: ReconnectCause) =>
        !(cause instanceof WebSocketError && cause.httpStatus === 401) && !('type' in cause && cause.type === 'close' && cause.code === 4001),
    };
    const on401 = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(fail(), fail(unauthorized)), reconnect: stopOn401Or4001 });
    const on4001 = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(opens('-o-x|')), reconnect: stopOn401Or4001 });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('a').subscribe(() => {
        on401.start();
        on4001.start();
      });
      expectObservable(on401.state$.pipe(map(summary)), '^ 500ms !').toBe('(cr) 96ms (tx)', {
        c: 'connecting', r: 'reconnecting 1/100 [refused]', t: 'reconnecting 1/0 [refused]', x: 'closed [401]',
      });
      expectObservable(on4001.state$.pipe(map(summary)), '^ 500ms !').toBe('co-x', { c: 'connecting', o: 'open', x: 'closed [4001]' });
    });
  });

  it('counts failures as retries and gives up past maxRetries with the last failure', () => {
    const client = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(fail()), reconnect: { maxRetries: 1 } });
    const last: ConnectionState[] = [];
    testScheduler.run(({ cold: c }) => {
      c('a').subscribe(() => client.start());
      client.state$.subscribe((s) => last.push(s));
    });
    expect(last[last.length - 1]).toEqual({
      status: 'closed', retries: 2, nextTryInMs: 0, protocol: '',
      lastError: { reason: refused.reason, httpStatus: 0, closeCode: 0 },
    });
  });
});
