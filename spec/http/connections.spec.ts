import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { take } from 'rxjs';
import { HttpError, httpRequest, type HttpDownloadProgressEvent, type HttpRequestOptions, type HttpResponseHeaderEvent, type HttpUploadProgressEvent } from 'rxws/http';
import { firstMatch, record } from '../helpers/observe';
import { allEvents, responseOf, startHttpServer, startRawServer, type TestHttpServer } from './servers';

/** Calls `onRequest` with the socket each time a full request head arrived on it (no bodies). */
function onRequestHeads(socket: Socket, onRequest: (index: number) => void): void {
  let buffered = '';
  let index = 0;
  socket.on('data', (data) => {
    buffered += data.toString('latin1');
    while (buffered.includes('\r\n\r\n')) {
      buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
      onRequest(index++);
    }
  });
}

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('httpRequest(): connections', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());

  describe('keep-alive', () => {
    it('reuses one connection for sequential requests by default', async () => {
      server = await startHttpServer((req, res) => res.end(req.url));
      for (const path of ['/1', '/2', '/3', '/4']) {
        expect((await responseOf(httpRequest(server.url + path))).text()).toBe(path);
      }
      expect(server.connections).toBe(1);
    });

    it('reuses the connection across a same-origin redirect', async () => {
      server = await startHttpServer((req, res) => {
        if (req.url === '/from') res.writeHead(302, { location: '/to' });
        res.end('body');
      });
      expect((await responseOf(httpRequest(server.url + '/from'))).redirects).toBe(1);
      expect(server.connections).toBe(1);
    });

    it('opens a connection per request with keepAlive: false', async () => {
      server = await startHttpServer((_req, res) => res.end('x'));
      for (let i = 0; i < 3; i++) await responseOf(httpRequest(server.url, { keepAlive: false }));
      expect(server.connections).toBe(3);
    });

    it('retries once on a fresh connection when a reused one turns out closed', async () => {
      server = await startRawServer((socket) =>
        onRequestHeads(socket, (index) => {
          // The second request on a connection finds it closed, as after a server's idle timeout.
          if (index > 0) return void socket.destroy();
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        }),
      );
      expect((await responseOf(httpRequest(server.url))).text()).toBe('ok');
      expect((await responseOf(httpRequest(server.url))).text()).toBe('ok');
      expect(server.connections).toBe(2);
    });
  });

  describe('HTTP/1.0 and close-delimited bodies', () => {
    it('reads an HTTP/1.0 response whose body ends when the connection closes', async () => {
      server = await startRawServer((socket) =>
        onRequestHeads(socket, () => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, 1.0 world')),
      );
      const events = await allEvents(httpRequest(server.url));
      const response = events[events.length - 1];
      expect(response.type === 'response' && response.text()).toBe('hello, 1.0 world');
      const progress = events.filter((e) => e.type === 'downloadProgress');
      expect(progress[progress.length - 1]).toEqual({ type: 'downloadProgress', loaded: 16, total: undefined });
    });

    it('reads an HTTP/1.1 response without length, closed by the server', async () => {
      server = await startRawServer((socket) =>
        onRequestHeads(socket, () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close')),
      );
      expect((await responseOf(httpRequest(server.url))).text()).toBe('until close');
    });

    it('fails with READ_FAILED when the connection closes before Content-Length bytes arrived', async () => {
      server = await startRawServer((socket) =>
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
          setImmediate(() => socket.destroy());
        }),
      );
      const rec = await record(httpRequest(server.url));
      expect(rec.error).toMatchObject({ code: 'READ_FAILED', status: 200 });
    });

    it('fails with READ_FAILED when the server closes without answering', async () => {
      server = await startRawServer((socket) => onRequestHeads(socket, () => socket.destroy()));
      const rec = await record(httpRequest(server.url, { keepAlive: false }));
      expect(rec.error).toMatchObject({ code: 'READ_FAILED' });
      expect((rec.error as HttpError).reason).toMatch(/before a response arrived/);
    });

    it('fails with READ_FAILED on a malformed status line', async () => {
      server = await startRawServer((socket) => onRequestHeads(socket, () => socket.end('NOT HTTP AT ALL\r\n\r\n')));
      const rec = await record(httpRequest(server.url));
      expect(rec.error).toMatchObject({ code: 'READ_FAILED' });
      expect((rec.error as HttpError).reason).toMatch(/Malformed HTTP response/);
    });
  });

  describe('cancellation', () => {
    it('closes the socket at once when unsubscribed while the body downloads', async () => {
      server = await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-length': 1000 });
        res.write('partial');
      });
      const request = once(server.server, 'request') as Promise<[IncomingMessage]>;
      const progress = firstMatch(httpRequest(server.url), (e): e is HttpDownloadProgressEvent => e.type === 'downloadProgress');
      await progress.value;
      const [req] = await request;
      progress.subscription.unsubscribe();
      await once(req.socket, 'close');
      expect(server.sockets.size).toBe(0);
    });

    it('aborts an upload in progress when unsubscribed, and the server sees the close', async () => {
      server = await startHttpServer((req) => req.resume()); // reads, so it notices the close
      const connection = once(server.server, 'connection') as Promise<[Socket]>;
      const body = new Uint8Array(8 * 1024 * 1024);
      const progress = firstMatch(httpRequest(server.url, { method: 'PUT', body }), (e): e is HttpUploadProgressEvent => e.type === 'uploadProgress');
      const first = await progress.value;
      progress.subscription.unsubscribe();
      expect(first.loaded).toBeLessThan(body.length);
      const [socket] = await connection;
      await once(socket, 'close');
    });

    it('fails with Cancelled when options.signal aborts', async () => {
      server = await startHttpServer(() => undefined); // never answers
      const controller = new AbortController();
      const pending = record(httpRequest(server.url, { signal: controller.signal }));
      await once(server.server, 'request');
      controller.abort();
      const rec = await pending;
      expect(rec.error).toMatchObject({ code: 'CANCELLED' });
    });

    it('fails with Cancelled at once for an already aborted signal', async () => {
      const rec = await record(httpRequest('http://127.0.0.1:9/', { signal: AbortSignal.abort() }));
      expect(rec.error).toMatchObject({ code: 'CANCELLED' });
    });
  });

  describe('timeouts', () => {
    it('fails with Timeout naming connectTimeoutMs when TLS never completes', async () => {
      server = await startRawServer(() => undefined); // accepts TCP, never speaks TLS
      const rec = await record(httpRequest(server.url.replace('http:', 'https:'), { connectTimeoutMs: 50 }));
      expect(rec.error).toMatchObject({ code: 'TIMEOUT' });
      expect((rec.error as HttpError).reason).toMatch(/connecting \(connectTimeoutMs\) did not complete within 50 ms/);
    });

    it('fails with Timeout naming transferTimeoutMs when the body stalls', async () => {
      server = await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-length': 10 });
        res.write('abc');
      });
      const rec = await record(httpRequest(server.url, { transferTimeoutMs: 100 }));
      expect(rec.error).toMatchObject({ code: 'TIMEOUT' });
      expect((rec.error as HttpError).reason).toMatch(/transfer \(transferTimeoutMs\) did not complete within 100 ms/);
      expect(rec.values.map((e) => e.type)).toContain('responseHeader');
    });

    it('fails with Timeout naming timeoutMs when the whole exchange takes too long', async () => {
      server = await startHttpServer(() => undefined);
      const rec = await record(httpRequest(server.url, { timeoutMs: 80 }));
      expect(rec.error).toMatchObject({ code: 'TIMEOUT' });
      expect((rec.error as HttpError).reason).toMatch(/no complete response within 80 ms \(timeoutMs\)/);
    });
  });

  describe('failures to connect and bad input', () => {
    it('fails with CANNOT_CONNECT when nothing listens', async () => {
      const port = await freePort();
      const rec = await record(httpRequest(`http://127.0.0.1:${port}/`));
      expect(rec.error).toBeInstanceOf(HttpError);
      expect(rec.error).toMatchObject({ code: 'CANNOT_CONNECT', status: 0 });
      expect((rec.error as HttpError).reason).toMatch(/connection refused/);
    });

    it('fails with DNS_FAILURE for a name that does not resolve', async () => {
      const lookup = (_host: string, _opts: object, cb: (err: Error | null, address: string, family?: number) => void): void =>
        cb(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }), '', 4);
      const rec = await record(httpRequest('http://nowhere.invalid/', { lookup }));
      expect(rec.error).toMatchObject({ code: 'DNS_FAILURE' });
      expect((rec.error as HttpError).reason).toMatch(/Could not resolve host nowhere.invalid/);
    });

    it.each([
      ['not a url', 'INVALID_URL', /Could not parse url/],
      ['ftp://127.0.0.1/', 'INVALID_URL', /Unsupported scheme 'ftp:'/],
    ])('errors (not throws) with %s', async (url, code, reason) => {
      const events$ = httpRequest(url);
      const rec = await record(events$);
      expect(rec.error).toMatchObject({ code });
      expect((rec.error as HttpError).reason).toMatch(reason);
    });

    it.each([
      [{ body: 'a', json: 1 }, /Conflicting body options body and json/],
      [{ method: 'BAD METHOD' }, /Invalid method/],
      [{ json: { n: 1n } }, /options.json cannot be serialized/],
      [{ maxRedirects: -1 }, /maxRedirects must be a non-negative integer/],
      [{ connectTimeoutMs: Number.NaN }, /connectTimeoutMs must be a finite number of milliseconds from 0/],
      [{ headers: { 'bad header': 'x' } }, /check the method, headers and tls options/],
      [{ tls: { certFile: '/nonexistent/cert.pem' } }, /tls.certFile was given without tls.keyFile/],
    ] as Array<[HttpRequestOptions, RegExp]>)('errors with Invalid for bad options %#', async (options, reason) => {
      const url = (options.tls ? 'https' : 'http') + '://127.0.0.1:9/';
      const rec = await record(httpRequest(url, options));
      expect(rec.error).toMatchObject({ code: 'INVALID_OPTIONS' });
      expect((rec.error as HttpError).reason).toMatch(reason);
    });
  });
});

describe('httpRequest(): teardown', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('leaves no timer behind after a response, an unsubscribe or an error', async () => {
    server = await startHttpServer((req, res) => (req.url === '/hang' ? res.flushHeaders() : res.end('ok')));
    const before = timers();
    await responseOf(httpRequest(server.url, { timeoutMs: 60_000 }));
    expect(timers()).toBe(before);

    const progress = firstMatch(httpRequest(server.url + '/hang', { timeoutMs: 60_000 }), (e): e is HttpResponseHeaderEvent => e.type === 'responseHeader');
    await progress.value;
    expect(timers()).toBeGreaterThan(before);
    progress.subscription.unsubscribe();
    expect(timers()).toBe(before);

    await record(httpRequest(`http://127.0.0.1:${await freePort()}/`, { timeoutMs: 60_000 }));
    expect(timers()).toBe(before);
  });

  it('aborts the request when the subscriber leaves on the sent event', async () => {
    server = await startHttpServer(() => undefined); // never answers
    const before = timers();
    const rec = await record(httpRequest(server.url, { timeoutMs: 60_000 }).pipe(take(1)));
    expect(rec.values.map((e) => e.type)).toEqual(['sent']);
    expect(timers()).toBe(before);
  });
});
