import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, WebSocketError, type LookupFunction, type WebSocketCloseEvent, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { useTestCertificates } from '../helpers/certs';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { firstMatch, record } from '../helpers/observe';
import { startRawServer, type RawServer } from '../helpers/raw-peer';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/ws-server';
import { guardProcess, type CrashGuard } from './guard';

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';
const closeOf = (events: WebSocketEvent[]): WebSocketCloseEvent | undefined =>
  events.find((e): e is WebSocketCloseEvent => e.type === 'close');

describe('faults: connect() through a faulty network', () => {
  let server: TestWsServer | undefined;
  let proxy: FaultProxy | undefined;
  let raw: RawServer | undefined;
  let guard: CrashGuard;
  const certs = useTestCertificates();

  beforeEach(() => {
    guard = guardProcess();
  });
  afterEach(async () => {
    await proxy?.close();
    await server?.close();
    await raw?.close();
    proxy = server = raw = undefined;
    guard.dispose();
    expect(guard.problems).toEqual([]);
  });

  it('server killed mid-stream: close 1006 (remote, not clean), then completes without an error', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => {
      let n = 0;
      const tick = (): void => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(`message ${n++}`);
        if (n === 20) ws.terminate(); // the server dies: no close frame, socket destroyed
        else setImmediate(tick);
      };
      tick();
    });
    proxy = await startFaultProxy(server.port);
    const rec = await record(connect(proxy.url()));
    const messages = rec.values.filter((e) => e.type === 'message');
    expect(messages.map((m) => m.type === 'message' && m.data)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
    expect(closeOf(rec.values)).toMatchObject({ code: 1006, remote: true, wasClean: false });
    expect(rec.completed).toBe(true);
    expect(rec.error).toBeUndefined();
  });

  it('network reset while idle: close 1006 whose reason names the reset', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    const { value, subscription, values } = firstMatch(connect(proxy.url()), (e): e is WebSocketCloseEvent => e.type === 'close');
    await waitFor(() => values.some(isOpen));
    proxy.resetAll();
    const close = await value;
    subscription.unsubscribe();
    expect(close).toMatchObject({ code: 1006, remote: true, wasClean: false });
    expect(close.reason).toBe('Abnormal closure: read ECONNRESET');
  });

  it('network reset in the middle of a frame: close 1006, no partial message', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', () => ws.send(Buffer.alloc(65536, 7))));
    proxy = await startFaultProxy(server.port);
    const { value, subscription, values } = firstMatch(connect(proxy.url()), (e): e is WebSocketCloseEvent => e.type === 'close');
    await waitFor(() => values.some(isOpen));
    proxy.cutAfter(1000, 'toClient', 'reset');
    (values.find(isOpen) as WebSocketOpenEvent).socket.send('go');
    const close = await value;
    subscription.unsubscribe();
    expect(close).toMatchObject({ code: 1006, remote: true, wasClean: false });
    // Linux reports a reset right after data as an end of stream, so the reason may not name it.
    expect(close.reason).toMatch(/^Abnormal closure/);
    expect(values.filter((e) => e.type === 'message')).toEqual([]);
  });

  it('TCP closed cleanly in the middle of a frame: close 1006, no partial message', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.send(Buffer.alloc(65536, 7)));
    proxy = await startFaultProxy(server.port);
    proxy.cutAfter(300, 'toClient', 'close'); // the 101 response fits; the frame does not
    const rec = await record(connect(proxy.url()));
    expect(rec.values.map((e) => e.type)).toEqual(['open', 'close']);
    expect(closeOf(rec.values)).toMatchObject({ code: 1006, remote: true, wasClean: false });
  });

  it('DNS failure (injected through lookup): errors with DNS_FAILURE naming the host', async () => {
    const lookup: LookupFunction = (hostname, _options, callback) => {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 4);
    };
    const rec = await record(connect('ws://service.invalid:8008/', { lookup }));
    expect(rec.values).toEqual([]);
    expect(rec.error).toBeInstanceOf(WebSocketError);
    expect(rec.error).toMatchObject({ code: 'DNS_FAILURE', reason: expect.stringContaining('service.invalid') });
  });

  it('a temporary DNS failure (EAI_AGAIN) is a DNS_FAILURE too, and a working lookup connects', async () => {
    server = await startEchoServer();
    let failNext = true;
    // Node asks for every address ({ all: true }) when it may try IPv4 and IPv6 in turn.
    const lookup: LookupFunction = (_h, options, callback) => {
      if (failNext) callback(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }), '', 4);
      else if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const url = `ws://service.test:${server.port}/`;
    expect((await record(connect(url, { lookup }))).error).toMatchObject({ code: 'DNS_FAILURE' });
    failNext = false;
    const { value, subscription } = firstMatch(connect(url, { lookup }), isOpen);
    expect((await value).url).toBe(url);
    subscription.unsubscribe();
  });

  it.each([
    ['server hello cut (server to client, 200 bytes)', 200, 'toClient'],
    ['client hello cut (client to server, 40 bytes)', 40, 'toServer'],
  ] as const)('TLS handshake cut: %s errors with a clear reason', async (_name, bytes, direction) => {
    const { cert, key } = certs().server;
    const ca = certs().ca.cert;
    const tlsServer = https.createServer({ cert, key });
    const wss = new WebSocketServer({ server: tlsServer });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    try {
      proxy = await startFaultProxy((tlsServer.address() as AddressInfo).port);
      proxy.cutAfter(bytes, direction, 'reset');
      const rec = await record(connect(proxy.url('/', true), { tls: { caFile: ca } }));
      expect(rec.values).toEqual([]);
      expect(rec.error).toBeInstanceOf(WebSocketError);
      const err = rec.error as WebSocketError;
      expect(['CONNECTION_RESET', 'TLS_HANDSHAKE_FAILED', 'NETWORK_ERROR']).toContain(err.code);
      expect(err.reason).toContain(`127.0.0.1 on port ${proxy.port}`);
      // Sanity: without the cut the same client connects.
      proxy.clearCut();
      const { value, subscription } = firstMatch(connect(proxy.url('/', true), { tls: { caFile: ca } }), isOpen);
      await value;
      subscription.unsubscribe();
    } finally {
      for (const c of wss.clients) c.terminate();
      wss.close();
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });

  it('a target that accepts and hangs up at once: errors with CONNECTION_RESET', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    proxy.refuse();
    const rec = await record(connect(proxy.url()));
    expect(rec.error).toBeInstanceOf(WebSocketError);
    expect(rec.error).toMatchObject({ code: 'CONNECTION_RESET' });
  });

  it('a black hole during the upgrade: errors with HANDSHAKE_TIMEOUT and leaves no connection', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    proxy.drop();
    const rec = await record(connect(proxy.url(), { handshakeTimeoutMs: 200 }));
    expect(rec.error).toMatchObject({ code: 'HANDSHAKE_TIMEOUT', reason: expect.stringContaining('200 ms') });
    await waitFor(() => proxy!.openConnections === 0);
  });

  it('a slow network (20 ms per chunk) delivers every message, in order', async () => {
    server = await startEchoServer();
    proxy = await startFaultProxy(server.port);
    proxy.delay(20);
    const events = connect(proxy.url());
    const received = firstValueFrom(
      events.pipe(
        filter((e) => {
          if (e.type === 'open') for (let i = 0; i < 50; i++) e.socket.send(`m${i}`);
          return e.type === 'message';
        }),
        take(50),
        toArray(),
      ),
    );
    expect((await received).map((e) => e.type === 'message' && e.data)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
  });

  it('a peer that never reads: bufferedAmount grows, and close() still ends the connection after closeTimeoutMs', async () => {
    raw = await startRawServer();
    const { value, subscription, values } = firstMatch(connect(raw.url, { closeTimeoutMs: 100 }), isOpen);
    const peer = await raw.nextPeer();
    peer.socket.pause(); // never reads again
    const { socket } = await value;
    const chunk = new Uint8Array(256 * 1024);
    let sent = 0;
    while (socket.bufferedAmount < 4 * 1024 * 1024 && sent < 400) {
      expect(socket.send(chunk)).toBe(true);
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(socket.bufferedAmount).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(socket.bufferedAmount).toBeLessThanOrEqual(sent * (chunk.length + 14));
    socket.close(1000, 'done');
    // The close frame is stuck behind the unread data: the close timeout ends the connection.
    await waitFor(() => closeOf(values) !== undefined);
    subscription.unsubscribe();
    // Our close was never answered: reported as ours (1000 'done'), but not clean.
    expect(closeOf(values)).toMatchObject({ code: 1000, reason: 'done', remote: false, wasClean: false });
    expect(socket.readyState).toBe(3);
  });
});

/** Polls a condition on each macrotask turn, for at most `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
