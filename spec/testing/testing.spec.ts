import { map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { CLOSED, CONNECTING, OPEN, WebSocketError, type WebSocketEvent } from 'rxws';
import { binaryMessage, closeEvent, errorEvent, fakeConnect, FakeSocket, openEvent, pingEvent, pongEvent, textMessage } from 'rxws/testing';

describe('rxws/testing', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  describe('FakeSocket', () => {
    it('records sends, pings and closes, and refuses them once closed', () => {
      const socket = new FakeSocket({ protocol: 'p' });
      expect(socket.send('a')).toBe(true);
      expect(socket.send(new Uint8Array([1]))).toBe(true);
      expect(socket.ping()).toBe(true);
      expect(socket.ping('x')).toBe(true);
      socket.close(4000, 'bye');
      expect(socket.send('late')).toBe(false);
      expect(socket.ping()).toBe(false);
      socket.close();
      expect(socket.sent).toEqual(['a', new Uint8Array([1])]);
      expect(socket.pings).toEqual([undefined, 'x']);
      expect(socket.closes).toEqual([{ code: 4000, reason: 'bye' }]);
      expect(socket.readyState).toBe(CLOSED);
      expect(socket.protocol).toBe('p');
    });

    it('behaves as a browser socket with canPing: false', () => {
      const socket = new FakeSocket({ canPing: false });
      expect(socket.ping()).toBe(false);
      expect(socket.pings).toEqual([]);
    });

    it('checks close codes, reasons and ping sizes as a real socket does', () => {
      const socket = new FakeSocket();
      expect(() => socket.close(1006)).toThrow(/Invalid close code 1006/);
      expect(() => socket.close(1000, 'x'.repeat(124))).toThrow(/at most 123 fit/);
      expect(() => socket.ping('x'.repeat(126))).toThrow(/at most 125 bytes/);
      expect(socket.closes).toEqual([]);
    });
  });

  describe('event factories', () => {
    it('make the shapes connect emits, with defaults', () => {
      const socket = new FakeSocket({ protocol: 'chat' });
      expect(openEvent({ socket })).toEqual({ type: 'open', url: 'ws://test.invalid/', headers: {}, protocol: 'chat', socket });
      expect(openEvent({ protocol: 'x' }).socket.protocol).toBe('x');
      expect(textMessage('héllo', socket)).toEqual({ type: 'message', binary: false, data: 'héllo', wireSize: 6, socket });
      expect(binaryMessage([1, 2, 3], socket)).toEqual({ type: 'message', binary: true, data: new Uint8Array([1, 2, 3]), wireSize: 3, socket });
      expect(pingEvent('hi')).toEqual({ type: 'ping', data: new TextEncoder().encode('hi') });
      expect(pongEvent()).toEqual({ type: 'pong', data: new Uint8Array(0) });
      expect(closeEvent()).toEqual({ type: 'close', code: 1000, reason: '', remote: true, wasClean: true });
      expect(closeEvent({ code: 1006 })).toEqual({ type: 'close', code: 1006, reason: '', remote: true, wasClean: false });
      expect(errorEvent({ reason: 'down' })).toEqual({ type: 'error', reason: 'down', retries: 1, waitTimeMs: 100, httpStatus: 0, cause: undefined });
    });
  });

  describe('fakeConnect', () => {
    const types = map((e: WebSocketEvent) => (e.type === 'close' ? `close ${e.code} ${e.remote ? 'remote' : 'local'}` : e.type));

    it('plays one script per subscription, the last one again when they run out, and records each try', () => {
      const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'refused' });
      const connect = fakeConnect(
        () => testScheduler.createColdObservable<WebSocketEvent>('-#', undefined, refused),
        (socket) => testScheduler.createColdObservable<WebSocketEvent>('-o', { o: openEvent({ socket }) }),
      );
      testScheduler.run(({ expectObservable }) => {
        expectObservable(connect('ws://a', { protocols: ['x'] })).toBe('-#', undefined, refused);
        expectObservable(connect('ws://b').pipe(types)).toBe('-o', { o: 'open' });
        expectObservable(connect(new URL('ws://c')).pipe(types)).toBe('-o', { o: 'open' });
      });
      expect(connect.tries.map((t) => [t.url, t.options])).toEqual([['ws://a', { protocols: ['x'] }], ['ws://b', {}], ['ws://c/', {}]]);
    });

    it('moves the socket CONNECTING -> OPEN -> CLOSED and completes after a close event', () => {
      const states: number[] = [];
      const connect = fakeConnect((socket) => {
        states.push(socket.readyState);
        return testScheduler.createColdObservable<WebSocketEvent>('-o-c-m', { o: openEvent({ socket, protocol: 'p' }), c: closeEvent(), m: textMessage('late', socket) });
      });
      testScheduler.run(({ expectObservable }) => {
        const events = connect('ws://x').pipe(tap((e) => e.type === 'open' && states.push(connect.tries[0].socket.readyState)));
        expectObservable(events.pipe(types)).toBe('-o-(c|)', { o: 'open', c: 'close 1000 remote' });
      });
      const { socket } = connect.tries[0];
      expect([...states, socket.readyState]).toEqual([CONNECTING, OPEN, CLOSED]);
      expect(socket.protocol).toBe('p');
    });

    it('turns a local socket.close() into a local close event and completes', () => {
      const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('-o---m', { o: openEvent({ socket }), m: textMessage('never', socket) }));
      testScheduler.run(({ expectObservable, cold }) => {
        const events = connect('ws://x');
        cold('--a').subscribe(() => connect.tries[0].socket.close(4000, 'done'));
        expectObservable(events.pipe(types)).toBe('-o(c|)', { o: 'open', c: 'close 4000 local' });
      });
    });

    it('closes an open socket with 1000 when unsubscribed, as connect does', () => {
      const connect = fakeConnect((socket) => testScheduler.createColdObservable<WebSocketEvent>('o', { o: openEvent({ socket }) }));
      testScheduler.run(({ expectObservable }) => {
        expectObservable(connect('ws://x').pipe(types), '^-!').toBe('o', { o: 'open' });
      });
      expect(connect.tries[0].socket.closes).toEqual([{ code: 1000, reason: '' }]);
      expect(connect.tries[0].socket.readyState).toBe(CLOSED);
    });

    it('needs at least one script', () => {
      expect(() => fakeConnect()).toThrow(/at least one script/);
    });
  });
});
