// Runs connect() on the browser transport, with `ws`'s WHATWG-style WebSocket standing in for
// the browser's global (same addEventListener/binaryType/close API). The real browser is
// exercised in spec/browser.
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { connect, WebSocketError, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { useWsAsGlobalWebSocket } from '../helpers/global-websocket';
import { firstMatch, record } from '../helpers/observe';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/ws-server';

jest.mock('../../src/observables/transport', () => jest.requireActual('../../src/observables/transport.browser'));

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';

describe('connect() on the browser transport', () => {
  let server: TestWsServer;
  useWsAsGlobalWebSocket();
  afterEach(async () => server?.close());

  it('emits open with no headers, the protocol, and a socket that cannot ping', async () => {
    server = await startWsServer({ handleProtocols: () => 'p2' });
    const { value, subscription } = firstMatch(connect(server.url, { protocols: ['p1', 'p2'] }), isOpen);
    const open = await value;
    expect(open.headers).toEqual({});
    expect(open.protocol).toBe('p2');
    expect(open.socket.ping()).toBe(false);
    expect(() => open.socket.ping('x'.repeat(126))).toThrow(RangeError);
    subscription.unsubscribe();
  });

  it('delivers text as string and binary as Uint8Array with wireSize', async () => {
    server = await startEchoServer();
    const messages = await firstValueFrom(
      connect(server.url).pipe(
        filter((e) => {
          if (e.type === 'open') {
            e.socket.send('hé');
            e.socket.send(new Uint8Array([1, 2]));
          }
          return e.type === 'message';
        }),
        take(2),
        toArray(),
      ),
    );
    expect(messages).toMatchObject([
      { binary: false, data: 'hé', wireSize: 3 },
      { binary: true, data: new Uint8Array([1, 2]), wireSize: 2 },
    ]);
  });

  it('emits close from the peer as remote, then completes', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.close(4000, 'bye'));
    const rec = await record(connect(server.url));
    expect(rec.completed).toBe(true);
    expect(rec.values.at(-1)).toEqual({ type: 'close', code: 4000, reason: 'bye', remote: true, wasClean: true });
  });

  it('closes with 1000 on unsubscribe', async () => {
    server = await startWsServer();
    const closed = server.nextConnection().then((ws) => new Promise<number>((resolve) => ws.on('close', resolve)));
    const { value, subscription } = firstMatch(connect(server.url), isOpen);
    await value;
    subscription.unsubscribe();
    expect(await closed).toBe(1000);
  });

  it('errors with a WebSocketError when the connection cannot be opened', async () => {
    const rec = await record(connect('ws://127.0.0.1:1'));
    expect(rec.error).toBeInstanceOf(WebSocketError);
    expect((rec.error as WebSocketError).code).toBe('NETWORK_ERROR');
    expect((rec.error as WebSocketError).reason).toMatch(/Could not connect to ws:\/\/127\.0\.0\.1:1\//);
  });
});
