import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { keepAlive, reconnect, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, FakeSocket, openEvent, pongEvent, textMessage } from 'rxws/testing';

/** Records the virtual time of each ping the socket sends. */
function pingTimes(socket: FakeSocket, scheduler: TestScheduler): number[] {
  const times: number[] = [];
  const ping = socket.ping.bind(socket);
  socket.ping = (data) => {
    const sent = ping(data);
    if (sent) times.push(scheduler.now());
    return sent;
  };
  return times;
}

const types = (source: Observable<WebSocketEvent>): Observable<string> => source.pipe(map((e) => (e.type === 'close' ? `close ${e.code}` : e.type)));

describe('keepAlive()', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('pings right after open and every intervalMs while pongs come back', () => {
    let times: number[] = [];
    const connect = fakeConnect((socket) => {
      times = pingTimes(socket, testScheduler);
      return testScheduler.createColdObservable<WebSocketEvent>('-o 3ms p 99ms p 99ms p 99ms p', { o: openEvent({ socket }), p: pongEvent() });
    });
    testScheduler.run(({ expectObservable }) => {
      const result = connect('ws://x').pipe(keepAlive({ intervalMs: 100, timeoutMs: 50 }));
      expectObservable(types(result), '^ 400ms !').toBe('-o 3ms p 99ms p 99ms p 99ms p', { o: 'open', p: 'pong' });
    });
    expect(times).toEqual([1, 101, 201, 301]);
    // Only the unsubscription closed the socket.
    expect(connect.tries[0].socket.closes).toEqual([{ code: 1000, reason: '' }]);
  });

  it('closes with 1011 when no pong arrives within timeoutMs of a ping', () => {
    const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('-o', { o: openEvent({ socket }) }));
    testScheduler.run(({ expectObservable }) => {
      const result = connect('ws://x').pipe(keepAlive({ intervalMs: 100, timeoutMs: 50 }));
      expectObservable(result).toBe('-o 49ms (c|)', {
        o: expect.objectContaining({ type: 'open' }),
        c: { type: 'close', code: 1011, reason: 'Ping timeout: no pong within 50 ms', remote: false, wasClean: true },
      });
    });
    expect(connect.tries[0].socket.pings).toHaveLength(1);
  });

  it('reports its own 1011 and reason even when the peer answers the close with another code', () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold, expectObservable }) => {
      // The peer answers our close (at 10) with 1000 at 12.
      const events = cold<WebSocketEvent>('o 11ms c', { o: openEvent({ socket }), c: closeEvent({ code: 1000, reason: 'bye' }) });
      expectObservable(events.pipe(keepAlive({ intervalMs: 100, timeoutMs: 10 }))).toBe('o 11ms c', {
        o: expect.objectContaining({ type: 'open' }),
        c: { type: 'close', code: 1011, reason: 'Ping timeout: no pong within 10 ms', remote: false, wasClean: true },
      });
    });
    expect(socket.closes).toEqual([{ code: 1011, reason: 'Ping timeout: no pong within 10 ms' }]);
  });

  it('waits one interval for the pong when timeoutMs is not given, as IXWebSocket', () => {
    const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('-o', { o: openEvent({ socket }) }));
    testScheduler.run(({ expectObservable }) => {
      expectObservable(types(connect('ws://x').pipe(keepAlive({ intervalMs: 100 })))).toBe('-o 99ms (c|)', { o: 'open', c: 'close 1011' });
    });
    expect(connect.tries[0].socket.closes).toEqual([{ code: 1011, reason: 'Ping timeout: no pong within 100 ms' }]);
  });

  it('with timeoutMs longer than the interval keeps pinging until the oldest unanswered ping times out', () => {
    let times: number[] = [];
    const connect = fakeConnect((socket) => {
      times = pingTimes(socket, testScheduler);
      return testScheduler.createColdObservable<WebSocketEvent>('-o', { o: openEvent({ socket }) });
    });
    testScheduler.run(({ expectObservable }) => {
      expectObservable(types(connect('ws://x').pipe(keepAlive({ intervalMs: 100, timeoutMs: 250 })))).toBe('-o 249ms (c|)', { o: 'open', c: 'close 1011' });
    });
    expect(times).toEqual([1, 101, 201]);
  });

  it('detects a peer that stops answering within interval + timeout of its last pong', () => {
    const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('-o 9ms p 99ms p', { o: openEvent({ socket }), p: pongEvent() }));
    testScheduler.run(({ expectObservable }) => {
      // Pongs at 11 and 111 (answering the pings of 1 and 101); the ping of 201 is never answered: closed at 201 + 30.
      expectObservable(types(connect('ws://x').pipe(keepAlive({ intervalMs: 100, timeoutMs: 30 })))).toBe('-o 9ms p 99ms p 119ms (c|)', { o: 'open', p: 'pong', c: 'close 1011' });
    });
  });

  it('sends the custom ping payload', () => {
    const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('o', { o: openEvent({ socket }) }));
    testScheduler.run(({ expectObservable }) => {
      expectObservable(types(connect('ws://x').pipe(keepAlive({ intervalMs: 100, data: 'are you there?' }))), '^ 50ms !').toBe('o', { o: 'open' });
    });
    expect(connect.tries[0].socket.pings).toEqual(['are you there?']);
  });

  it('sends the heartbeat message where pings cannot be sent, and any message answers it', () => {
    const socket = new FakeSocket({ canPing: false });
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('o 9ms m 99ms m', { o: openEvent({ socket }), m: textMessage('{"type":"pong"}', socket) });
      let n = 0;
      const result = events.pipe(keepAlive({ intervalMs: 100, timeoutMs: 50, heartbeat: () => `{"type":"ping","n":${++n}}` }));
      expectObservable(types(result), '^ 300ms !').toBe('o 9ms m 99ms m', { o: 'open', m: 'message' });
    });
    expect(socket.pings).toEqual([]);
    expect(socket.sent).toEqual(['{"type":"ping","n":1}', '{"type":"ping","n":2}', '{"type":"ping","n":3}']);
    // The heartbeat of 200 got no answer within 50 ms.
    expect(socket.closes).toEqual([{ code: 1011, reason: 'Heartbeat timeout: no message within 50 ms' }]);
  });

  it('does nothing where pings cannot be sent and no heartbeat is set', () => {
    const socket = new FakeSocket({ canPing: false });
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(types(cold<WebSocketEvent>('o', { o: openEvent({ socket }) }).pipe(keepAlive({ intervalMs: 10 }))), '^ 100ms !').toBe('o', { o: 'open' });
    });
    expect(socket.sent).toEqual([]);
    expect(socket.closes).toEqual([]);
  });

  it('stops pinging after close and after unsubscribe', () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('o 4ms p 9ms c', { o: openEvent({ socket }), p: pongEvent(), c: closeEvent() });
      expectObservable(types(events.pipe(keepAlive({ intervalMs: 10 }))), '^ 100ms !').toBe('o 4ms p 9ms c', { o: 'open', p: 'pong', c: 'close 1000' });
    });
    // Pings at 0 and 10; the close at 15 stopped the one due at 20.
    expect(socket.pings).toHaveLength(2);
    expect(socket.closes).toEqual([]);
  });

  it('after reconnect, starts again on each open', () => {
    const opened = (socket: FakeSocket) => testScheduler.createColdObservable<WebSocketEvent>('-o', { o: openEvent({ socket }) });
    const connect = fakeConnect(opened);
    testScheduler.run(({ expectObservable }) => {
      const result = connect('ws://x').pipe(keepAlive({ intervalMs: 100, timeoutMs: 20 }), reconnect());
      // Each connection: open at +1, ping unanswered, closed 1011 at +21, the next try at once.
      expectObservable(types(result), '^ 50ms !').toBe('-o 19ms co 19ms co', { o: 'open', c: 'close 1011' });
    });
    expect(connect.tries).toHaveLength(3);
    expect(connect.tries.map((t) => t.socket.closes[0]?.code)).toEqual([1011, 1011, 1000]);
  });

  it('uses the scheduler it is given, outside run() too', () => {
    const socket = new FakeSocket();
    const events = testScheduler.createColdObservable<WebSocketEvent>('o', { o: openEvent({ socket }) });
    const subscription = events.pipe(keepAlive({ intervalMs: 10, timeoutMs: 100, scheduler: testScheduler })).subscribe();
    testScheduler.schedule(() => subscription.unsubscribe(), 35);
    testScheduler.flush();
    expect(socket.pings).toHaveLength(4);
  });

  it('refuses a ping payload over 125 bytes and bad times when created', () => {
    expect(() => keepAlive({ intervalMs: 1000, data: 'x'.repeat(125) })).not.toThrow();
    expect(() => keepAlive({ intervalMs: 1000, data: 'x'.repeat(126) })).toThrow(/ping data is 126 bytes; control frames carry at most 125 bytes/);
    expect(() => keepAlive({ intervalMs: 1000, data: new Uint8Array(200) })).toThrow(RangeError);
    expect(() => keepAlive({ intervalMs: 0 })).toThrow(/intervalMs must be a finite number of milliseconds from 1/);
    expect(() => keepAlive({ intervalMs: 10, timeoutMs: -1 })).toThrow(/timeoutMs must be a finite number of milliseconds from 1/);
  });
});
