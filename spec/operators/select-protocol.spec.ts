import { catchError, EMPTY, filter, firstValueFrom, map, mergeMap, take, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { connect, reconnect, selectProtocol, WebSocketError, type WebSocketEvent, type WebSocketTextMessageEvent } from 'rxws';
import { serve, type WebSocketServer } from 'rxws/server';
import { closeEvent, fakeConnect, FakeSocket, openEvent, textMessage } from 'rxws/testing';
import { record } from '../helpers/observe';

const isText = (e: WebSocketEvent): e is WebSocketTextMessageEvent => e.type === 'message' && !e.binary;
const texts = (prefix: string) => (events$: Observable<WebSocketEvent>): Observable<string> =>
  events$.pipe(filter(isText), map((e) => `${prefix}:${e.data}`));

describe('selectProtocol()', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('routes the connection to the handler of its negotiated subprotocol', () => {
    const socket = new FakeSocket({ protocol: 'chat.v1' });
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('o-a-b-c|', { o: openEvent({ socket }), a: textMessage('hi', socket), b: textMessage('there', socket), c: closeEvent() });
      const result = events.pipe(selectProtocol({ 'chat.v2': texts('v2'), 'chat.v1': texts('v1') }));
      expectObservable(result).toBe('--a-b--|', { a: 'v1:hi', b: 'v1:there' });
    });
  });

  it("gives the handler the connection's events from open to close", () => {
    const socket = new FakeSocket({ protocol: 'p' });
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('o-m-c|', { o: openEvent({ socket }), m: textMessage('x', socket), c: closeEvent({ code: 1001 }) });
      const result = events.pipe(selectProtocol({ p: (events$) => events$.pipe(map((e) => e.type)) }));
      expectObservable(result).toBe('o-m-c|', { o: 'open', m: 'message', c: 'close' });
    });
  });

  it("routes a connection with no subprotocol to the '' handler", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('om|', { o: openEvent(), m: textMessage('plain') });
      expectObservable(events.pipe(selectProtocol({ '': texts('none') }))).toBe('-m|', { m: 'none:plain' });
    });
  });

  it('closes a connection whose protocol has no handler with 1002 and errors with a reason naming both', () => {
    const socket = new FakeSocket({ protocol: 'chat.v3' });
    const reason = "Subprotocol 'chat.v3' is not supported; accepted: 'chat.v2', 'chat.v1'";
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('-o-m', { o: openEvent({ socket, url: 'ws://h/' }), m: textMessage('x', socket) });
      const error = new WebSocketError({ code: 'PROTOCOL_MISMATCH', reason, url: 'ws://h/' });
      expectObservable(events.pipe(selectProtocol({ 'chat.v2': texts('v2'), 'chat.v1': texts('v1') }))).toBe('-#', undefined, error);
    });
    expect(socket.closes).toEqual([{ code: 1002, reason }]);
  });

  it('says when no subprotocol was negotiated and none is accepted', () => {
    const socket = new FakeSocket();
    testScheduler.run(({ cold, expectObservable }) => {
      const error = new WebSocketError({ code: 'PROTOCOL_MISMATCH', reason: "No subprotocol was negotiated; accepted: 'a'" });
      expectObservable(cold<WebSocketEvent>('o', { o: openEvent({ socket }) }).pipe(selectProtocol({ a: texts('a') }))).toBe('#', undefined, error);
    });
    expect(socket.closes[0].code).toBe(1002);
  });

  it('after reconnect, routes each connection on its own and passes error events through', () => {
    const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'refused' });
    const connect = fakeConnect(
      (socket) => testScheduler.createColdObservable<WebSocketEvent>('o-m-c|', { o: openEvent({ socket, protocol: 'v1' }), m: textMessage('one', socket), c: closeEvent() }),
      () => testScheduler.createColdObservable<WebSocketEvent>('#', undefined, refused),
      (socket) => testScheduler.createColdObservable<WebSocketEvent>('o-m', { o: openEvent({ socket, protocol: 'v2' }), m: textMessage('two', socket) }),
    );
    testScheduler.run(({ expectObservable }) => {
      const result = connect('ws://x').pipe(reconnect(), selectProtocol({ v1: texts('v1'), v2: texts('v2') }), map((v) => (typeof v === 'string' ? v : v.type)));
      expectObservable(result, '^ 200ms !').toBe('--a-e 99ms --b', { a: 'v1:one', e: 'error', b: 'v2:two' });
    });
  });

  it('errors with the error of a handler that throws', () => {
    const bug = new Error('handler bug');
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold<WebSocketEvent>('-o', { o: openEvent({ protocol: 'p' }) });
      expectObservable(events.pipe(selectProtocol({ p: () => { throw bug; } }))).toBe('-#', undefined, bug);
    });
  });

  it('refuses an empty handler table when created', () => {
    expect(() => selectProtocol({})).toThrow(/at least one handler/);
    expect(() => selectProtocol({ a: 'nope' as never })).toThrow(/handler for 'a' must be a function/);
  });

  it('cuts a long reason to fit the close frame, keeping it whole in the error', () => {
    const long = 'p'.repeat(60);
    const socket = new FakeSocket({ protocol: 'q'.repeat(60) });
    let error: unknown;
    testScheduler.run(({ cold }) => {
      cold<WebSocketEvent>('o', { o: openEvent({ socket }) }).pipe(selectProtocol({ [long]: texts('x') })).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(new TextEncoder().encode(socket.closes[0].reason).length).toBeLessThanOrEqual(123);
    expect((error as WebSocketError).reason).toContain(long);
  });

  describe('on real connections', () => {
    let server: WebSocketServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('works the same on server connections: the server answers per protocol and refuses one it cannot handle', async () => {
      server = serve({ port: 0, protocols: ['echo.v2', 'echo.v1', 'legacy'] });
      const { port } = await server.listening;
      server.connections$
        .pipe(
          mergeMap((conn) =>
            conn.events$.pipe(
              selectProtocol({
                'echo.v2': (events$) => events$.pipe(filter(isText), map((m) => conn.send(`v2 ${m.data}`))),
                'echo.v1': (events$) => events$.pipe(filter(isText), map((m) => conn.send(`v1 ${m.data}`))),
              }),
              // A refused connection ends its own stream only.
              catchError(() => EMPTY),
            ),
          ),
        )
        .subscribe();
      const url = `ws://127.0.0.1:${port}`;
      const ask = (protocols: string[]) =>
        firstValueFrom(
          connect(url, { protocols }).pipe(
            filter((e) => e.type === 'open' || e.type === 'message' || e.type === 'close'),
            map((e) => {
              if (e.type === 'open') e.socket.send('hi');
              return e;
            }),
            filter((e) => e.type !== 'open'),
            take(1),
          ),
        );
      expect(await ask(['echo.v1'])).toMatchObject({ type: 'message', data: 'v1 hi' });
      expect(await ask(['echo.v2', 'echo.v1'])).toMatchObject({ type: 'message', data: 'v2 hi' });
      expect(await ask(['legacy'])).toMatchObject({
        type: 'close',
        code: 1002,
        reason: "Subprotocol 'legacy' is not supported; accepted: 'echo.v2', 'echo.v1'",
        remote: true,
      });
    });

    it('on a client connection, refuses the protocol the server picked when no handler takes it', async () => {
      server = serve({ port: 0, protocols: ['old'] });
      const { port } = await server.listening;
      const closes = firstValueFrom(server.connections$.pipe(mergeMap((c) => c.events$), filter((e) => e.type === 'close')));
      const rec = await record(connect(`ws://127.0.0.1:${port}`, { protocols: ['new', 'old'] }).pipe(selectProtocol({ new: texts('new') })));
      expect(rec.error).toBeInstanceOf(WebSocketError);
      expect((rec.error as WebSocketError).code).toBe('PROTOCOL_MISMATCH');
      expect(await closes).toMatchObject({ code: 1002, reason: "Subprotocol 'old' is not supported; accepted: 'new'" });
    });
  });
});
