import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect, type WebSocketCloseEvent } from 'rxws';
import { serve, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { WebSocket } from 'ws';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { guardProcess, type CrashGuard } from './guard';

// A client's reset reaches serve() as a close event whose reason names the cause, as on the client side.
describe('faults: a client reset, seen by the server', () => {
  let server: WebSocketServer;
  let port: number;
  let proxy: FaultProxy | undefined;
  let guard: CrashGuard;

  beforeEach(async () => {
    guard = guardProcess();
    server = serve({ port: 0, host: '127.0.0.1' });
    ({ port } = await server.listening);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await server.close();
    guard.dispose();
    expect(guard.problems).toEqual([]);
  });

  /** The close event of the next server connection. */
  const nextClose = (): Promise<WebSocketCloseEvent> =>
    new Promise((resolve) => {
      const sub = server.connections$.subscribe((connection: ServerConnection) => {
        sub.unsubscribe();
        connection.events$.subscribe((e) => e.type === 'close' && resolve(e));
      });
    });

  it('an idle connection reset by the client: close 1006 naming read ECONNRESET', async () => {
    const closed = nextClose();
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    client.on('error', () => undefined);
    await once(client, 'open');
    (client as unknown as { _socket: Socket })._socket.resetAndDestroy();
    expect(await closed).toEqual({ type: 'close', code: 1006, reason: 'Abnormal closure: read ECONNRESET', remote: true, wasClean: false });
  });

  it('a network reset between an rxws client and serve(): both ends name ECONNRESET', async () => {
    proxy = await startFaultProxy(port);
    const closed = nextClose();
    const events: string[] = [];
    const clientClosed = new Promise<WebSocketCloseEvent>((resolve) => {
      connect(proxy!.url()).subscribe((e) => {
        events.push(e.type);
        if (e.type === 'open') proxy!.resetAll();
        if (e.type === 'close') resolve(e);
      });
    });
    expect((await closed).reason).toBe('Abnormal closure: read ECONNRESET');
    expect((await clientClosed).reason).toBe('Abnormal closure: read ECONNRESET');
    expect(events).toEqual(['open', 'close']);
  });
});
