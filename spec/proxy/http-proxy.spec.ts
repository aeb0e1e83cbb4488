import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { lastValueFrom } from 'rxjs';
import { HttpError, httpRequest, type HttpRequestOptions } from 'rxws/http';
import { useTestCertificates } from '../helpers/certs';
import { responseOf, startHttpServer, startHttpsServer, type TestHttpServer } from '../http/servers';
import { GZIP_TEXT, originHandler } from './origin';
import { countConnections, freePort, startMicrosocks, startTinyproxy, type CountedProxy, type TestProxy } from './proxies';

const AUTH = { user: 'rxws', password: 'pa55-word' };

/** The HttpError a request fails with. */
async function failureOf(url: string, options: HttpRequestOptions): Promise<HttpError> {
  try {
    await lastValueFrom(httpRequest(url, options));
  } catch (err) {
    return err as HttpError;
  }
  throw new Error(`${url} answered instead of failing`);
}

describe.each([
  ['HTTP CONNECT (tinyproxy)', () => startTinyproxy()],
  ['HTTP CONNECT with Basic auth (tinyproxy)', () => startTinyproxy(AUTH)],
  ['SOCKS5 (microsocks)', () => startMicrosocks()],
  ['SOCKS5 with user/password (microsocks)', () => startMicrosocks(AUTH)],
])('httpRequest() through %s', (_name, start) => {
  const certs = useTestCertificates();
  let proxy: TestProxy;
  let counted: CountedProxy;
  let origin: TestHttpServer;
  let secureOrigin: TestHttpServer | undefined;
  let before = 0;
  beforeAll(async () => {
    proxy = await start();
    counted = await countConnections(proxy);
    origin = await startHttpServer(originHandler);
  });
  afterAll(async () => {
    await origin.close();
    await counted.close();
    await proxy.stop();
  });
  beforeEach(() => {
    before = counted.accepted;
  });
  afterEach(async () => {
    await secureOrigin?.close();
    secureOrigin = undefined;
  });
  /** Each request opened its own tunnel through the proxy. */
  const expectTunnels = (n: number): void => expect(counted.accepted - before).toBe(n);

  it('GET', async () => {
    const res = await responseOf(httpRequest(`${origin.url}/hello`, { proxy: counted.url }));
    expect([res.status, res.text()]).toEqual([200, 'hello']);
    expectTunnels(1);
  });

  it('POST a 1 MiB body and read it back', async () => {
    const body = new Uint8Array(randomBytes(1024 * 1024));
    const res = await responseOf(httpRequest(`${origin.url}/echo`, { method: 'POST', body, proxy: counted.url }));
    expect(Buffer.from(res.body).equals(Buffer.from(body))).toBe(true);
    expectTunnels(1);
  });

  it('follows a redirect through the proxy', async () => {
    const res = await responseOf(httpRequest(`${origin.url}/redirect`, { proxy: counted.url }));
    expect([res.status, res.text(), res.url]).toEqual([200, 'hello', `${origin.url}/hello`]);
    expectTunnels(2);
  });

  it('decodes a gzip body', async () => {
    const res = await responseOf(httpRequest(`${origin.url}/gzip`, { proxy: counted.url }));
    expect(res.text()).toBe(GZIP_TEXT);
    expectTunnels(1);
  });

  it('https: the origin certificate is verified through the tunnel', async () => {
    const { server, ca } = certs();
    secureOrigin = await startHttpsServer(originHandler, server.cert, server.key);
    const res = await responseOf(httpRequest(`${secureOrigin.url}/hello`, { proxy: counted.url, tls: { caFile: ca.cert } }));
    expect(res.text()).toBe('hello');
    expectTunnels(1);
    const untrusted = await failureOf(`${secureOrigin.url}/hello`, { proxy: proxy.url });
    expect(untrusted.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
  });
});

describe('httpRequest() proxy failures', () => {
  const stops: Array<() => Promise<void>> = [];
  let origin: TestHttpServer;
  beforeAll(async () => {
    origin = await startHttpServer(originHandler);
  });
  afterAll(async () => {
    await origin.close();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('407: PROXY_AUTH_REQUIRED with status 407', async () => {
    const proxy = await startTinyproxy(AUTH);
    stops.push(() => proxy.stop());
    const err = await failureOf(`${origin.url}/hello`, { proxy: `http://127.0.0.1:${proxy.port}` });
    expect(err).toBeInstanceOf(HttpError);
    expect([err.code, err.status]).toEqual(['PROXY_AUTH_REQUIRED', 407]);
  });

  it('an unreachable proxy: PROXY_UNREACHABLE with its address', async () => {
    const port = await freePort();
    const err = await failureOf(`${origin.url}/hello`, { proxy: `socks5://127.0.0.1:${port}` });
    expect(err.code).toBe('PROXY_UNREACHABLE');
    expect(err.reason).toContain(`127.0.0.1 port ${port}`);
  });

  it('a proxy that cannot reach the target: PROXY_REFUSED', async () => {
    const proxy = await startTinyproxy();
    stops.push(() => proxy.stop());
    const err = await failureOf(`http://127.0.0.1:${await freePort()}/`, { proxy: proxy.url });
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.status).toBeGreaterThanOrEqual(400);
  });

  it('a silent proxy: PROXY_HANDSHAKE_TIMEOUT after connectTimeoutMs, and its socket is closed', async () => {
    const silent: Server = createServer();
    const sockets: Socket[] = [];
    silent.on('connection', (s) => (sockets.push(s), s.resume()));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    stops.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(() => resolve()))));
    const { port } = silent.address() as { port: number };
    const err = await failureOf(`${origin.url}/hello`, { proxy: `http://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    expect(err.code).toBe('PROXY_HANDSHAKE_TIMEOUT');
    expect(err.reason).toContain('300 ms');
    if (!sockets[0].destroyed) await once(sockets[0], 'close');
    expect(sockets[0].destroyed).toBe(true);
  });

  it('a bad proxy URL: Invalid, naming options.proxy', async () => {
    const err = await failureOf(`${origin.url}/hello`, { proxy: 'quic://127.0.0.1:1' });
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.reason).toContain('options.proxy');
  });
});
