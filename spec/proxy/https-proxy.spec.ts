// An https:// proxy: TLS to the proxy (tinyproxy behind a TLS front with a test certificate),
// then CONNECT, then TLS to the origin inside that. Two TLS sessions, each checked on its own.
import { lastValueFrom } from 'rxjs';
import { httpRequest, type HttpError } from 'rxws/http';
import { useTestCertificates } from '../helpers/certs';
import { responseOf, startHttpServer, type TestHttpServer } from '../http/servers';
import { startWssPeer, type WssPeer } from '../tls/wss-peer';
import { echoThrough, failureOf } from './echo';
import { originHandler } from './origin';
import { startTinyproxy, startTlsFront, type TestProxy } from './proxies';

describe('an https:// proxy', () => {
  const certs = useTestCertificates();
  let proxy: TestProxy;
  let front: { port: number; close(): Promise<void> };
  let wss: WssPeer;
  let origin: TestHttpServer;
  beforeAll(async () => {
    const { server } = certs();
    proxy = await startTinyproxy({ user: 'rxws', password: 'pa55-word' });
    front = await startTlsFront(proxy, server.cert, server.key);
    wss = await startWssPeer({ cert: server.cert, key: server.key });
    origin = await startHttpServer(originHandler);
  });
  afterAll(async () => {
    await wss.close();
    await origin.close();
    await front.close();
    await proxy.stop();
  });
  const url = (): string => `https://rxws:pa55-word@127.0.0.1:${front.port}`;

  it('wss through it: the proxy is trusted with proxy.tls, the origin with tls', async () => {
    const { ca } = certs();
    const { open, replies } = await echoThrough(wss.url('localhost'), { proxy: { url: url(), tls: { caFile: ca.cert } }, tls: { caFile: ca.cert } }, ['two TLS sessions']);
    expect(replies).toEqual(['two TLS sessions']);
    expect(open.proxy).toBe(`https://rxws:***@127.0.0.1:${front.port}`);
  });

  it("a proxy certificate the system roots do not trust: PROXY_UNREACHABLE with the TLS reason", async () => {
    const { ca } = certs();
    const err = await failureOf(wss.url('localhost'), { proxy: url(), tls: { caFile: ca.cert } });
    expect(err.code).toBe('PROXY_UNREACHABLE');
    expect(err.reason).toMatch(/not trusted.*pass its CA as proxy\.tls\.caFile/);
    expect(err.reason).not.toContain('pa55-word');
  });

  it('httpRequest through it', async () => {
    const { ca } = certs();
    const res = await responseOf(httpRequest(`${origin.url}/hello`, { proxy: { url: url(), tls: { caFile: ca.cert } } }));
    expect(res.text()).toBe('hello');
    const err = await lastValueFrom(httpRequest(`${origin.url}/hello`, { proxy: url() })).catch((e: HttpError) => e);
    expect((err as HttpError).code).toBe('PROXY_UNREACHABLE');
  });

  it('proxy.tls on a plain http:// proxy is INVALID_OPTIONS', async () => {
    const err = await failureOf(wss.url('localhost'), { proxy: { url: `http://127.0.0.1:${proxy.port}`, tls: { caFile: 'NONE' } } });
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.reason).toContain('options.proxy.tls');
  });
});
