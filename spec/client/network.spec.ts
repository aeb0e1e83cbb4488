import { once } from 'node:events';
import { filter, firstValueFrom, startWith, Subject, type Observable, type Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSING, connect, keepAlive, OPEN, reconnect, WebSocketClient, type WebSocketEvent } from 'rxws';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';

/** Resolves with the n-th event (from now) that matches. */
function nth(events$: Observable<WebSocketEvent>, n: number, match: (e: WebSocketEvent) => boolean): Promise<WebSocketEvent> {
  return new Promise((resolve) => {
    let seen = 0;
    const sub: Subscription = events$.subscribe((e) => {
      if (match(e) && ++seen === n) {
        queueMicrotask(() => sub.unsubscribe());
        resolve(e);
      }
    });
  });
}

describe('on a real network', () => {
  let server: TestWsServer | undefined;
  let replacement: WebSocketServer | undefined;
  const subscriptions: Subscription[] = [];
  const clients: WebSocketClient[] = [];
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    for (const c of clients.splice(0)) c.stop();
    await server?.close();
    server = undefined;
    if (replacement) {
      for (const ws of replacement.clients) ws.terminate();
      await new Promise((resolve) => replacement?.close(resolve));
      replacement = undefined;
    }
  });

  it('reconnect: opens again when a server goes away and comes back on the same port', async () => {
    server = await startWsServer();
    const { port, url } = server;
    const events: WebSocketEvent[] = [];
    const connection$ = new Subject<WebSocketEvent>();
    /** Resolves once `count` events of `type` have been seen in all. */
    const seen = (type: WebSocketEvent['type'], count: number) =>
      firstValueFrom(connection$.pipe(startWith(undefined), filter(() => events.filter((x) => x.type === type).length >= count)));
    subscriptions.push(
      connect(url).pipe(reconnect({ maxWaitMs: 50 })).subscribe((e) => {
        events.push(e);
        connection$.next(e);
      }),
    );
    await seen('open', 1);
    const failedTry = seen('error', 2);
    await server.close();
    server = undefined;
    await failedTry; // the server is gone: tries are refused
    // Back on the same port.
    replacement = new WebSocketServer({ host: '127.0.0.1', port });
    await once(replacement, 'listening');
    await seen('open', 2);
    const kinds = events.map((e) => e.type);
    expect(kinds[0]).toBe('open');
    expect(kinds[1]).toBe('close');
    expect(kinds.at(-1)).toBe('open');
    // Between the two opens: only failed tries, counted from 1 with growing waits.
    const errors = events.filter((e) => e.type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    errors.forEach((e, i) => expect(e).toMatchObject({ retries: i + 1, httpStatus: 0, reason: expect.stringContaining(`port ${port}`) }));
  });

  it('keepAlive: detects a peer that keeps the TCP connection but stops answering pings, then reconnect opens again', async () => {
    server = await startWsServer({ autoPong: false });
    let accepted = 0;
    server.wss.on('connection', (_ws: WebSocket, request) => {
      // The first peer is frozen: it reads nothing, so it answers neither pings nor the close frame.
      if (++accepted === 1) request.socket.pause();
    });
    const events: WebSocketEvent[] = [];
    const secondOpen = new Promise<number>((resolve) => {
      let opens = 0;
      const started = Date.now();
      subscriptions.push(
        connect(server!.url, { closeTimeoutMs: 100 })
          .pipe(keepAlive({ intervalMs: 100, timeoutMs: 100 }), reconnect())
          .subscribe((e) => {
            events.push(e);
            if (e.type === 'open' && ++opens === 2) resolve(Date.now() - started);
          }),
      );
    });
    const elapsedMs = await secondOpen;
    const close = events.find((e) => e.type === 'close');
    // Our 1011 is reported even though the peer never answered the close frame.
    expect(close).toEqual({ type: 'close', code: 1011, reason: 'Ping timeout: no pong within 100 ms', remote: false, wasClean: false });
    expect(elapsedMs).toBeGreaterThanOrEqual(100);
    // interval + timeout + close timeout, with room for a slow machine.
    expect(elapsedMs).toBeLessThan(100 + 100 + 100 + 3000);
  });

  it('keepAlive: a peer that answers the close but not pings gets a clean 1011 close', async () => {
    server = await startWsServer({ autoPong: false });
    const close = await firstValueFrom(
      connect(server.url).pipe(keepAlive({ intervalMs: 50, timeoutMs: 50 }), filter((e) => e.type === 'close')),
    );
    expect(close).toEqual({ type: 'close', code: 1011, reason: 'Ping timeout: no pong within 50 ms', remote: false, wasClean: true });
  });

  it('WebSocketClient: the send queue delivers in order across a reconnect, nothing duplicated', async () => {
    server = await startWsServer();
    const received: string[] = [];
    const sockets: WebSocket[] = [];
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    /** Resolves once the server has received `count` messages in all. */
    const receivedCount = (count: number) => new Promise<void>((resolve) => waiters.push({ count, resolve }));
    server.wss.on('connection', (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => {
        received.push(data.toString());
        for (const w of waiters) if (received.length === w.count) w.resolve();
      });
    });
    const client = new WebSocketClient({ url: server.url, queue: { maxMessages: 100 } });
    clients.push(client);
    expect(client.send('0 before start')).toBe(true);
    const firstOpen = nth(client.events$, 1, (e) => e.type === 'open');
    client.start();
    await firstOpen;
    const first21 = receivedCount(21);
    for (let i = 1; i <= 20; i++) expect(client.send(`${i} first connection`)).toBe(true);
    const dropped = nth(client.events$, 1, (e) => e.type === 'close');
    // The drop's close, then the next open.
    const secondOpen = nth(client.events$, 2, (e) => e.type === 'open' || e.type === 'close');
    // Wait until the server has everything sent so far, then drop the connection.
    await first21;
    sockets[0].terminate();
    await dropped;
    // Disconnected now: these are queued.
    expect(client.readyState).not.toBe(OPEN);
    for (let i = 21; i <= 30; i++) expect(client.send(`${i} while down`)).toBe(true);
    expect(client.queuedMessages).toBe(10);
    expect(await secondOpen).toMatchObject({ type: 'open' });
    expect(client.queuedMessages).toBe(0);
    const all = receivedCount(32);
    expect(client.send('31 second connection')).toBe(true);
    await all;
    const expected = ['0 before start', ...Array.from({ length: 30 }, (_, k) => `${k + 1} ${k < 20 ? 'first connection' : 'while down'}`), '31 second connection'];
    expect(received).toEqual(expected);
  });

  it('WebSocketClient: stop() closes with the code and reason and does not reconnect', async () => {
    server = await startWsServer();
    const serverSide = server.nextConnection();
    const client = new WebSocketClient({ url: server.url });
    clients.push(client);
    const opened = nth(client.events$, 1, (e) => e.type === 'open');
    client.start();
    await opened;
    const ws = await serverSide;
    const serverClose = once(ws, 'close');
    const closed = nth(client.events$, 1, (e) => e.type === 'close');
    client.stop(4000, 'bye');
    expect(client.readyState).toBe(CLOSING);
    expect(await closed).toMatchObject({ code: 4000, reason: 'bye', remote: false, wasClean: true });
    const [code, reason] = await serverClose;
    expect([code, reason.toString()]).toEqual([4000, 'bye']);
    expect(server.wss.clients.size).toBe(0);
    expect(client.readyState).toBe(3);
  });

  it('WebSocketClient: start() right after stop() waits for the close, then connects to the new url', async () => {
    server = await startWsServer();
    const client = new WebSocketClient({ url: server.url });
    clients.push(client);
    const paths: string[] = [];
    server.wss.on('connection', (_ws, request) => paths.push(request.url ?? ''));
    const opened = nth(client.events$, 1, (e) => e.type === 'open');
    client.start();
    await opened;
    const closeThenOpen = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      const sub = client.events$.subscribe((e) => {
        seen.push(e.type === 'close' ? `close ${e.code}` : e.type === 'open' ? `open ${e.url}` : e.type);
        if (e.type === 'open') {
          queueMicrotask(() => sub.unsubscribe());
          resolve(seen);
        }
      });
    });
    client.url = `${server.url}/second`;
    client.stop(1000, 'switching');
    client.start();
    expect(await closeThenOpen).toEqual(['close 1000', `open ${server.url}/second`]);
    expect(paths).toEqual(['/', '/second']);
  });
});
