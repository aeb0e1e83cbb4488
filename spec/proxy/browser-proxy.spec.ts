// The browser build ignores `proxy` (browsers use the system's proxy settings): a connection with
// one set opens directly and without a `proxy` field, never errors. `ws`'s WHATWG WebSocket
// stands in for the browser's global, as in spec/observables/transport-browser.spec.ts.
import { connect, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { useWsAsGlobalWebSocket } from '../helpers/global-websocket';
import { firstMatch } from '../helpers/observe';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';
import { freePort } from './proxies';

jest.mock('../../src/observables/transport', () => jest.requireActual('../../src/observables/transport.browser'));

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';

describe('the proxy option on the browser transport', () => {
  let server: TestWsServer;
  useWsAsGlobalWebSocket();
  afterEach(async () => server?.close());

  it.each([
    ['a proxy URL nobody listens on', async () => `http://127.0.0.1:${await freePort()}`],
    ['an invalid proxy URL', async () => 'gopher://nowhere'],
  ])('%s: opens directly, no proxy field', async (_name, proxyUrl) => {
    server = await startEchoServer();
    const { value, subscription } = firstMatch(connect(server.url, { proxy: await proxyUrl() }), isOpen);
    const open = await value;
    expect(open.url).toBe(`${server.url}/`);
    expect('proxy' in open).toBe(false);
    subscription.unsubscribe();
  });
});
