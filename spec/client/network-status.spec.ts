import { map, startWith, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { browserNetworkStatus, reconnect, WebSocketClient, WebSocketError, type WebSocketEvent } from 'rxws';
import { fakeConnect, openEvent, type FakeScript } from 'rxws/testing';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'Unable to connect to 127.0.0.1 on port 9' });
const summary = (e: WebSocketEvent): string => (e.type === 'error' ? `error ${e.retries}/${e.waitTimeMs}` : e.type);

describe('reconnecting with the network (online / offline)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const cold = (marbles: string, values?: Record<string, WebSocketEvent>, error?: unknown) => testScheduler.createColdObservable<WebSocketEvent>(marbles, values, error);
  const fail: FakeScript = () => cold('#', undefined, refused);
  const opens: FakeScript = (socket) => cold('-o', { o: openEvent({ socket }) });

  it('an online event during a wait tries at once, with the backoff reset', () => {
    const connect = fakeConnect(fail, fail, fail, fail, opens);
    testScheduler.run(({ hot, expectObservable }) => {
      const online$ = hot<boolean>('-- 350ms t', { t: true });
      const client = new WebSocketClient({ url: 'ws://x', connect, network: online$ });
      expectObservable(client.events$.pipe(map(summary)), '^ 1000ms !').toBe('a 99ms b 199ms c 51ms d 99ms -o', {
        a: 'error 1/100', b: 'error 2/200', c: 'error 3/400', d: 'error 1/100', o: 'open',
      });
      client.start();
    });
    // Failures at 0, 100, 300; online at 352 ends the 400 ms wait: try 4 fails with the count reset.
    expect(connect.tries).toHaveLength(5);
  });

  it('no try starts while offline: the wait ends, then the client waits for the network', () => {
    const connect = fakeConnect(fail, opens);
    testScheduler.run(({ hot, expectObservable }) => {
      const online$ = hot<boolean>('-f 500ms t', { f: false, t: true });
      const client = new WebSocketClient({ url: 'ws://x', connect, network: online$ });
      expectObservable(client.events$.pipe(map(summary)), '^ 1000ms !').toBe('e 501ms -o', { e: 'error 1/100', o: 'open' });
      client.start();
    });
    expect(connect.tries).toHaveLength(2); // not one try burnt during the 400 ms offline
  });

  it('starting offline waits for the network before the first try', () => {
    const connect = fakeConnect(opens);
    testScheduler.run(({ cold: c, expectObservable }) => {
      const online$ = c<boolean>('10ms t', { t: true }).pipe(startWith(false)); // as browserNetworkStatus: the current value first
      const client = new WebSocketClient({ url: 'ws://x', connect, network: online$ });
      expectObservable(client.events$.pipe(map(summary)), '^ 100ms !').toBe('10ms -o', { o: 'open' });
      client.start();
    });
  });

  it('network events while open change nothing', () => {
    const connect = fakeConnect(opens);
    testScheduler.run(({ hot, expectObservable }) => {
      const client = new WebSocketClient({ url: 'ws://x', connect, network: hot<boolean>('--f-t-f-t', { f: false, t: true }) });
      expectObservable(client.events$.pipe(map(summary)), '^ 100ms !').toBe('-o', { o: 'open' });
      client.start();
    });
    expect(connect.tries).toHaveLength(1);
  });

  it('reconnect({ online$ }) alone: offline after a failure means no further try until online', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const events$ = cold('-#', undefined, refused).pipe(reconnect({ online$: hot<boolean>('f 500ms t', { f: false, t: true }) }));
      expectObservable(events$.pipe(map(summary)), '^ 600ms !').toBe('-e 499ms -e', { e: 'error 1/100' });
    });
  });

  it('reconnect refuses an online$ that is not an Observable, at once', () => {
    expect(() => reconnect({ online$: true as unknown as Observable<boolean> })).toThrow(new TypeError('online$ must be an Observable of booleans (true: online)'));
  });

  it('browserNetworkStatus: true on online, false on offline events of the target; none without events (Node)', () => {
    const target = new EventTarget();
    const seen: boolean[] = [];
    const status$ = browserNetworkStatus(target);
    const subscription = status$?.subscribe((online) => seen.push(online));
    target.dispatchEvent(new Event('offline'));
    target.dispatchEvent(new Event('online'));
    subscription?.unsubscribe();
    target.dispatchEvent(new Event('offline'));
    expect(seen).toEqual([false, true]);
    expect(browserNetworkStatus({})).toBeUndefined();
    expect(browserNetworkStatus()).toBeUndefined(); // Node 20 has no global online/offline events
  });
});
