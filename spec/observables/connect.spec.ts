import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { filter, firstValueFrom, take, tap, toArray } from 'rxjs';
import {
  connect,
  WebSocketError,
  type WebSocketCloseEvent,
  type WebSocketEvent,
  type WebSocketMessageEvent,
  type WebSocketOpenEvent,
} from 'rxws';
import { firstMatch, record } from '../helpers/observe';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/ws-server';

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';
const isMessage = (e: WebSocketEvent): e is WebSocketMessageEvent => e.type === 'message';
const isClose = (e: WebSocketEvent): e is WebSocketCloseEvent => e.type === 'close';

/** A raw TCP server whose connections are handed to `onSocket`. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; server: net.Server; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server, sockets };
}

async function closeRaw(raw: { server: net.Server; sockets: Set<net.Socket> }): Promise<void> {
  for (const s of raw.sockets) s.destroy();
  await new Promise((resolve) => raw.server.close(resolve));
}

async function expectFailure(url: string, options = {}): Promise<WebSocketError> {
  const rec = await record(connect(url, options));
  expect(rec.values).toEqual([]);
  expect(rec.error).toBeInstanceOf(WebSocketError);
  return rec.error as WebSocketError;
}

describe('connect()', () => {
  let server: TestWsServer;
  afterEach(async () => server?.close());

  describe('events', () => {
    it('emits open with the url, lower-cased response headers, the negotiated protocol and a socket', async () => {
      server = await startWsServer({ handleProtocols: (offered) => (offered.has('b.v1') ? 'b.v1' : false) });
      server.wss.on('headers', (headers) => headers.push('X-Custom-Header: Yes'));
      const { value, subscription } = firstMatch(connect(server.url + '/path?q=1', { protocols: ['a.v1', 'b.v1'] }), isOpen);
      const open = await value;
      expect(open.socket.readyState).toBe(1);
      subscription.unsubscribe();
      expect(open.url).toBe(`${server.url}/path?q=1`);
      expect(open.headers['x-custom-header']).toBe('Yes');
      expect(open.headers.upgrade).toBe('websocket');
      expect(open.protocol).toBe('b.v1');
      expect(open.socket.protocol).toBe('b.v1');
    });

    it('reports an empty protocol when none was offered', async () => {
      server = await startWsServer();
      const { value, subscription } = firstMatch(connect(server.url), isOpen);
      expect((await value).protocol).toBe('');
      subscription.unsubscribe();
    });

    it('delivers text as a string and binary as a Uint8Array, with wireSize in bytes', async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => {
        ws.send('héllo');
        ws.send(Buffer.from([1, 2, 3]));
      });
      const messages = await firstValueFrom(connect(server.url).pipe(filter(isMessage), take(2), toArray()));
      expect(messages[0]).toMatchObject({ binary: false, data: 'héllo', wireSize: 6 });
      expect(messages[1]).toMatchObject({ binary: true, wireSize: 3 });
      expect(messages[1].data).toEqual(new Uint8Array([1, 2, 3]));
      expect(Buffer.isBuffer(messages[1].data)).toBe(false);
    });

    it("delivers Node Buffers as received with binaryType 'buffer'", async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => ws.send(Buffer.from([9])));
      const message = await firstValueFrom(connect(server.url, { binaryType: 'buffer' }).pipe(filter(isMessage)));
      expect(Buffer.isBuffer(message.data)).toBe(true);
    });

    it('sends text and binary through the socket handle', async () => {
      server = await startEchoServer();
      const events = connect(server.url);
      const received: WebSocketMessageEvent[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = events.subscribe({
          next: (e) => {
            if (e.type === 'open') {
              expect(e.socket.send('text')).toBe(true);
              expect(e.socket.send(new Uint8Array([7, 8]))).toBe(true);
              expect(e.socket.send(new Uint8Array([5]).buffer)).toBe(true);
              expect(typeof e.socket.bufferedAmount).toBe('number');
            } else if (e.type === 'message') {
              received.push(e);
              if (received.length === 3) {
                sub.unsubscribe();
                resolve();
              }
            }
          },
          error: reject,
        });
      });
      expect(received.map((m) => m.data)).toEqual(['text', new Uint8Array([7, 8]), new Uint8Array([5])]);
      expect(received.map((m) => m.binary)).toEqual([false, true, true]);
    });

    it('emits ping events, answers them with a pong, and emits pong events for its own pings', async () => {
      server = await startWsServer();
      const serverGotPong = new Promise<Buffer>((resolve) =>
        server.wss.on('connection', (ws) => {
          ws.on('pong', resolve);
          ws.on('ping', () => ws.send('saw your ping'));
          ws.ping(Buffer.from('hi'));
        }),
      );
      const events: WebSocketEvent[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = connect(server.url).subscribe({
          next: (e) => {
            events.push(e);
            if (e.type === 'open') e.socket.ping('yo');
            if (events.some((x) => x.type === 'ping') && events.some((x) => x.type === 'pong')) {
              sub.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });
      expect(Buffer.from(await serverGotPong).toString()).toBe('hi');
      const ping = events.find((e) => e.type === 'ping');
      const pong = events.find((e) => e.type === 'pong');
      expect(ping && Buffer.from(ping.data).toString()).toBe('hi');
      expect(pong && Buffer.from(pong.data).toString()).toBe('yo');
    });

    it('emits close with the peer code and reason, remote and clean, then completes', async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => ws.close(4001, 'go away'));
      const rec = await record(connect(server.url));
      expect(rec.completed).toBe(true);
      expect(rec.values.map((e) => e.type)).toEqual(['open', 'close']);
      expect(rec.values[1]).toEqual({ type: 'close', code: 4001, reason: 'go away', remote: true, wasClean: true });
    });

    it('reports a close frame without status as 1005', async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => ws.close());
      const rec = await record(connect(server.url));
      expect(rec.values[1]).toMatchObject({ type: 'close', code: 1005, remote: true });
    });

    it('reports a local close as not remote', async () => {
      server = await startWsServer();
      const rec = await record(
        new (await import('rxjs')).Observable<WebSocketEvent>((sub) =>
          connect(server.url).subscribe({
            next: (e) => {
              sub.next(e);
              if (e.type === 'open') e.socket.close(4100, 'done here');
            },
            error: (err) => sub.error(err),
            complete: () => sub.complete(),
          }),
        ),
      );
      expect(rec.values.at(-1)).toEqual({ type: 'close', code: 4100, reason: 'done here', remote: false, wasClean: true });
    });

    it('emits close 1006 when the peer resets the TCP connection', async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => ws.on('message', () => (ws as unknown as { _socket: net.Socket })._socket.resetAndDestroy()));
      const rec = await record(connect(server.url).pipe(tap((e) => e.type === 'open' && e.socket.send('reset me'))));
      const close = rec.values.find(isClose);
      expect(rec.completed).toBe(true);
      expect(close).toMatchObject({ code: 1006, remote: true, wasClean: false });
      expect(close?.reason).toMatch(/Abnormal closure/);
    });
  });

  describe('the socket handle', () => {
    it('returns false from send and ping once closed, and reports readyState 3', async () => {
      server = await startWsServer();
      server.wss.on('connection', (ws) => ws.close(1000));
      const rec = await record(connect(server.url));
      const open = rec.values.find(isOpen)!;
      expect(open.socket.readyState).toBe(3);
      expect(open.socket.send('late')).toBe(false);
      expect(open.socket.ping()).toBe(false);
    });

    it('refuses invalid close codes and oversized pings with a RangeError that says why', async () => {
      server = await startWsServer();
      const { value, subscription } = firstMatch(connect(server.url), isOpen);
      const { socket } = await value;
      expect(() => socket.close(1005)).toThrow(/Invalid close code 1005/);
      expect(() => socket.close(1000, 'x'.repeat(124))).toThrow(/at most 123/);
      expect(() => socket.ping(new Uint8Array(126))).toThrow(/at most 125 bytes/);
      subscription.unsubscribe();
    });
  });

  describe('unsubscribing', () => {
    it('closes the connection with 1000', async () => {
      server = await startWsServer();
      const serverClose = server.nextConnection().then((ws) => once(ws, 'close'));
      const { value, subscription } = firstMatch(connect(server.url), isOpen);
      await value;
      subscription.unsubscribe();
      const [code] = await serverClose;
      expect(code).toBe(1000);
    });

    it('during the handshake leaves no open socket and emits nothing after', async () => {
      let serverSide: net.Socket | undefined;
      const gotRequest = new Promise<void>((resolve) => {
        void rawServer((socket) => {
          serverSide = socket;
          socket.once('data', () => resolve());
        }).then((r) => (raw = r));
      });
      let raw!: Awaited<ReturnType<typeof rawServer>>;
      while (!raw) await new Promise((r) => setImmediate(r));
      const events: unknown[] = [];
      const sub = connect(`ws://127.0.0.1:${raw.port}`).subscribe({ next: (e) => events.push(e), error: (e) => events.push(e) });
      await gotRequest;
      sub.unsubscribe();
      await once(serverSide!, 'close');
      expect(events).toEqual([]);
      await closeRaw(raw);
    });

    it('1000 subscribe/unsubscribe cycles leave no handles or listeners behind', async () => {
      server = await startWsServer();
      const handlesBefore = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
      for (let i = 0; i < 1000; i++) {
        const { value, subscription } = firstMatch(connect(server.url), isOpen);
        await value;
        subscription.unsubscribe();
      }
      // Wait for the server to see every close, then for the client sockets to be released.
      while (server.wss.clients.size > 0) await new Promise((r) => setImmediate(r));
      let handlesAfter = Infinity;
      for (let i = 0; i < 1000 && handlesAfter > handlesBefore; i++) {
        await new Promise((r) => setImmediate(r));
        handlesAfter = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
      }
      expect(handlesAfter).toBeLessThanOrEqual(handlesBefore);
    });
  });

  describe('failures', () => {
    it('connection refused names the host and port', async () => {
      const probe = net.createServer().listen(0, '127.0.0.1');
      await once(probe, 'listening');
      const { port } = probe.address() as AddressInfo;
      await new Promise((r) => probe.close(r));
      const err = await expectFailure(`ws://127.0.0.1:${port}`);
      expect(err.code).toBe('CONNECTION_REFUSED');
      expect(err.reason).toContain(`Unable to connect to 127.0.0.1 on port ${port}`);
      expect(err.httpStatus).toBe(0);
    });

    it('a DNS failure says which host could not be resolved', async () => {
      const lookup = (hostname: string, _opts: object, cb: (err: Error | null, address: string, family?: number) => void): void =>
        cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      const err = await expectFailure('ws://no-such-host.invalid:8008/', { lookup });
      expect(err.code).toBe('DNS_FAILURE');
      expect(err.reason).toBe('Could not resolve host no-such-host.invalid (ENOTFOUND)');
    });

    it('a server that never answers the upgrade hits the handshake timeout', async () => {
      const raw = await rawServer(() => undefined);
      const err = await expectFailure(`ws://127.0.0.1:${raw.port}`, { handshakeTimeoutMs: 200 });
      expect(err.code).toBe('HANDSHAKE_TIMEOUT');
      expect(err.reason).toMatch(/did not complete within 200 ms/);
      await closeRaw(raw);
    });

    it.each([401, 403, 500])('an HTTP %i answer errors with httpStatus and the status in the reason', async (status) => {
      const httpServer = http.createServer();
      httpServer.on('upgrade', (_req, socket: net.Socket) => {
        socket.end(`HTTP/1.1 ${status} Nope\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nbad api token`);
      });
      httpServer.listen(0, '127.0.0.1');
      await once(httpServer, 'listening');
      const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/chat`;
      const err = await expectFailure(url);
      expect(err.code).toBe('UNEXPECTED_STATUS');
      expect(err.httpStatus).toBe(status);
      expect(err.headers['content-type']).toBe('text/plain');
      expect(err.reason).toBe(`Expecting status 101 (Switching Protocol), got ${status} status connecting to ${url}: bad api token`);
      await new Promise((r) => httpServer.close(r));
    });

    it('an invalid Sec-WebSocket-Accept is refused', async () => {
      const raw = await rawServer((socket) =>
        socket.once('data', () =>
          socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bogus=\r\n\r\n'),
        ),
      );
      const err = await expectFailure(`ws://127.0.0.1:${raw.port}`);
      expect(err.code).toBe('INVALID_ACCEPT');
      expect(err.reason).toMatch(/Invalid Sec-WebSocket-Accept/);
      await closeRaw(raw);
    });

    it('a subprotocol the client did not offer is refused', async () => {
      server = await startWsServer({ handleProtocols: () => 'other' });
      const err = await expectFailure(server.url, { protocols: ['mine', 'also-mine'] });
      expect(err.code).toBe('PROTOCOL_MISMATCH');
      expect(err.reason).toBe(`The server at ${server.url}/ picked subprotocol 'other', which was not offered (offered: 'mine', 'also-mine')`);
    });

    it('a server that accepts none of the offered subprotocols: opens with protocol \'\', as browsers do (RFC 6455 §4.1)', async () => {
      server = await startWsServer({ handleProtocols: () => false });
      const offered = new Promise<string | undefined>((resolve) => server!.wss.once('headers', (_h, req) => resolve(req.headers['sec-websocket-protocol'])));
      const open = await firstValueFrom(connect(server.url, { protocols: ['mine', 'also-mine'] }).pipe(filter(isOpen)));
      expect(await offered).toBe('mine, also-mine');
      expect(open.protocol).toBe('');
      expect(open.socket.protocol).toBe('');
      open.socket.close();
    });

    it('a server that picks one of the offered subprotocols: it is the open event\'s and the socket\'s protocol', async () => {
      server = await startWsServer({ handleProtocols: () => 'also-mine' });
      const open = await firstValueFrom(connect(server.url, { protocols: ['mine', 'also-mine'] }).pipe(filter(isOpen)));
      expect(open.protocol).toBe('also-mine');
      expect(open.socket.protocol).toBe('also-mine');
      expect(open.headers['sec-websocket-protocol']).toBe('also-mine');
      open.socket.close();
    });

    it('requireProtocol: a server that accepts none of the offered subprotocols is refused, saying so', async () => {
      server = await startWsServer({ handleProtocols: () => false });
      const err = await expectFailure(server.url, { protocols: ['mine'], requireProtocol: true });
      expect(err.code).toBe('PROTOCOL_MISMATCH');
      expect(err.reason).toBe(`The server at ${server.url}/ accepted none of the offered subprotocols ('mine'): its answer had no Sec-WebSocket-Protocol`);
    });

    it('a subprotocol picked when none was offered is refused', async () => {
      const raw = await rawServer((socket) =>
        socket.once('data', (request) => {
          const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(request.toString())?.[1] ?? '';
          const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
          socket.write(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: surprise\r\n\r\n`,
          );
        }),
      );
      const err = await expectFailure(`ws://127.0.0.1:${raw.port}`);
      expect(err.code).toBe('PROTOCOL_MISMATCH');
      expect(err.reason).toBe(`The server at ws://127.0.0.1:${raw.port}/ picked subprotocol 'surprise' although none was offered`);
      await closeRaw(raw);
    });

    it.each([
      ['not a url', 'INVALID_URL', /Could not parse url 'not a url'/],
      ['ftp://127.0.0.1/', 'UNSUPPORTED_SCHEME', /Unsupported scheme 'ftp:'.*use ws:, wss:, http: or https:/],
    ])('the url %j is refused with %s', async (url, code, reason) => {
      const err = await expectFailure(url);
      expect(err.code).toBe(code);
      expect(err.reason).toMatch(reason);
    });

    it('invalid options are refused with a reason', async () => {
      expect((await expectFailure('ws://127.0.0.1:1', { handshakeTimeoutMs: -1 })).reason).toMatch(/handshakeTimeoutMs must be a finite number of milliseconds from 1/);
      expect((await expectFailure('ws://127.0.0.1:1', { protocols: ['a b'] })).reason).toMatch(/Invalid subprotocol "a b"/);
      expect((await expectFailure('ws://127.0.0.1:1', { protocols: ['a', 'a'] })).reason).toMatch(/offered twice/);
    });
  });

  describe('urls', () => {
    it('accepts http: as ws: and IPv6 literals in brackets', async () => {
      const wss = await startWsServer({ host: '::1' });
      const { value, subscription } = firstMatch(connect(`http://[::1]:${wss.port}/x`), isOpen);
      expect((await value).url).toBe(`ws://[::1]:${wss.port}/x`);
      subscription.unsubscribe();
      await wss.close();
    });
  });
});
