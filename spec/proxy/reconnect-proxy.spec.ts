import { once } from 'node:events';
import { WebSocketServer, type AddressInfo } from 'ws';
import { WebSocketClient, WebSocketError, type LookupFunction, type WebSocketEvent } from 'rxws';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { echoThrough, failureOf } from './echo';
import { freePort, startMicrosocks, startTinyproxy, type TestProxy } from './proxies';

/** Events of a client, with a way to wait for the next one that matches. */
function watch(client: WebSocketClient): { events: WebSocketEvent[]; next(match: (e: WebSocketEvent) => boolean): Promise<WebSocketEvent> } {
  const events: WebSocketEvent[] = [];
  const waiters: Array<{ match: (e: WebSocketEvent) => boolean; resolve: (e: WebSocketEvent) => void }> = [];
  client.events$.subscribe((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) (w.match(e) ? w.resolve(e) : waiters.push(w));
  });
  return { events, next: (match) => new Promise((resolve) => waiters.push({ match, resolve })) };
}

async function echoOn(port: number): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await once(wss, 'listening');
  return wss;
}

async function closeServer(wss: WebSocketServer): Promise<void> {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}

describe.each([
  ['HTTP CONNECT (tinyproxy)', () => startTinyproxy()],
  ['SOCKS5 (microsocks)', () => startMicrosocks()],
])('WebSocketClient through %s', (_name, start) => {
  let proxy: TestProxy;
  let client: WebSocketClient | undefined;
  let origin: WebSocketServer | undefined;
  beforeEach(async () => {
    proxy = await start();
  });
  afterEach(async () => {
    client?.stop();
    client = undefined;
    if (origin) await closeServer(origin);
    origin = undefined;
    await proxy.stop();
  });

  it('reconnects through the proxy after the origin restarts', async () => {
    origin = await echoOn(0);
    const port = (origin.address() as AddressInfo).port;
    client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, proxy: proxy.url, reconnect: { minWaitMs: 10, maxWaitMs: 50 } });
    const seen = watch(client);
    const firstOpen = seen.next((e) => e.type === 'open');
    client.start();
    expect(await firstOpen).toMatchObject({ type: 'open', proxy: proxy.url });
    const closed = seen.next((e) => e.type === 'close');
    await closeServer(origin);
    origin = undefined;
    expect((await closed).type).toBe('close');
    // While the origin is down the proxy reports it: the tries fail at the proxy, not to reach it.
    const failed = await seen.next((e) => e.type === 'error');
    expect(((failed as { cause: unknown }).cause as WebSocketError).code).toBe('PROXY_REFUSED');
    const reopened = seen.next((e) => e.type === 'open');
    origin = await echoOn(port);
    expect(await reopened).toMatchObject({ type: 'open', proxy: proxy.url });
    const reply = seen.next((e) => e.type === 'message');
    client.send('after restart');
    expect(await reply).toMatchObject({ data: 'after restart' });
  });

  it('a proxy that dies mid-connection: close 1006, failed tries while it is down, then reconnect', async () => {
    origin = await echoOn(0);
    const port = (origin.address() as AddressInfo).port;
    client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, proxy: proxy.url, reconnect: { minWaitMs: 10, maxWaitMs: 50 } });
    const seen = watch(client);
    const opened = seen.next((e) => e.type === 'open');
    client.start();
    await opened;
    const closed = seen.next((e) => e.type === 'close');
    const unreachable = seen.next((e) => e.type === 'error');
    await proxy.kill();
    expect(await closed).toMatchObject({ type: 'close', code: 1006, wasClean: false });
    const failure = (await unreachable) as { cause: unknown; reason: string };
    expect((failure.cause as WebSocketError).code).toBe('PROXY_UNREACHABLE');
    expect(failure.reason).toContain(`127.0.0.1 port ${proxy.port}`);
    const reopened = seen.next((e) => e.type === 'open');
    await proxy.restart();
    expect(await reopened).toMatchObject({ type: 'open', proxy: proxy.url });
  });
});

