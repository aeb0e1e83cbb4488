// squid, the HTTP proxy corporate networks run, with and without Basic auth.
import { randomBytes } from 'node:crypto';
import { httpRequest } from 'rxws/http';
import { useTestCertificates } from '../helpers/certs';
import { responseOf, startHttpServer, type TestHttpServer } from '../http/servers';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { startWssPeer, type WssPeer } from '../tls/wss-peer';
import { echoThrough, failureOf } from './echo';
import { GZIP_TEXT, originHandler } from './origin';
import { countConnections, startSquid, type CountedProxy, type TestProxy } from './proxies';

const AUTH = { user: 'rxws', password: 'pa55-word' };

describe.each([
  ['squid', undefined],
  ['squid with Basic auth', AUTH],
])('through %s', (_name, auth) => {
  const certs = useTestCertificates();
  let proxy: TestProxy;
  let counted: CountedProxy;
  let echo: TestWsServer;
  let wss: WssPeer;
  let origin: TestHttpServer;
  beforeAll(async () => {
    proxy = await startSquid(auth);
    counted = await countConnections(proxy);
    echo = await startEchoServer();
    const { server } = certs();
    wss = await startWssPeer({ cert: server.cert, key: server.key });
    origin = await startHttpServer(originHandler);
  });
  afterAll(async () => {
    await Promise.all([echo.close(), wss.close(), origin.close(), counted.close()]);
    await proxy.stop();
  });

  it('ws: text and 16 MiB binary; wss with caFile and SNI', async () => {
    const big = new Uint8Array(randomBytes(16 * 1024 * 1024));
    const before = counted.accepted;
    const plain = await echoThrough(echo.url, { proxy: counted.url }, ['hello squid', big]);
    expect(plain.replies[0]).toBe('hello squid');
    expect(Buffer.from(plain.replies[1] as Uint8Array).equals(Buffer.from(big))).toBe(true);
    const secure = await echoThrough(wss.url('localhost'), { proxy: counted.url, tls: { caFile: certs().ca.cert } }, ['secure']);
    expect(secure.replies).toEqual(['secure']);
    expect(counted.accepted - before).toBe(2);
  });

  it('httpRequest: GET, POST, redirect and gzip', async () => {
    const get = await responseOf(httpRequest(`${origin.url}/redirect`, { proxy: counted.url }));
    expect(get.text()).toBe('hello');
    const post = await responseOf(httpRequest(`${origin.url}/echo`, { method: 'POST', body: 'posted', proxy: counted.url }));
    expect(post.text()).toBe('posted');
    const gzip = await responseOf(httpRequest(`${origin.url}/gzip`, { proxy: counted.url }));
    expect(gzip.text()).toBe(GZIP_TEXT);
  });

  if (auth) {
    it('no or wrong credentials: PROXY_AUTH_REQUIRED with 407', async () => {
      const none = await failureOf(echo.url, { proxy: `http://127.0.0.1:${proxy.port}` });
      expect([none.code, none.httpStatus]).toEqual(['PROXY_AUTH_REQUIRED', 407]);
      const wrong = await failureOf(echo.url, { proxy: `http://rxws:wrong-one@127.0.0.1:${proxy.port}` });
      expect([wrong.code, wrong.httpStatus]).toEqual(['PROXY_AUTH_REQUIRED', 407]);
      expect(wrong.reason).not.toContain('wrong-one');
    });
  }
});
