// SOCKS4 and SOCKS4a (and SOCKS5 once more) through dante: socks4:// resolves the target's name
// here, socks4a:// sends the name for the proxy to resolve (and an address as plain SOCKS4).
import { randomBytes } from 'node:crypto';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { echoThrough, failureOf } from './echo';
import { freePort, startDante, startMicrosocks, type TestProxy } from './proxies';

describe.each(['socks4', 'socks4a', 'socks5'] as const)('connect() through dante with %s://', (scheme) => {
  let proxy: TestProxy;
  let echo: TestWsServer;
  beforeAll(async () => {
    proxy = await startDante(scheme);
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
    await proxy.stop();
  });

  it('a text and a 1 MiB binary message go through', async () => {
    const big = new Uint8Array(randomBytes(1024 * 1024));
    const host = scheme === 'socks4a' ? '127.0.0.1' : 'localhost';
    const { open, replies } = await echoThrough(`ws://${host}:${echo.port}`, { proxy: proxy.url }, ['by name', big]);
    expect(open.proxy).toBe(proxy.url);
    expect(replies[0]).toBe('by name');
    expect(Buffer.from(replies[1] as Uint8Array).equals(Buffer.from(big))).toBe(true);
  });

  it('a target the proxy cannot reach: PROXY_REFUSED with the reply code', async () => {
    const err = await failureOf(`ws://127.0.0.1:${await freePort()}`, { proxy: proxy.url });
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.reason).toMatch(scheme === 'socks5' ? /SOCKS5 reply 0x0\d \(/ : /SOCKS4 reply 0x5b \(request rejected or failed\)/);
  });
});

describe('socks4a:// and socks4:// with a host name', () => {
  let a: TestProxy;
  let plain: TestProxy;
  let echo: TestWsServer;
  beforeAll(async () => {
    [a, plain] = [await startDante('socks4a'), await startDante('socks4')];
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
    await a.stop();
    await plain.stop();
  });

  it('socks4a leaves the name to the proxy (dante resolves no SOCKS4a names and refuses it); socks4 resolves it here', async () => {
    const refused = await failureOf(`ws://localhost:${echo.port}`, { proxy: a.url });
    expect(refused.code).toBe('PROXY_REFUSED');
    expect(refused.reason).toContain(`localhost:${echo.port}`);
    const { replies } = await echoThrough(`ws://localhost:${echo.port}`, { proxy: plain.url }, ['resolved here']);
    expect(replies).toEqual(['resolved here']);
  });
});

describe('a SOCKS5 proxy on ::1', () => {
  let proxy: TestProxy;
  let echo: TestWsServer;
  beforeAll(async () => {
    proxy = await startMicrosocks(undefined, 'socks5h', '::1');
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
    await proxy.stop();
  });

  it('is reached at its bracketed address', async () => {
    expect(proxy.url).toMatch(/^socks5h:\/\/\[::1\]:\d+$/);
    const { open, replies } = await echoThrough(echo.url, { proxy: proxy.url }, ['over ::1']);
    expect(replies).toEqual(['over ::1']);
    expect(open.proxy).toBe(proxy.url);
  });
});
