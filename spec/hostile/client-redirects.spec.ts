// Issue 15 item 4: connect() follows no redirect unless asked (followRedirects); when it does, it
// never goes from wss: to ws:, sends custom headers to the first origin only, and open.url is
// the URL it connected to.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, WebSocketError, type ConnectOptions, type WebSocketOpenEvent } from 'rxws';
import { useTestCertificates } from '../helpers/certs';

/** A server that answers every upgrade with `301 Location: <location(path)>`, and records the requests. */
interface Redirector {
  readonly port: number;
  readonly requests: http.IncomingMessage[];
  close(): Promise<void>;
}

async function startRedirector(server: http.Server, location: (path: string) => string): Promise<Redirector> {
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    requests.push(req);
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 301 Moved Permanently\r\nLocation: ${location(req.url ?? '/')}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const openOf = (url: string, options: ConnectOptions): Promise<WebSocketOpenEvent> =>
  firstValueFrom(connect(url, options).pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));

const errorOf = (url: string, options: ConnectOptions): Promise<WebSocketError> =>
  lastValueFrom(connect(url, options)).then(
    () => Promise.reject(new Error('connect() did not fail')),
    (e: WebSocketError) => e,
  );

describe('connect(): redirects', () => {
  const certs = useTestCertificates();
  let target: WebSocketServer;
  let targetPort: number;
  let seen: http.IncomingMessage[];
  const closers: Array<() => Promise<void>> = [];
  let subscriptions: Array<{ socket: { close(): void } }>;

  beforeEach(async () => {
    seen = [];
    subscriptions = [];
    target = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    target.on('connection', (_ws: WebSocket, req: http.IncomingMessage) => seen.push(req));
    await once(target, 'listening');
    targetPort = (target.address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const open of subscriptions) open.socket.close();
    for (const ws of target.clients) ws.terminate();
    await new Promise((resolve) => target.close(resolve));
    for (const close of closers.splice(0)) await close();
  });

  it('does not follow a redirect by default: UNEXPECTED_STATUS 301 with the location', async () => {
    const redirector = await startRedirector(http.createServer(), () => `ws://127.0.0.1:${targetPort}/`);
    closers.push(redirector.close);
    const err = await errorOf(`ws://127.0.0.1:${redirector.port}/`, {});
    expect(err).toMatchObject({ code: 'UNEXPECTED_STATUS', httpStatus: 301 });
    expect(err.headers.location).toBe(`ws://127.0.0.1:${targetPort}/`);
    expect(seen).toHaveLength(0);
  });

  it('with followRedirects, goes to another origin without the custom headers or credentials; open.url is where it landed', async () => {
    const redirector = await startRedirector(http.createServer(), (p) => `ws://127.0.0.1:${targetPort}${p}`);
    closers.push(redirector.close);
    const headers = { 'X-Token': 'secret', Authorization: 'Bearer secret', Cookie: 'sid=secret' };
    const open = await openOf(`ws://127.0.0.1:${redirector.port}/room`, { followRedirects: true, headers });
    subscriptions.push(open);
    expect(open.url).toBe(`ws://127.0.0.1:${targetPort}/room`);
    expect(redirector.requests[0].headers['x-token']).toBe('secret');
    expect(seen).toHaveLength(1);
    expect(seen[0].headers['x-token']).toBeUndefined();
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[0].headers.cookie).toBeUndefined();
  });

  it('with followRedirects, keeps the custom headers on the same origin', async () => {
    // The target itself redirects /old to /new.
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      seen.push(req);
      if (req.url === '/old') return void socket.end('HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n');
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('error', () => undefined));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    const open = await openOf(`ws://127.0.0.1:${port}/old`, { followRedirects: true, headers: { 'X-Token': 'secret' } });
    subscriptions.push(open);
    expect(open.url).toBe(`ws://127.0.0.1:${port}/new`);
    expect(seen.map((r) => [r.url, r.headers['x-token']])).toEqual([['/old', 'secret'], ['/new', 'secret']]);
  });

  it('with followRedirects, refuses a redirect from wss: to ws: and never connects there', async () => {
    const { server: pair, ca } = certs();
    const redirector = await startRedirector(https.createServer({ cert: pair.cert, key: pair.key }), (p) => `ws://127.0.0.1:${targetPort}${p}`);
    closers.push(redirector.close);
    const err = await errorOf(`wss://127.0.0.1:${redirector.port}/`, { followRedirects: true, tls: { caFile: ca.cert }, headers: { 'X-Token': 'secret' } });
    expect(err.code).toBe('HANDSHAKE_FAILED');
    expect(err.reason).toMatch(/Refused the redirect from wss:\/\/127\.0\.0\.1:\d+\/ to ws:\/\/127\.0\.0\.1:\d+\/: it would drop TLS/);
    expect(seen).toHaveLength(0);
  });
});
