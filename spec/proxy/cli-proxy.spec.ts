import { clientProxy } from '../../src/cli/common';
import { CliProcesses, requireBuiltCli } from '../cli/cli-process';
import { startHttpServer, type TestHttpServer } from '../http/servers';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { GZIP_TEXT, originHandler } from './origin';
import { countConnections, startMicrosocks, startTinyproxy, type CountedProxy, type TestProxy } from './proxies';

const AUTH = { user: 'rxws', password: 'pa55-word' };

describe('rxws --proxy', () => {
  const procs = new CliProcesses();
  const proxies: TestProxy[] = [];
  const fronts: CountedProxy[] = [];
  let origin: TestHttpServer;
  let echo: TestWsServer;
  beforeAll(async () => {
    requireBuiltCli();
    origin = await startHttpServer(originHandler);
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await origin.close();
    await echo.close();
  });
  afterEach(async () => {
    await procs.killAll();
    for (const f of fronts.splice(0)) await f.close();
    for (const p of proxies.splice(0)) await p.stop();
  });
  const counted = async (proxy: TestProxy): Promise<CountedProxy> => {
    proxies.push(proxy);
    const front = await countConnections(proxy);
    fronts.push(front);
    return front;
  };

  it.each(['connect', 'chat', 'send', 'receive', 'ping', 'curl', 'autoroute'])('%s --help lists --proxy', async (command) => {
    const help = await procs.run([command, '--help']);
    expect(help.stdout).toContain('--proxy <url>');
  });

  it("--proxy URL is the proxy option; --proxy '' is proxy: false; no flag leaves it to the environment", () => {
    expect(clientProxy({ proxy: 'socks5h://127.0.0.1:1080' })).toBe('socks5h://127.0.0.1:1080');
    expect(clientProxy({ proxy: '' })).toBe(false);
    expect(clientProxy({})).toBeUndefined();
  });

  it('curl GET, POST, -L and --compressed through an HTTP CONNECT proxy', async () => {
    const proxy = await counted(await startTinyproxy(AUTH));
    const get = await procs.run(['curl', '--proxy', proxy.url, `${origin.url}/hello`]);
    expect([get.code, get.stdout]).toEqual([0, 'hello']);
    const post = await procs.run(['curl', '--proxy', proxy.url, '--data-binary', 'posted body', `${origin.url}/echo`]);
    expect(post.stdout).toBe('posted body');
    const redirected = await procs.run(['curl', '-L', '--proxy', proxy.url, `${origin.url}/redirect`]);
    expect(redirected.stdout).toBe('hello');
    const gzip = await procs.run(['curl', '--compressed', '--proxy', proxy.url, `${origin.url}/gzip`]);
    expect(gzip.stdout).toBe(GZIP_TEXT);
    expect(proxy.accepted).toBe(5); // one tunnel per request, two for the redirect
  });

  it('curl through SOCKS5 with credentials', async () => {
    const proxy = await counted(await startMicrosocks(AUTH));
    const get = await procs.run(['curl', '-L', '--proxy', proxy.url, `${origin.url}/redirect`]);
    expect([get.code, get.stdout]).toEqual([0, 'hello']);
    expect(proxy.accepted).toBe(2);
  });

  it('curl: a proxy refusing the credentials fails with one line naming the 407 or 401, not the password', async () => {
    const proxy = await startTinyproxy(AUTH);
    proxies.push(proxy);
    const failed = await procs.run(['curl', '--proxy', `http://rxws:not-the-pass@127.0.0.1:${proxy.port}`, `${origin.url}/hello`]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/Proxy authentication required.*(407|401)/);
    expect(failed.stderr).not.toContain('not-the-pass');
  });

  it('connect prints the proxy on open and echoes through it', async () => {
    const proxy = await counted(await startMicrosocks());
    const client = procs.start(['connect', '--proxy', proxy.url, echo.url]);
    await client.waitFor(new RegExp(`open.*via proxy ${proxy.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    client.send('hello via socks');
    await client.waitFor(/hello via socks/);
    expect(proxy.accepted).toBe(1);
  });
});
