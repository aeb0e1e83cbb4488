import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { decodeEvents, json, type WebSocketEvent } from 'rxws';
import { closeEvent, FakeSocket, openEvent, textMessage } from 'rxws/testing';

describe('decodeEvents (marble)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const summary = map((e: { type: string; data?: unknown; error?: { code: string } }) => (e.type === 'message' ? e.data : e.type === 'decodeError' ? `decodeError ${e.error?.code}` : e.type));

  it('decodes messages, reports one that does not decode, and passes the other events', () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold, expectObservable }) => {
      const events$ = cold<WebSocketEvent>('o-a-b-c|', { o: openEvent({ socket }), a: textMessage('{"n":1}', socket), b: textMessage('{nope', socket), c: closeEvent({ code: 1000 }) });
      expectObservable(events$.pipe(decodeEvents(json<{ n: number }>()), summary)).toBe('o-a-b-c|', { o: 'open', a: { n: 1 }, b: 'decodeError DECODE_FAILED', c: 'close' });
    });
    expect(socket.closes).toEqual([]);
  });

  it("with decodeErrors: 'close', closes the socket with 1007 after reporting", () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold, expectObservable }) => {
      const events$ = cold<WebSocketEvent>('o-b', { o: openEvent({ socket }), b: textMessage('{nope', socket) });
      expectObservable(events$.pipe(decodeEvents(json(), { decodeErrors: 'close' }), summary)).toBe('o-b', { o: 'open', b: 'decodeError DECODE_FAILED' });
    });
    expect(socket.closes).toEqual([{ code: 1007, reason: 'Message did not decode' }]);
  });

  it("the open event's socket encodes what it sends", () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold }) => {
      cold<WebSocketEvent>('o', { o: openEvent({ socket }) })
        .pipe(decodeEvents(json<unknown, { hello: string }>()))
        .subscribe((e) => e.type === 'open' && e.socket.send({ hello: 'world' }));
    });
    expect(socket.sent).toEqual(['{"hello":"world"}']);
  });
});
