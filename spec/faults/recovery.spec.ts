import { backoffDelay, connect, keepAlive, reconnect, WebSocketClient } from 'rxws';
import { serve, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { connectRawClient } from '../helpers/raw-peer';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { EventLog } from './events';
import { guardProcess, type CrashGuard } from './guard';

describe('faults: detection and recovery (keepAlive, reconnect, WebSocketClient, serve)', () => {
  let server: TestWsServer | undefined;
  let rxServer: WebSocketServer | undefined;
  let proxy: FaultProxy | undefined;
  let log: EventLog | undefined;
  let client: WebSocketClient | undefined;
  let guard: CrashGuard;

  beforeEach(() => {
    guard = guardProcess();
  });
  afterEach(async () => {
    client?.stop();
    log?.dispose();
    await proxy?.close();
    await server?.close();
    await rxServer?.close();
    client = log = proxy = server = rxServer = undefined;
    guard.dispose();
    expect(guard.problems).toEqual([]);
  });

  it('half-open network (paused longer than the keep-alive timeout): keepAlive closes with 1011, reconnect reopens', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    const events$ = connect(proxy.url(), { closeTimeoutMs: 100 }).pipe(
      keepAlive({ intervalMs: 100, timeoutMs: 100 }),
      reconnect({ minWaitMs: 10, maxWaitMs: 50 }),
    );
    log = new EventLog(events$);
    await log.nth('open', 1);
    await log.nth('pong', 1); // the first ping went through
    proxy.pause(); // packets stop; neither end sees a FIN or RST
    const close = await log.nth('close', 1);
    expect(close).toMatchObject({ code: 1011, remote: false, reason: expect.stringMatching(/ping timeout/i) });
    proxy.resume();
    await log.nth('open', 2);
    await log.nth('pong', 2); // the new connection works
    expect(proxy.acceptedConnections).toBe(2);
  });

  it('server down after a drop: failed tries are reported with the configured backoff, then it reconnects', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    const backoff = { minWaitMs: 20, maxWaitMs: 80 };
    log = new EventLog(connect(proxy.url()).pipe(reconnect(backoff)));
    await log.nth('open', 1);
    proxy.refuse(); // the server is "down": connections are accepted and dropped at once
    proxy.resetAll();
    expect(await log.nth('close', 1)).toMatchObject({ code: 1006, remote: true, wasClean: false });
    const errors = await Promise.all([1, 2, 3, 4].map((n) => log!.nth('error', n)));
    expect(errors.map((e) => e.retries)).toEqual([1, 2, 3, 4]);
    expect(errors.map((e) => e.waitTimeMs)).toEqual([1, 2, 3, 4].map((n) => backoffDelay(n, backoff)));
    for (const e of errors) expect(e.reason).toMatch(/reset|hang up|127\.0\.0\.1/i);
    proxy.acceptAgain();
    await log.nth('open', 2);
  });

  it('server killed mid-stream: WebSocketClient reports the close and reopens on its own', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    client = new WebSocketClient({ url: proxy.url(), reconnect: { minWaitMs: 10, maxWaitMs: 50 } });
    log = new EventLog(client.events$);
    client.start();
    for (let round = 1; round <= 5; round++) {
      await log.nth('open', round);
      proxy.resetAll();
      expect(await log.nth('close', round)).toMatchObject({ code: 1006, wasClean: false });
    }
    await log.nth('open', 6);
    expect(client.readyState).toBe(1);
  });

  it('a client that never reads: the server closes it with 1008 "client too slow" and buffers no more than the bound', async () => {
    const maxBufferedAmount = 1024 * 1024;
    rxServer = serve({ port: 0, host: '127.0.0.1', maxBufferedAmount });
    const connection = new Promise<ServerConnection>((resolve) => rxServer!.connections$.subscribe(resolve));
    const peer = await connectRawClient((await rxServer.listening).port);
    peer.socket.pause(); // never reads
    const conn = await connection;
    log = new EventLog(conn.events$);
    const chunk = new Uint8Array(64 * 1024);
    let sends = 0;
    let peak = 0;
    while (sends < 2000 && conn.send(chunk)) {
      sends++;
      peak = Math.max(peak, conn.bufferedAmount);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sends).toBeLessThan(2000);
    expect(peak).toBeLessThanOrEqual(maxBufferedAmount + chunk.length + 14);
    const close = await log.nth('close', 1);
    expect(close).toMatchObject({ code: 1008, reason: 'client too slow', remote: false });
    peer.destroy();
  });
});
