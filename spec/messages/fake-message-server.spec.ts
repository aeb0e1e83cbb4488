import { map, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { json, MessageError, WebSocketClient } from 'rxws';
import { envelopeMessage, fakeConnect, fakeMessageServer, FakeSocket, openEvent } from 'rxws/testing';

describe('rxws/testing: fake request handlers and replies', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('fakeMessageServer answers requests from handlers, streaming an Observable in virtual time', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect(fakeMessageServer({ ticks: () => cold('-a-b|', { a: 1, b: 2 }), add: (b) => (b as number[])[0] + (b as number[])[1] }, { scheduler: testScheduler }));
      const client = new WebSocketClient({ url: 'ws://x', connect, codec: json(), messaging: true, scheduler: testScheduler });
      client.start();
      expectObservable(client.request('ticks')).toBe('-a-b|', { a: 1, b: 2 });
      expectObservable(client.request('add', [2, 3])).toBe('(s|)', { s: 5 });
      expectObservable(client.request('nope').pipe(map(() => 'x'))).toBe('#', undefined, new MessageError({ code: 'UNKNOWN_TARGET', message: "No fake handler for 'nope'" }));
    });
  });

  it('a request timing out against a fake handler that never answers is cancelled there', () => {
    let cancelled = false;
    testScheduler.run(({ expectObservable }) => {
      const never = () => new Observable<never>(() => () => (cancelled = true));
      const connect = fakeConnect(fakeMessageServer({ never }, { scheduler: testScheduler }));
      const client = new WebSocketClient({ url: 'ws://x', connect, codec: json(), messaging: true, scheduler: testScheduler });
      client.start();
      expectObservable(client.request('never', undefined, { timeoutMs: 50 }).pipe(map(() => 'x'))).toBe('50ms #', undefined, new MessageError({ code: 'REQUEST_TIMEOUT', message: "No reply to 'never' (request 1) within 50 ms" }));
    });
    expect(cancelled).toBe(true);
  });

  it('envelopeMessage scripts a reply by hand', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const connect = fakeConnect((socket: FakeSocket) => cold('-o--r', { o: openEvent({ socket }), r: envelopeMessage({ k: 'res', id: 1, body: 'hand-made' }, socket) }));
      const client = new WebSocketClient({ url: 'ws://x', connect, codec: json(), messaging: true, scheduler: testScheduler });
      client.start();
      expectObservable(client.request('anything')).toBe('----(a|)', { a: 'hand-made' });
    });
  });
});
