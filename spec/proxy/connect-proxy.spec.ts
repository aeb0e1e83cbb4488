import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketError } from 'rxws';
import { useTestCertificates } from '../helpers/certs';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { startWssPeer, type WssPeer } from '../tls/wss-peer';
import { echoThrough, failureOf } from './echo';
import { countConnections, freePort, startMicrosocks, startTinyproxy, type CountedProxy, type TestProxy } from './proxies';

const AUTH = { user: 'rxws', password: 'pa55-word' };
const KINDS: Array<[string, () => Promise<TestProxy>]> = [
  ['HTTP CONNECT (tinyproxy)', () => startTinyproxy()],
  ['HTTP CONNECT with Basic auth (tinyproxy)', () => startTinyproxy(AUTH)],
  ['SOCKS5 (microsocks)', () => startMicrosocks()],
  ['SOCKS5 with user/password (microsocks)', () => startMicrosocks(AUTH)],
];

const mask = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');

describe.each(KINDS)('connect() through %s', (_name, start) => {
  const certs = useTestCertificates();
  let proxy: TestProxy;
  let counted: CountedProxy;
  let echo: TestWsServer | undefined;
  let wss: WssPeer | undefined;

  beforeAll(async () => {
    proxy = await start();
    counted = await countConnections(proxy);
  });
  afterAll(async () => {
    await counted.close();
    await proxy.stop();
  });
  afterEach(async () => {
    await echo?.close();
    await wss?.close();
    echo = wss = undefined;
  });

  it('ws: a text and a 16 MiB binary message go both ways; open names the proxy without its password', async () => {
    echo = await startEchoServer();
    const big = new Uint8Array(randomBytes(16 * 1024 * 1024));
    const before = counted.accepted;
    const { open, replies } = await echoThrough(echo.url, { proxy: counted.url }, ['hello through the proxy', big]);
    expect(counted.accepted - before).toBe(1);
    expect(open.url).toBe(`${echo.url}/`);
    expect(open.proxy).toBe(mask(counted.url));
    expect(open.proxy).not.toContain(AUTH.password);
    expect(replies[0]).toBe('hello through the proxy');
    expect(Buffer.from(replies[1] as Uint8Array).equals(Buffer.from(big))).toBe(true);
  });

  it('wss: the origin certificate is verified through the tunnel (SNI to the origin, caFile)', async () => {
    const { server, ca } = certs();
    wss = await startWssPeer({ cert: server.cert, key: server.key });
    const before = counted.accepted;
    const { open, replies } = await echoThrough(wss.url('localhost'), { proxy: counted.url, tls: { caFile: ca.certFile } }, ['secure']);
    expect(counted.accepted - before).toBe(1);
    expect(replies).toEqual(['secure']);
    expect(open.proxy).toBe(mask(counted.url));
    expect(wss.servernames).toEqual(['localhost']);
    const untrusted = await failureOf(wss.url('localhost'), { proxy: proxy.url });
    expect(untrusted.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
    expect(untrusted.reason).toContain('localhost on port');
  });

  it('wss: a name the origin certificate does not list fails as without a proxy', async () => {
    const { dnsOnly, ca } = certs();
    wss = await startWssPeer({ cert: dnsOnly.cert, key: dnsOnly.key });
    const err = await failureOf(wss.url('127.0.0.1'), { proxy: proxy.url, tls: { caFile: ca.cert } });
    expect(err.code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('wss: mutual TLS through the tunnel (the client certificate reaches the origin)', async () => {
    const { server, ca, client } = certs();
    wss = await startWssPeer({ cert: server.cert, key: server.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true });
    const { replies } = await echoThrough(wss.url('localhost'), { proxy: proxy.url, tls: { caFile: ca.certFile, certFile: client.certFile, keyFile: client.keyFile } }, ['mtls']);
    expect(replies).toEqual(['mtls']);
    const without = await failureOf(wss.url('localhost'), { proxy: proxy.url, tls: { caFile: ca.certFile } });
    expect(without.code).not.toMatch(/^PROXY_/);
  });
});

describe('connect() proxy failures', () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  let echo: TestWsServer;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
  });
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
  });
  const track = <T extends { stop(): Promise<void> }>(s: T): T => (started.push(s), s);

  it('an HTTP proxy that wants credentials: PROXY_AUTH_REQUIRED, httpStatus 407', async () => {
    const proxy = track(await startTinyproxy(AUTH));
    const err = await failureOf(echo.url, { proxy: `http://127.0.0.1:${proxy.port}` });
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err.code).toBe('PROXY_AUTH_REQUIRED');
    expect(err.httpStatus).toBe(407);
    expect(err.reason).toContain(`http://127.0.0.1:${proxy.port}`);
    expect(err.reason).toContain('407');
  });

  it('wrong credentials: PROXY_AUTH_REQUIRED naming the user, never the password', async () => {
    const proxy = track(await startTinyproxy(AUTH));
    const err = await failureOf(echo.url, { proxy: `http://rxws:wrong-pass-123@127.0.0.1:${proxy.port}` });
    expect(err.code).toBe('PROXY_AUTH_REQUIRED');
    expect(err.reason).toContain("user 'rxws'");
    expect(err.reason).not.toContain('wrong-pass-123');
    expect(err.message).not.toContain('wrong-pass-123');
  });

  it('SOCKS5 without or with wrong credentials: PROXY_AUTH_REQUIRED', async () => {
    const proxy = track(await startMicrosocks(AUTH));
    const none = await failureOf(echo.url, { proxy: `socks5://127.0.0.1:${proxy.port}` });
    expect(none.code).toBe('PROXY_AUTH_REQUIRED');
    const wrong = await failureOf(echo.url, { proxy: `socks5://rxws:nope-456@127.0.0.1:${proxy.port}` });
    expect(wrong.code).toBe('PROXY_AUTH_REQUIRED');
    expect(wrong.reason).not.toContain('nope-456');
  });

  it('an unreachable proxy: PROXY_UNREACHABLE with its address', async () => {
    const port = await freePort();
    for (const scheme of ['http', 'socks5h']) {
      const err = await failureOf(echo.url, { proxy: `${scheme}://u:hidden-789@127.0.0.1:${port}` });
      expect(err.code).toBe('PROXY_UNREACHABLE');
      expect(err.reason).toContain(`127.0.0.1 port ${port}`);
      expect(err.reason).toContain('connection refused');
      expect(err.reason).not.toContain('hidden-789');
    }
  });

  it('an HTTP proxy that cannot reach the target: PROXY_REFUSED with its status line', async () => {
    const proxy = track(await startTinyproxy());
    const closed = await freePort();
    const err = await failureOf(`ws://127.0.0.1:${closed}`, { proxy: proxy.url });
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.httpStatus).toBeGreaterThanOrEqual(400);
    expect(err.reason).toContain(`CONNECT with ${err.httpStatus}`);
    expect(err.reason).toContain(`127.0.0.1:${closed}`);
  });

  it('a SOCKS5 proxy that cannot reach the target: PROXY_REFUSED with the reply code', async () => {
    const proxy = track(await startMicrosocks());
    const closed = await freePort();
    const err = await failureOf(`ws://127.0.0.1:${closed}`, { proxy: proxy.url });
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.reason).toMatch(/SOCKS5 reply 0x0[1-8] \(/);
  });

  it('a proxy that accepts and never answers: PROXY_HANDSHAKE_TIMEOUT, and its socket is closed', async () => {
    const silent: Server = createServer();
    const sockets: Socket[] = [];
    // resume(): a socket that is read sees its peer go ('close').
    silent.on('connection', (s) => (sockets.push(s), s.resume()));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    track({ stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(() => resolve()))) });
    const { port } = silent.address() as { port: number };
    const err = await failureOf(echo.url, { proxy: `http://127.0.0.1:${port}`, handshakeTimeoutMs: 300 });
    expect(err.code).toBe('PROXY_HANDSHAKE_TIMEOUT');
    expect(err.reason).toContain(`http://127.0.0.1:${port}`);
    expect(err.reason).toContain('300 ms');
    // cancel() reached the proxy socket: the silent proxy sees its client go.
    const accepted = sockets[0];
    if (!accepted.destroyed) await once(accepted, 'close');
    expect(accepted.destroyed).toBe(true);
  });

  it('socks5:// resolves the target here: a name that does not resolve is DNS_FAILURE, not a proxy failure', async () => {
    const proxy = track(await startMicrosocks(undefined, 'socks5'));
    const err = await failureOf('ws://rxws-nowhere.invalid:8008', { proxy: proxy.url });
    expect(err.code).toBe('DNS_FAILURE');
    expect(err.reason).toContain('rxws-nowhere.invalid');
  });

  it('a bad proxy URL is INVALID_OPTIONS naming the option, without the password', async () => {
    const err = await failureOf(echo.url, { proxy: 'ftp://u:pw-000@127.0.0.1:21' });
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.reason).toContain('options.proxy');
    expect(err.reason).toContain("'ftp:'");
    expect(err.reason).not.toContain('pw-000');
  });
});