describe('reconnect and proxy authentication', () => {
  let proxy: TestProxy;
  let echo: TestWsServer;
  let client: WebSocketClient | undefined;
  beforeAll(async () => {
    proxy = await startTinyproxy({ user: 'rxws', password: 'pa55-word' });
    echo = await startEchoServer();
  });
  afterAll(async () => {
    client?.stop();
    await echo.close();
    await proxy.stop();
  });

  it('407 is a failed try by default, and shouldReconnect can stop on it', async () => {
    const url = `http://127.0.0.1:${proxy.port}`;
    const retrying = new WebSocketClient({ url: echo.url, proxy: url, reconnect: { minWaitMs: 5, maxWaitMs: 5 } });
    client = retrying;
    const seenRetry = watch(retrying).next((e) => e.type === 'error');
    retrying.start();
    expect(await seenRetry).toMatchObject({ type: 'error', httpStatus: 407, retries: 1, waitTimeMs: 5 });
    retrying.stop();

    const stopping = new WebSocketClient({
      url: echo.url,
      proxy: url,
      reconnect: { minWaitMs: 5, shouldReconnect: (cause) => !(cause instanceof WebSocketError && cause.code === 'PROXY_AUTH_REQUIRED') },
    });
    client = stopping;
    const seen = watch(stopping);
    const last = seen.next((e) => e.type === 'error');
    stopping.start();
    expect(await last).toMatchObject({ type: 'error', httpStatus: 407, retries: 1, waitTimeMs: 0 });
    expect(seen.events.filter((e) => e.type === 'error')).toHaveLength(1);
  });
});

describe('connect() and the proxy environment variables', () => {
  const VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];
  const saved: Record<string, string | undefined> = {};
  let echo: TestWsServer;
  let proxy: TestProxy | undefined;
  /** A name that is not loopback (so the environment applies) and that only this lookup resolves. */
  const ORIGIN = 'rxws-origin.invalid';
  const lookup: LookupFunction = (hostname, _options, callback) =>
    hostname === ORIGIN ? callback(null, '127.0.0.1', 4) : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);

  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
  });
  beforeEach(() => {
    for (const name of VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(async () => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await proxy?.stop();
    proxy = undefined;
  });

  it('ALL_PROXY=socks5://…: the connection goes through it (names resolved locally with lookup)', async () => {
    proxy = await startMicrosocks(undefined, 'socks5');
    process.env.ALL_PROXY = proxy.url;
    const { open, replies } = await echoThrough(`ws://${ORIGIN}:${echo.port}`, { lookup }, ['via env']);
    expect(open.proxy).toBe(proxy.url);
    expect(replies).toEqual(['via env']);
  });

  it('HTTP_PROXY is used for ws: (the proxy, not this process, then fails to resolve the name)', async () => {
    proxy = await startTinyproxy();
    process.env.HTTP_PROXY = proxy.url;
    const err = await failureOf(`ws://${ORIGIN}:${echo.port}`, { lookup });
    expect(err.code).toBe('PROXY_REFUSED');
    expect(err.reason).toContain('HTTP_PROXY environment variable');
  });

  it('NO_PROXY matching the host, proxy: false, and loopback hosts all go direct', async () => {
    process.env.HTTP_PROXY = `http://127.0.0.1:${await freePort()}`; // nobody listens: a proxied try would fail
    process.env.NO_PROXY = `other.example, .invalid:${echo.port}`;
    const direct = await echoThrough(`ws://${ORIGIN}:${echo.port}`, { lookup }, ['no proxy']);
    expect(direct.open.proxy).toBeUndefined();
    delete process.env.NO_PROXY;
    expect((await failureOf(`ws://${ORIGIN}:${echo.port}`, { lookup })).code).toBe('PROXY_UNREACHABLE');
    expect((await echoThrough(`ws://${ORIGIN}:${echo.port}`, { lookup, proxy: false }, ['off'])).open.proxy).toBeUndefined();
    expect((await echoThrough(echo.url, {}, ['loopback'])).open.proxy).toBeUndefined();
  });
});
